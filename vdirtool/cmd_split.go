package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/pimsync-go/libsync/cli"
	vdir "github.com/pimsync-go/libvdir"
	"github.com/pimsync-go/libvdir/item"
)

type splitCmd struct {
	File       string `arg:"" complete:"files" help:"An .ics or .vcf file holding many items; - reads standard input."`
	Collection string `arg:"" type:"path" help:"Collection directory to write the items into; made when it is not there (its parent must be)."`
	Replace    bool   `help:"Replace an item whose UID the collection has already, instead of skipping it."`
}

// splitOut is one line of `vdirtool split`.
type splitOut struct {
	UID    string `json:"uid"`
	Action string `json:"action"`
	Path   string `json:"path"`
}

// collection opens the collection, making it first when it is not there: splitting a
// feed into a new calendar is the common case. Only the last directory is made, so a
// mistyped parent is an error, not a new tree.
func (cmd *splitCmd) collection(e *cli.Env, ext string) (*vdir.Collection, error) {
	if _, err := os.Stat(cmd.Collection); errors.Is(err, fs.ErrNotExist) {
		root, err := vdir.Open(filepath.Dir(cmd.Collection), ext)
		if err != nil {
			return nil, err
		}
		if _, err := root.CreateCollection(e.Ctx, filepath.Base(cmd.Collection)); err != nil {
			return nil, err
		}
	}
	return vdir.OpenCollection(cmd.Collection, ext)
}

// existing is an item of the collection, found by its UID.
type existing struct {
	name, etag, hash string
}

func (cmd *splitCmd) Run(e *cli.Env, g *grammar) error {
	data, err := cmd.read(e)
	if err != nil {
		return err
	}
	// The whole file is checked before anything is written: a truncated file must not
	// leave half its items in the collection.
	var pieces []item.Piece
	if err := item.SplitBytes(data, func(p item.Piece) error {
		pieces = append(pieces, p)
		return nil
	}); err != nil {
		return fmt.Errorf("%s: %w", cmd.File, err)
	}
	ext := g.Ext
	if ext == "" {
		ext = "ics"
		if len(pieces) > 0 && pieces[0].Kind == item.Card {
			ext = "vcf"
		}
	}
	c, err := cmd.collection(e, ext)
	if err != nil {
		return err
	}
	have, err := uidIndex(e, c)
	if err != nil {
		return err
	}
	p := cli.NewPrinter(e, "ACTION", "UID", "PATH")
	failed := 0
	for _, piece := range pieces {
		out, err := cmd.write(e, c, have, piece)
		if err != nil {
			slog.Error("cannot write item", "uid", piece.UID, "err", err)
			failed++
			continue
		}
		if err := p.Emit(out, out.Action, out.UID, out.Path); err != nil {
			return err
		}
	}
	if err := p.Flush(); err != nil {
		return err
	}
	if failed > 0 {
		slog.Error("some items were not written", "failed", failed, "items", len(pieces))
		return cli.ErrReported
	}
	return nil
}

func (cmd *splitCmd) read(e *cli.Env) ([]byte, error) {
	if cmd.File == "-" {
		data, err := io.ReadAll(e.Stdin)
		if err != nil {
			return nil, fmt.Errorf("read standard input: %w", err)
		}
		return data, nil
	}
	return os.ReadFile(cmd.File)
}

// uidIndex reads the collection's items for their UIDs and content hashes.
func uidIndex(e *cli.Env, c *vdir.Collection) (map[string]existing, error) {
	l, err := c.List(e.Ctx)
	if err != nil {
		return nil, err
	}
	warnSkipped(l)
	have := map[string]existing{}
	for _, entry := range l.Items {
		it, err := c.Get(e.Ctx, entry.Name)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", filepath.Join(c.Path(), entry.Name), err)
		}
		if uid := item.UID(it.Data); uid != "" {
			if _, dup := have[uid]; !dup { // the first by name, as repair keeps it
				have[uid] = existing{name: entry.Name, etag: it.Etag, hash: item.Hash(it.Data)}
			}
		}
	}
	return have, nil
}

// write creates the piece as a new item, or replaces (--replace) or skips the item
// with its UID. Both writes are atomic, and a replacement only of the version read.
func (cmd *splitCmd) write(e *cli.Env, c *vdir.Collection, have map[string]existing, p item.Piece) (splitOut, error) {
	out := splitOut{UID: p.UID}
	old, ok := have[p.UID]
	switch {
	case ok && item.Hash(p.Data) == old.hash:
		out.Action, out.Path = "unchanged", filepath.Join(c.Path(), old.name)
	case ok && !cmd.Replace:
		out.Action, out.Path = "exists", filepath.Join(c.Path(), old.name)
	case ok:
		out.Action, out.Path = "replace", filepath.Join(c.Path(), old.name)
		if _, err := c.Update(e.Ctx, old.name, old.etag, p.Data); err != nil {
			return out, err
		}
	default:
		name := vdir.SafeName(p.UID, c.Ext())
		out.Action, out.Path = "create", filepath.Join(c.Path(), name)
		_, err := c.Create(e.Ctx, name, p.Data)
		if errors.Is(err, vdir.ErrExists) {
			return out, fmt.Errorf("%s is taken by an item with another UID: %w", out.Path, err)
		}
		if err != nil {
			return out, err
		}
	}
	return out, nil
}
