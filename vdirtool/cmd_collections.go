package main

import (
	"log/slog"
	"strconv"

	"github.com/pimsync-go/libsync/cli"
	vdir "github.com/pimsync-go/libvdir"
)

type collectionsCmd struct {
	Root string `arg:"" type:"existingdir" help:"Storage root: the directory that holds the collections."`
}

// collectionOut is one line of `vdirtool collections`.
type collectionOut struct {
	ID          string `json:"id"`
	Path        string `json:"path"`
	DisplayName string `json:"displayname"`
	Color       string `json:"color"`
	Description string `json:"description"`
	Order       string `json:"order"`
	Items       int    `json:"items"`
}

func (cmd *collectionsCmd) Run(e *cli.Env, g *grammar) error {
	s, err := vdir.Open(cmd.Root, extFor(g, cmd.Root))
	if err != nil {
		return err
	}
	cols, err := s.Collections(e.Ctx)
	if err != nil {
		return err
	}
	p := cli.NewPrinter(e, "ID", "ITEMS", "DISPLAYNAME", "COLOR", "ORDER", "PATH")
	for _, c := range cols {
		out := collectionOut{ID: c.ID(), Path: c.Path()}
		for key, dst := range map[vdir.MetaKey]*string{vdir.DisplayName: &out.DisplayName,
			vdir.Color: &out.Color, vdir.Description: &out.Description, vdir.Order: &out.Order} {
			if *dst, err = c.Meta(e.Ctx, key); err != nil {
				slog.Warn("cannot read metadata", "collection", c.Path(), "err", err)
			}
		}
		l, err := c.List(e.Ctx)
		if err != nil {
			return err
		}
		warnSkipped(l)
		out.Items = len(l.Items)
		if err := p.Emit(out, out.ID, strconv.Itoa(out.Items), out.DisplayName, out.Color, out.Order, out.Path); err != nil {
			return err
		}
	}
	return p.Flush()
}

// extFor returns the --ext flag, or the extension most files under dir carry.
func extFor(g *grammar, dir string) string {
	if g.Ext != "" {
		return g.Ext
	}
	if ext := vdir.DetectExt(dir); ext != "" {
		return ext
	}
	return "ics"
}

// warnSkipped logs the files a listing left out, so nothing disappears silently.
func warnSkipped(l vdir.Listing) {
	for _, p := range l.Skipped {
		slog.Warn("item skipped", "path", p.Path, "problem", p.Code, "detail", p.Detail)
	}
}
