// Command pimsync keeps calendars and address books in sync between pairs of storages
// (vdirs, CalDAV, CardDAV, webcal feeds and single .ics or .vcf files), reading the same
// pimsync.conf as the Rust pimsync.
package main

import "github.com/pimsync-go/libsync/cli"

// version is set at build time by scripts/build.
var version = "devel"

// grammar is pimsync's command line.
type grammar struct {
	cli.Globals
	Config string   `short:"c" placeholder:"FILE" help:"Configuration file (default: $XDG_CONFIG_HOME/pimsync/pimsync.conf, else ~/.config/pimsync/pimsync.conf)."`
	Pairs  []string `short:"p" sep:"none" name:"pair" placeholder:"PAIR" complete:"pairs" help:"A pair (or PAIR/COLLECTION) to work on, as if named after the command; repeatable."`

	Check            checkCmd          `cmd:"" help:"Check the configuration: it parses, its commands run, its storages open."`
	Discover         discoverCmd       `cmd:"" help:"Show each pair's collections on both sides and how they map."`
	Sync             syncCmd           `cmd:"" help:"Sync pairs once."`
	ResolveConflicts resolveCmd        `cmd:"" name:"resolve-conflicts" help:"Settle conflicts with the pair's conflict_resolution command."`
	Daemon           daemonCmd         `cmd:"" help:"Keep pairs in sync: on local changes and every interval, until SIGTERM."`
	Status           statusCmd         `cmd:"" help:"Show each pair's last sync, items, conflicts and errors, and whether a daemon runs it."`
	Repair           repairCmd         `cmd:"" help:"Give new UIDs to a storage's items that have none or share one; only the UID lines change."`
	MigrateConfig    migrateCmd        `cmd:"" name:"migrate-config" help:"Translate a vdirsyncer configuration into pimsync.conf, printed on standard output; what has no equivalent becomes a comment and a warning."`
	Completion       cli.CompletionCmd `cmd:"" help:"Print the completion script for bash, zsh or fish."`
	Version          cli.VersionCmd    `cmd:"" help:"Print the version."`
}

var tool = cli.Tool{
	Name:        "pimsync",
	Description: "Synchronise calendars and contacts between pairs of storages.",
	Version:     version,
}

func main() {
	addSpareProcs()
	deferFirstGC()
	tool.Main(&grammar{})
}
