// Command davcli reads and writes raw CalDAV and CardDAV resources with their etags:
// the collections of an account, the items of a collection, an item's exact bytes,
// conditional writes and deletes, collection properties, RFC 6578 changes, and the
// repair of items without a UID or with a UID several items share.
//
// Data goes to standard output as JSON lines (one object per line, fields documented
// in docs/json.md) unless standard output is a terminal, where a table is printed
// instead; --json forces JSON. `get` writes the item's bytes as they are. Where a
// command takes a URL or an href, "-" reads JSON lines from standard input (the output
// of ls, collections, changes or pimsync-discover) and acts on each.
//
// Every write is conditional: put needs --create (If-None-Match: *) or --if-match, rm
// needs --if-match (or --force), and repair writes each item at the etag it read.
//
// Exit status: 0 on success, 1 when something failed (a 412 names the href and the
// etag), 2 on usage errors.
package main

import "github.com/pimsync-go/libsync/cli"

// version is set at build time by scripts/build.
var version = "devel"

// grammar is davcli's command line.
type grammar struct {
	cli.Globals
	connFlags

	Collections collectionsCmd    `cmd:"" help:"List the calendars and address books of an account (a server, principal or home set URL)."`
	Ls          lsCmd             `cmd:"" help:"List a collection's items: href, etag, content type (and UID with --uid)."`
	Get         getCmd            `cmd:"" help:"Write an item's exact bytes to standard output."`
	Put         putCmd            `cmd:"" help:"Store an item: a new one (--create) or over the version with an etag (--if-match)."`
	Rm          rmCmd             `cmd:"" help:"Delete an item if its etag is still the one given (--if-match)."`
	Mkcol       mkcolCmd          `cmd:"" help:"Create a calendar or an address book."`
	Props       propsCmd          `cmd:"" help:"Show a collection's properties: displayname, color, description, order."`
	Proppatch   proppatchCmd      `cmd:"" help:"Set a collection property (an empty value removes it)."`
	Changes     changesCmd        `cmd:"" help:"List what changed in a collection since a sync token (RFC 6578), and the new token."`
	Repair      repairCmd         `cmd:"" help:"Give new UIDs to items without one or sharing one; only the UID lines change."`
	Completion  cli.CompletionCmd `cmd:"" help:"Print the completion script for bash, zsh or fish."`
	Version     cli.VersionCmd    `cmd:"" help:"Print the version."`
}

var tool = cli.Tool{
	Name:        "davcli",
	Description: "Read and write raw CalDAV and CardDAV resources with their etags.",
	Version:     version,
}

func main() {
	tool.Main(&grammar{})
}
