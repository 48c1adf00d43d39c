// Command pimsync-discover: Find CalDAV and CardDAV services from an email address, a domain or a URL (RFC 6764).
//
// The commands arrive with issue(s) 6; this build knows only "version".
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
	_, err := fmt.Fprintf(e.stdout, "pimsync-discover %s\n", version)
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
	parser, err := kong.New(&c, kong.Name("pimsync-discover"), kong.Description("Find CalDAV and CardDAV services from an email address, a domain or a URL (RFC 6764)."),
		kong.Writers(stdout, stderr), kong.Exit(func(code int) { panic(exitCode(code)) }))
	if err != nil {
		fmt.Fprintf(stderr, "pimsync-discover: %v\n", err)
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
		fmt.Fprintf(stderr, "pimsync-discover: %v\nRun 'pimsync-discover --help' for usage.\n", err)
		return 2
	}
	if err := ctx.Run(&env{stdout: stdout}); err != nil {
		fmt.Fprintf(stderr, "pimsync-discover: %v\n", err)
		return 1
	}
	return 0
}
