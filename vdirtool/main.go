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
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/alecthomas/kong"
)

// version is set at build time by scripts/build.
var version = "devel"

// Exit statuses.
const (
	exitOK       = 0
	exitFailure  = 1 // an error, or check found problems
	exitUsage    = 2
	exitProblems = exitFailure
)

// globals are the flags every command takes.
type globals struct {
	Verbosity string           `short:"v" enum:"error,warn,info,debug" default:"warn" help:"Log level on standard error: ${enum}."`
	JSON      bool             `help:"Print JSON lines even when standard output is a terminal."`
	Ext       string           `placeholder:"EXT" help:"Item file extension, without the dot (default: ics or vcf, whichever the directory holds more of)."`
	Version   kong.VersionFlag `short:"V" help:"Print the version and exit."`
}

type cli struct {
	globals
	Collections collectionsCmd `cmd:"" help:"List the collections of a storage root with their metadata."`
	Ls          lsCmd          `cmd:"" help:"List the items of a collection with their UID, etag and component."`
	Check       checkCmd       `cmd:"" help:"Report problems in a storage root or a collection."`
}

// env is what a command runs with: the context, the output, and the global flags.
type env struct {
	ctx    context.Context
	stdout io.Writer
	g      *globals
}

// errProblems tells run that the command printed problems: exit status 1, no message.
var errProblems = errors.New("problems found")

// exitCode carries kong's exit request (after --help or --version) out of the parser.
type exitCode int

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run parses args, runs the command and returns the exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) (code int) {
	var c cli
	parser, err := kong.New(&c,
		kong.Name("vdirtool"),
		kong.Description("Inspect and check vdirs (calendar and contact directories)."),
		kong.Vars{"version": "vdirtool " + version},
		kong.Writers(stdout, stderr),
		kong.Exit(func(code int) { panic(exitCode(code)) }),
		kong.ConfigureHelp(kong.HelpOptions{Compact: true}),
	)
	if err != nil {
		fmt.Fprintf(stderr, "vdirtool: %v\n", err)
		return exitFailure
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
	kctx, err := parser.Parse(args)
	if err != nil {
		fmt.Fprintf(stderr, "vdirtool: %v\nRun 'vdirtool --help' for usage.\n", err)
		return exitUsage
	}

	var level slog.Level
	level.UnmarshalText([]byte(c.Verbosity))
	slog.SetDefault(slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level})))

	err = kctx.Run(&env{ctx: ctx, stdout: stdout, g: &c.globals})
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, errProblems):
		return exitProblems
	default:
		fmt.Fprintf(stderr, "vdirtool: %v\n", err)
		return exitFailure
	}
}
