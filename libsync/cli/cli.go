// Package cli holds what the command lines of all the tools share: parsing with kong,
// exit statuses, logging to standard error, and printing records as JSON lines or as a
// table. A tool declares its grammar (a struct embedding Globals, one field per command)
// and calls Main; tests call Run with their own writers.
package cli

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

// Exit statuses of every tool.
const (
	ExitOK      = 0 // success, and nothing to report
	ExitFailure = 1 // an error, or findings such as check's problems
	ExitUsage   = 2 // the command line is wrong
)

// ErrReported makes a command exit with ExitFailure without a further message: what
// went wrong was printed already (problems found, items that failed one by one).
var ErrReported = errors.New("failures reported above")

// UsageError marks an error as the user's to fix before anything can run (a broken
// configuration, an unknown name on the command line): the tool exits with ExitUsage.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// LevelTrace is below debug: it may log item data and credentials, so nothing logs at it
// unless asked for by -v trace.
const LevelTrace = slog.LevelDebug - 4

// Globals are the flags every tool takes. Embed it in the grammar struct.
type Globals struct {
	Verbosity string           `short:"v" enum:"error,warn,info,debug,trace" default:"warn" help:"Log level on standard error: ${enum}."`
	JSON      bool             `help:"Print JSON lines even when standard output is a terminal."`
	Version   kong.VersionFlag `short:"V" help:"Print the version and exit."`
}

func (g *Globals) globals() *Globals { return g }

// grammar is any struct that embeds Globals.
type grammar interface{ globals() *Globals }

// Env is what a command's Run method receives.
type Env struct {
	Ctx context.Context
	// Stdin is what commands that read standard input read (a "-" argument): the
	// Tool's Stdin, or the process's.
	Stdin   io.Reader
	Stdout  io.Writer
	Stderr  io.Writer
	Name    string // the tool's name
	Version string // the tool's version
	// JSON is set when records must be JSON lines: --json, or stdout is no terminal.
	JSON bool
}

// Tool describes a tool's command line.
type Tool struct {
	Name        string
	Description string
	Version     string
	// Stdin replaces the process's standard input for Run; tests set it to feed one
	// command's output to the next, as a shell pipeline would.
	Stdin io.Reader
}

// exitCode carries kong's exit request (after --help or --version) out of the parser.
type exitCode int

// Main runs the tool with the process's arguments and streams, stops on SIGINT or
// SIGTERM through the context, and exits with the tool's status.
func (t Tool) Main(g grammar) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := t.Run(ctx, g, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// KongOptions are the options Run builds the tool's kong parser with, apart from where
// it writes and how it exits: the name, the description, the variables that help texts
// may use (${version}) and the help layout. Tests that build a parser of the grammar
// themselves (clitest.CheckManPage) start from them, so that they see the model the
// tool has.
func (t Tool) KongOptions() []kong.Option {
	return []kong.Option{
		kong.Name(t.Name),
		kong.Description(t.Description),
		kong.Vars{"version": t.Name + " " + t.Version},
		kong.ConfigureHelp(kong.HelpOptions{Compact: true}),
	}
}

// Run parses args into g, sets up logging, runs the selected command's Run method and
// returns the exit status: a parse error is ExitUsage with a hint, an error from the
// command is printed and ExitFailure. A shell's completion request (see CompletionCmd)
// is answered instead of parsed. Run methods may take the *Env and g itself (as its
// own pointer type), for flags the tool adds beside Globals.
func (t Tool) Run(ctx context.Context, g grammar, args []string, stdout, stderr io.Writer) (code int) {
	if len(args) > 0 && args[0] == completeArg {
		return t.complete(g, args[1:], stdout)
	}
	parser, err := kong.New(g, append(t.KongOptions(),
		kong.Writers(stdout, stderr),
		kong.Exit(func(code int) { panic(exitCode(code)) }),
	)...)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", t.Name, err)
		return ExitFailure
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
		fmt.Fprintf(stderr, "%s: %v\nRun '%s --help' for usage.\n", t.Name, err, t.Name)
		return ExitUsage
	}

	flags := g.globals()
	level := LevelTrace
	if flags.Verbosity != "trace" {
		level.UnmarshalText([]byte(flags.Verbosity))
	}
	slog.SetDefault(slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level,
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.LevelKey && a.Value.Any().(slog.Level) == LevelTrace {
				a.Value = slog.StringValue("TRACE")
			}
			return a
		}})))

	var stdin io.Reader = os.Stdin
	if t.Stdin != nil {
		stdin = t.Stdin
	}
	env := &Env{Ctx: ctx, Stdin: stdin, Stdout: stdout, Stderr: stderr, Name: t.Name, Version: t.Version,
		JSON: flags.JSON || !IsTerminal(stdout)}
	switch err := kctx.Run(env, g); {
	case err == nil:
		return ExitOK
	case errors.Is(err, ErrReported):
		return ExitFailure
	case errors.As(err, new(*UsageError)):
		fmt.Fprintf(stderr, "%s: %v\n", t.Name, err)
		return ExitUsage
	default:
		fmt.Fprintf(stderr, "%s: %v\n", t.Name, err)
		return ExitFailure
	}
}

// VersionCmd is the "version" command: it prints the tool's name and version.
type VersionCmd struct{}

// Run prints the version.
func (VersionCmd) Run(e *Env) error {
	_, err := fmt.Fprintf(e.Stdout, "%s %s\n", e.Name, e.Version)
	return err
}

// IsTerminal reports whether w is a terminal: a person is watching, so progress lines
// and tables are welcome. /dev/null is a character device but no terminal.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && isTerminal(f)
}
