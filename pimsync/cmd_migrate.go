package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/pimsync-go/libsync/cli"
	"github.com/pimsync-go/libsync/migrate"
)

// migrateCmd is "pimsync migrate-config": a vdirsyncer configuration in, an equivalent
// pimsync.conf out. It writes no file: the user reads the result, then puts it in place.
type migrateCmd struct {
	File string `arg:"" optional:"" complete:"files" help:"The vdirsyncer configuration (default: as vdirsyncer finds it: $VDIRSYNCER_CONFIG, ~/.vdirsyncer/config, $XDG_CONFIG_HOME/vdirsyncer/config); - reads standard input."`
}

// Run prints the translation on standard output and each warning, with the line of
// the vdirsyncer file it is about, on standard error. Warnings do not change the exit
// status (the output says the same in comments); a file that is not a vdirsyncer
// configuration is exit status 1.
func (c *migrateCmd) Run(e *cli.Env, g *grammar) error {
	if len(g.Pairs) > 0 {
		return &cli.UsageError{Err: fmt.Errorf("migrate-config translates a whole vdirsyncer configuration: -p %s does not apply", g.Pairs[0])}
	}
	file := c.File
	var data []byte
	var err error
	switch file {
	case "-":
		file = "(standard input)"
		data, err = io.ReadAll(e.Stdin)
	case "":
		if file, err = migrate.DefaultSource(); err != nil {
			return &cli.UsageError{Err: err}
		}
		fallthrough
	default:
		data, err = os.ReadFile(file)
		if errors.Is(err, fs.ErrNotExist) {
			return &cli.UsageError{Err: fmt.Errorf("no vdirsyncer configuration at %s", file)}
		}
	}
	if err != nil {
		return err
	}
	res, err := migrate.Convert(file, data)
	if err != nil {
		return err
	}
	if _, err := io.WriteString(e.Stdout, res.Config); err != nil {
		return err
	}
	for _, w := range res.Warnings {
		fmt.Fprintf(e.Stderr, "%s: warning: %s:%d: %s\n", e.Name, file, w.Line, w.Msg)
	}
	return nil
}
