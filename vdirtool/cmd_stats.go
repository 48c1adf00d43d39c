package main

import (
	"log/slog"
	"strconv"
	"strings"

	"github.com/pimsync-go/libsync/cli"
	vdir "github.com/pimsync-go/libvdir"
	"github.com/pimsync-go/libvdir/item"
)

type statsCmd struct {
	Path string `arg:"" type:"existingdir" help:"Storage root or collection directory."`
}

// statsOut is one line of `vdirtool stats`: one collection.
type statsOut struct {
	ID       string `json:"id"`
	Path     string `json:"path"`
	Items    int    `json:"items"`
	Events   int    `json:"events"`
	Todos    int    `json:"todos"`
	Journals int    `json:"journals"`
	Cards    int    `json:"cards"`
	Other    int    `json:"other"`
	Bytes    int64  `json:"bytes"`
	Largest  int64  `json:"largest"`
	Oldest   string `json:"oldest"`
	Newest   string `json:"newest"`
	Skipped  int    `json:"skipped"`
}

func (cmd *statsCmd) Run(e *cli.Env, g *grammar) error {
	cols, err := collectionsAt(e, g, cmd.Path)
	if err != nil {
		return err
	}
	p := cli.NewPrinter(e, "ID", "ITEMS", "EVENTS", "TODOS", "JOURNALS", "CARDS", "OTHER", "BYTES", "OLDEST", "NEWEST")
	failed := false
	for _, c := range cols {
		out, unread, err := collectionStats(e, c)
		if err != nil {
			return err
		}
		failed = failed || unread > 0
		if err := p.Emit(out, out.ID, strconv.Itoa(out.Items), strconv.Itoa(out.Events), strconv.Itoa(out.Todos),
			strconv.Itoa(out.Journals), strconv.Itoa(out.Cards), strconv.Itoa(out.Other),
			strconv.FormatInt(out.Bytes, 10), out.Oldest, out.Newest); err != nil {
			return err
		}
	}
	if err := p.Flush(); err != nil {
		return err
	}
	if failed {
		return cli.ErrReported
	}
	return nil
}

// collectionsAt opens path as a collection, or else as a storage root's collections.
func collectionsAt(e *cli.Env, g *grammar, path string) ([]*vdir.Collection, error) {
	ext := extFor(g, path)
	isColl, err := vdir.IsCollection(path, ext)
	if err != nil {
		return nil, err
	}
	if isColl {
		c, err := vdir.OpenCollection(path, ext)
		if err != nil {
			return nil, err
		}
		return []*vdir.Collection{c}, nil
	}
	s, err := vdir.Open(path, ext)
	if err != nil {
		return nil, err
	}
	return s.Collections(e.Ctx)
}

// collectionStats reads every item of c once. unread counts the items listed but not
// read: like ls, that is a failure, while files the listing leaves out on purpose
// (links out of the storage) are only counted in Skipped.
func collectionStats(e *cli.Env, c *vdir.Collection) (out statsOut, unread int, err error) {
	out = statsOut{ID: c.ID(), Path: c.Path()}
	l, err := c.List(e.Ctx)
	if err != nil {
		return out, 0, err
	}
	warnSkipped(l)
	out.Skipped = len(l.Skipped)
	for _, entry := range l.Items {
		it, err := c.Get(e.Ctx, entry.Name)
		if err != nil {
			slog.Error("cannot read item", "err", err)
			out.Skipped++
			unread++
			continue
		}
		out.Items++
		out.Bytes += int64(len(it.Data))
		out.Largest = max(out.Largest, int64(len(it.Data)))
		switch item.ComponentKind(it.Data) {
		case item.Event:
			out.Events++
		case item.Todo:
			out.Todos++
		case item.Journal:
			out.Journals++
		case item.Card:
			out.Cards++
		default:
			out.Other++
		}
		day := startDay(item.MainProps(it.Data, "DTSTART")["DTSTART"].Value)
		if day == "" {
			continue
		}
		if out.Oldest == "" || day < out.Oldest {
			out.Oldest = day
		}
		if day > out.Newest {
			out.Newest = day
		}
	}
	return out, unread, nil
}

// startDay turns a DTSTART value (20250314 or 20250314T100000Z) into 2025-03-14, or ""
// when it is not a date. Days compare as text, which is all stats needs; time zones
// are ignored, so an item may be off by a day, which a range of years does not show.
func startDay(v string) string {
	v = strings.TrimSpace(v)
	if len(v) < 8 {
		return ""
	}
	for _, c := range v[:8] {
		if c < '0' || c > '9' {
			return ""
		}
	}
	return v[:4] + "-" + v[4:6] + "-" + v[6:8]
}
