// Command pimsync: Synchronise calendars and contacts between pairs of storages.
//
// Its commands arrive with issue(s) 3 (sync core), 4 (CalDAV/CardDAV) and 5 (daemon); this build knows only "version".
package main

import "github.com/pimsync-go/libsync/cli"

// version is set at build time by scripts/build.
var version = "devel"

// grammar is pimsync's command line.
type grammar struct {
	cli.Globals
	Version cli.VersionCmd `cmd:"" help:"Print the version."`
}

var tool = cli.Tool{
	Name:        "pimsync",
	Description: "Synchronise calendars and contacts between pairs of storages.",
	Version:     version,
}

func main() {
	tool.Main(&grammar{})
}
