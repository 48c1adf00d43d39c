// Command webcalfetch fetches a webcal feed (an iCalendar file over http, https or
// webcal://) and splits it into items, one per UID: a recurring event's overrides stay
// with their master, each item carries only the VTIMEZONEs it uses, and METHOD is
// dropped. Items keep the feed's bytes; a component without UID gets a stable one
// made from its content.
//
// Items go to standard output as JSON lines (docs/json.md), or with --vdir into a vdir
// collection, which then mirrors the feed. Logs go to standard error.
//
// Exit status: 0 on success (an unchanged feed included), 1 when the fetch or a write
// failed, 2 on usage errors.
package main

import "github.com/pimsync-go/libsync/cli"

// version is set at build time by scripts/build.
var version = "devel"

// grammar is webcalfetch's command line.
type grammar struct {
	cli.Globals
	Fetch      fetchCmd          `cmd:"" default:"withargs" help:"Fetch a feed and print its items, or mirror them into a vdir collection (the default command)."`
	Completion cli.CompletionCmd `cmd:"" help:"Print the completion script for bash, zsh or fish."`
	Version    cli.VersionCmd    `cmd:"" help:"Print the version."`
}

var tool = cli.Tool{
	Name:        "webcalfetch",
	Description: "Fetch a webcal feed and split it into items.",
	Version:     version,
}

func main() {
	tool.Main(&grammar{})
}
