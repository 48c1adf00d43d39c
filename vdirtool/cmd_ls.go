package main

import (
	"log/slog"
	"path/filepath"
	"strconv"

	"github.com/pimsync-go/libsync/cli"
	vdir "github.com/pimsync-go/libvdir"
	"github.com/pimsync-go/libvdir/item"
)

type lsCmd struct {
	Collection string `arg:"" type:"existingdir" help:"Collection directory."`
}

// itemOut is one line of `vdirtool ls`.
type itemOut struct {
	Path      string `json:"path"`
	UID       string `json:"uid"`
	Etag      string `json:"etag"`
	Component string `json:"component"`
	Size      int64  `json:"size"`
}

func (cmd *lsCmd) Run(e *cli.Env, g *grammar) error {
	c, err := vdir.OpenCollection(cmd.Collection, extFor(g, cmd.Collection))
	if err != nil {
		return err
	}
	l, err := c.List(e.Ctx)
	if err != nil {
		return err
	}
	warnSkipped(l)
	if len(l.Items) == 0 && len(l.Skipped) == 0 {
		hintLevel(cmd.Collection, extFor(g, cmd.Collection), true)
	}
	p := cli.NewPrinter(e, "UID", "COMPONENT", "SIZE", "PATH")
	failed := 0
	for _, entry := range l.Items {
		it, err := c.Get(e.Ctx, entry.Name)
		if err != nil {
			// Gone or unreadable since the listing: say so and go on with the rest.
			slog.Error("cannot read item", "err", err)
			failed++
			continue
		}
		info, err := item.Inspect(it.Data)
		if err != nil {
			slog.Warn("malformed item", "path", filepath.Join(c.Path(), entry.Name), "err", err)
		}
		out := itemOut{Path: filepath.Join(c.Path(), entry.Name), UID: info.UID, Etag: it.Etag,
			Component: string(info.Kind), Size: int64(len(it.Data))}
		if err := p.Emit(out, out.UID, out.Component, strconv.FormatInt(out.Size, 10), out.Path); err != nil {
			return err
		}
	}
	if err := p.Flush(); err != nil {
		return err
	}
	if failed > 0 {
		slog.Error("some items could not be read", "failed", failed, "listed", len(l.Items))
		return cli.ErrReported
	}
	return nil
}
