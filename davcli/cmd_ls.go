package main

import (
	"fmt"
	"log/slog"
	"net/url"

	"github.com/pimsync-go/libsync/cli"
	"github.com/pimsync-go/libsync/dav"
	"github.com/pimsync-go/libsync/repair"
	"github.com/pimsync-go/libvdir/item"
)

type lsCmd struct {
	Collection string `arg:"" help:"Collection URL or href; - reads JSON lines (collections', pimsync-discover's)."`
	UID        bool   `help:"Also fetch the items (multiget) and show each one's UID and component."`
}

// itemOut is one line of `davcli ls`.
type itemOut struct {
	URL         string `json:"url"`
	Href        string `json:"href"`
	Collection  string `json:"collection"`
	Etag        string `json:"etag"`
	ContentType string `json:"content_type"`
	UID         string `json:"uid"`
	Component   string `json:"component"`
}

// Run lists each collection's items, and with --uid reads their UIDs.
func (cmd *lsCmd) Run(e *cli.Env, g *grammar) error {
	cn, err := g.connect(e.Ctx)
	if err != nil {
		return err
	}
	return cn.forEach(e, cmd.Collection, collectionURL, []string{"UID", "ETAG", "HREF"}, func(p *cli.Printer, t target) error {
		res, err := cn.c.List(e.Ctx, t.url)
		if err != nil {
			return fmt.Errorf("ls: %w", err)
		}
		base, err := url.Parse(t.url)
		if err != nil {
			return err
		}
		out := make([]itemOut, len(res))
		for i, r := range res {
			u, err := base.Parse(r.Href)
			if err != nil {
				return fmt.Errorf("ls %s: href %q: %w", t.url, r.Href, err)
			}
			out[i] = itemOut{URL: u.String(), Href: r.Href, Collection: t.url, Etag: r.Etag, ContentType: r.ContentType}
		}
		failed := 0
		if cmd.UID && len(res) > 0 {
			failed = fetchUIDs(e, cn, cn.kindOf(e.Ctx, t.url, t.kind, res), t.url, out)
		}
		for _, o := range out {
			if err := p.Emit(o, o.UID, o.Etag, o.Href); err != nil {
				return err
			}
		}
		if failed > 0 {
			return fmt.Errorf("ls %s: %d items could not be read", t.url, failed)
		}
		return nil
	})
}

// fetchUIDs fills in each item's UID and component, fetching them with multigets of
// repair.DefaultBatch items. It returns how many could not be read (each is logged).
func fetchUIDs(e *cli.Env, cn *conn, kind dav.Kind, collURL string, out []itemOut) int {
	failed := 0
	for start := 0; start < len(out); start += repair.DefaultBatch {
		chunk := out[start:min(len(out), start+repair.DefaultBatch)]
		hrefs := make([]string, len(chunk))
		for i, o := range chunk {
			hrefs[i] = o.Href
		}
		got, err := cn.c.Multiget(e.Ctx, kind, collURL, hrefs)
		if err != nil {
			slog.Error("cannot read items", "collection", collURL, "err", err)
			return failed + len(out) - start
		}
		for i, f := range got {
			if f.Err != nil {
				slog.Error("cannot read item", "url", chunk[i].URL, "err", f.Err)
				failed++
				continue
			}
			info, err := item.Inspect(f.Data)
			if err != nil {
				slog.Warn("malformed item", "url", chunk[i].URL, "err", err)
			}
			chunk[i].UID, chunk[i].Component = info.UID, string(info.Kind)
		}
	}
	return failed
}
