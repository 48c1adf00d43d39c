// Command pimsync-discover finds a user's CalDAV and CardDAV services from an email
// address, a domain or a URL, as RFC 6764 says (DNS SRV and TXT records, then the
// well-known URLs), and lists the collections of each: what a pimsync.conf needs.
//
// Data goes to standard output as JSON lines (one object per service found, fields
// documented in docs/json.md) unless standard output is a terminal, where a summary is
// printed instead; --json forces JSON. Logs go to standard error.
//
// Exit status: 0 when a service was found, 1 when none was, 2 on usage errors.
package main

import "github.com/pimsync-go/libsync/cli"

// version is set at build time by scripts/build.
var version = "devel"

// grammar is pimsync-discover's command line: "find" is the command when none is named,
// so that `pimsync-discover alice@example.com` works.
type grammar struct {
	cli.Globals
	Find       findCmd           `cmd:"" default:"withargs" help:"Find the services of an email address, a domain or a URL, and their collections (the default command)."`
	Completion cli.CompletionCmd `cmd:"" help:"Print the completion script for bash, zsh or fish."`
	Version    cli.VersionCmd    `cmd:"" help:"Print the version."`
}

var tool = cli.Tool{
	Name:        "pimsync-discover",
	Description: "Find CalDAV and CardDAV services from an email address, a domain or a URL (RFC 6764).",
	Version:     version,
}

func main() {
	tool.Main(&grammar{})
}
