package main

import (
	"log/slog"
	"os"
	"strconv"
	"strings"

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
	if len(cols) == 0 {
		hintLevel(cmd.Root, extFor(g, cmd.Root), false)
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

// hintLevel says, when a command found nothing, that dir seems to be one level off:
// a collection given where a storage root was wanted (inCollection false), or a root
// where a collection was (true). Printing nothing at all would look like an empty vdir.
func hintLevel(dir, ext string, inCollection bool) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, en := range entries {
		switch {
		case inCollection && en.IsDir() && !strings.HasPrefix(en.Name(), "."):
			slog.Warn("no items here, but directories: this looks like a storage root (vdirtool collections lists its collections)", "path", dir)
			return
		case !inCollection && !en.IsDir() && strings.HasSuffix(en.Name(), "."+ext):
			slog.Warn("no collections here, but items: this looks like a collection (vdirtool ls lists its items; its parent is the storage root)", "path", dir)
			return
		}
	}
}

// warnSkipped logs the files a listing left out, so nothing disappears silently.
func warnSkipped(l vdir.Listing) {
	for _, p := range l.Skipped {
		slog.Warn("item skipped", "path", p.Path, "problem", p.Code, "detail", p.Detail)
	}
}
