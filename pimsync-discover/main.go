// Command pimsync-discover: Find CalDAV and CardDAV services from an email address, a domain or a URL (RFC 6764).
//
// Its commands arrive with issue(s) 6; this build knows only "version".
package main

import "github.com/pimsync-go/libsync/cli"

// version is set at build time by scripts/build.
var version = "devel"

// grammar is pimsync-discover's command line.
type grammar struct {
	cli.Globals
	Version cli.VersionCmd `cmd:"" help:"Print the version."`
}

var tool = cli.Tool{
	Name:        "pimsync-discover",
	Description: "Find CalDAV and CardDAV services from an email address, a domain or a URL (RFC 6764).",
	Version:     version,
}

func main() {
	tool.Main(&grammar{})
}
