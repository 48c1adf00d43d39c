package main

import (
	"log/slog"
	"path/filepath"
	"strconv"

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

func (cmd *lsCmd) Run(e *env) error {
	c, err := vdir.OpenCollection(cmd.Collection, extFor(e.g, cmd.Collection))
	if err != nil {
		return err
	}
	l, err := c.List(e.ctx)
	if err != nil {
		return err
	}
	warnSkipped(l)
	p := newPrinter(e, "UID", "COMPONENT", "SIZE", "PATH")
	failed := 0
	for _, entry := range l.Items {
		it, err := c.Get(e.ctx, entry.Name)
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
		if err := p.emit(out, out.UID, out.Component, strconv.FormatInt(out.Size, 10), out.Path); err != nil {
			return err
		}
	}
	if err := p.flush(); err != nil {
		return err
	}
	if failed > 0 {
		return errReported(failed)
	}
	return nil
}
