// Command webcalfetch: Fetch a webcal feed and split it into items.
//
// Its commands arrive with issue(s) 7; this build knows only "version".
package main

import "github.com/pimsync-go/libsync/cli"

// version is set at build time by scripts/build.
var version = "devel"

// grammar is webcalfetch's command line.
type grammar struct {
	cli.Globals
	Version cli.VersionCmd `cmd:"" help:"Print the version."`
}

var tool = cli.Tool{
	Name:        "webcalfetch",
	Description: "Fetch a webcal feed and split it into items.",
	Version:     version,
}

func main() {
	tool.Main(&grammar{})
}
