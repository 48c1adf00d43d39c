package main

import (
	"fmt"

	"github.com/pimsync-go/libsync/cli"
)

type getCmd struct {
	Href string `arg:"" help:"Item URL or href; - reads JSON lines (ls's) and writes each item in turn."`
}

// Run writes the item's bytes exactly as the server sent them: no JSON, no newline
// added, so that `davcli get URL > file` is the item.
func (cmd *getCmd) Run(e *cli.Env, g *grammar) error {
	cn, err := g.connect(e.Ctx)
	if err != nil {
		return err
	}
	// No header: get prints nothing through the Printer.
	return cn.forEach(e, cmd.Href, itemURL, nil, func(_ *cli.Printer, t target) error {
		data, _, err := cn.c.Get(e.Ctx, t.url)
		if err != nil {
			return fmt.Errorf("get: %w", err)
		}
		_, err = e.Stdout.Write(data)
		return err
	})
}
