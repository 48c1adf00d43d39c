package main

import (
	"bytes"
	"log/slog"
	"path/filepath"

	"github.com/pimsync-go/libsync/cli"
	vdir "github.com/pimsync-go/libvdir"
	"github.com/pimsync-go/libvdir/item"
)

type catCmd struct {
	Collection string `arg:"" type:"existingdir" help:"Collection directory."`
}

// Run writes the collection's items as one file: one VCALENDAR (or the vCards one
// after another), each item's lines as it has them. Items that do not parse are left
// out with an error, so the file written is always one that parses.
func (cmd *catCmd) Run(e *cli.Env, g *grammar) error {
	c, err := vdir.OpenCollection(cmd.Collection, extFor(g, cmd.Collection))
	if err != nil {
		return err
	}
	l, err := c.List(e.Ctx)
	if err != nil {
		return err
	}
	warnSkipped(l)
	var datas [][]byte
	failed := 0
	for _, entry := range l.Items {
		path := filepath.Join(c.Path(), entry.Name)
		it, err := c.Get(e.Ctx, entry.Name)
		if err == nil {
			// Join would refuse the whole collection for one bad item.
			err = item.SplitBytes(it.Data, func(item.Piece) error { return nil })
		}
		if err != nil {
			slog.Error("item left out", "path", path, "err", err)
			failed++
			continue
		}
		datas = append(datas, it.Data)
	}
	var buf bytes.Buffer
	if err := item.Join(&buf, datas); err != nil {
		return err
	}
	if _, err := e.Stdout.Write(buf.Bytes()); err != nil {
		return err
	}
	if failed > 0 {
		return cli.ErrReported
	}
	return nil
}
