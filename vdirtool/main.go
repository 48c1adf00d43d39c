// Command vdirtool inspects and checks vdirs, the calendar and contact directories that
// khal, khard, todoman and pimsync read and write.
//
// Data goes to standard output as JSON lines (one object per line, fields documented in
// docs/json.md) unless standard output is a terminal, where a table is printed instead;
// --json forces JSON. Logs go to standard error.
//
// Exit status: 0 on success, 1 when something failed or (for check) problems were found,
// 2 on usage errors.
package main

import (
	"github.com/pimsync-go/libsync/cli"
)

// version is set at build time by scripts/build.
var version = "devel"

// grammar is vdirtool's command line.
type grammar struct {
	cli.Globals
	Ext string `placeholder:"EXT" help:"Item file extension, without the dot (default: ics or vcf, whichever the directory holds more of)."`

	Collections collectionsCmd    `cmd:"" help:"List the collections of a storage root with their metadata."`
	Ls          lsCmd             `cmd:"" help:"List the items of a collection with their UID, etag and component."`
	Check       checkCmd          `cmd:"" help:"Report problems in a storage root or a collection."`
	Show        showCmd           `cmd:"" help:"Show an item: UID, component, summary, start and recurrence."`
	Stats       statsCmd          `cmd:"" help:"Count the items of each collection by component, with sizes and the oldest and newest start."`
	Props       propsCmd          `cmd:"" help:"Read or write a collection's metadata (displayname, color, description, order)."`
	Repair      repairCmd         `cmd:"" help:"Give new UIDs to items without one or sharing one, changing only the UID line."`
	Split       splitCmd          `cmd:"" help:"Write each item of an .ics or .vcf file into a collection as its own file."`
	Cat         catCmd            `cmd:"" help:"Print a collection's items joined into one .ics or .vcf file."`
	Completion  cli.CompletionCmd `cmd:"" help:"Print the completion script for bash, zsh or fish."`
	Version     cli.VersionCmd    `cmd:"" help:"Print the version."`
}

var tool = cli.Tool{
	Name:        "vdirtool",
	Description: "Inspect and check vdirs (calendar and contact directories).",
	Version:     version,
}

func main() {
	tool.Main(&grammar{})
}
