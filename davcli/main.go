// Command davcli: Read and write raw CalDAV and CardDAV resources with their etags.
//
// Its commands arrive with issue(s) 6; this build knows only "version".
package main

import "github.com/pimsync-go/libsync/cli"

// version is set at build time by scripts/build.
var version = "devel"

// grammar is davcli's command line.
type grammar struct {
	cli.Globals
	Version cli.VersionCmd `cmd:"" help:"Print the version."`
}

var tool = cli.Tool{
	Name:        "davcli",
	Description: "Read and write raw CalDAV and CardDAV resources with their etags.",
	Version:     version,
}

func main() {
	tool.Main(&grammar{})
}
