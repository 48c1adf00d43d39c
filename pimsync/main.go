// Command pimsync: Synchronise calendars and contacts between pairs of storages.
//
// The commands arrive with issue(s) 3 (sync core), 4 (CalDAV/CardDAV) and 5 (daemon); this build knows only "version".
package main

import (
	"fmt"
	"io"
	"os"

	"github.com/alecthomas/kong"
)

// version is set at build time by scripts/build.
var version = "devel"

type cli struct {
	Version versionCmd `cmd:"" help:"Print the version."`
}

type versionCmd struct{}

// env is what a command runs with.
type env struct{ stdout io.Writer }

func (versionCmd) Run(e *env) error {
	_, err := fmt.Fprintf(e.stdout, "pimsync %s\n", version)
	return err
}

// exitCode carries kong's exit request (after --help) out of the parser.
type exitCode int

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run parses args and runs the command: exit status 0 on success, 1 on failure, 2 on
// usage errors.
func run(args []string, stdout, stderr io.Writer) (code int) {
	var c cli
	parser, err := kong.New(&c, kong.Name("pimsync"), kong.Description("Synchronise calendars and contacts between pairs of storages."),
		kong.Writers(stdout, stderr), kong.Exit(func(code int) { panic(exitCode(code)) }))
	if err != nil {
		fmt.Fprintf(stderr, "pimsync: %v\n", err)
		return 1
	}
	defer func() {
		if r := recover(); r != nil {
			c, ok := r.(exitCode)
			if !ok {
				panic(r)
			}
			code = int(c)
		}
	}()
	ctx, err := parser.Parse(args)
	if err != nil {
		fmt.Fprintf(stderr, "pimsync: %v\nRun 'pimsync --help' for usage.\n", err)
		return 2
	}
	if err := ctx.Run(&env{stdout: stdout}); err != nil {
		fmt.Fprintf(stderr, "pimsync: %v\n", err)
		return 1
	}
	return 0
}
