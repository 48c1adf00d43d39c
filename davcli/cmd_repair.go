package main

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"

	"github.com/pimsync-go/libsync/cli"
	"github.com/pimsync-go/libsync/dav"
	"github.com/pimsync-go/libsync/repair"
	"github.com/pimsync-go/libsync/storage"
	"github.com/pimsync-go/libsync/storage/davstore"
)

type repairCmd struct {
	Collection string `arg:"" help:"Collection URL or href; - reads JSON lines: collections' lines repair those collections, ls lines only the items they name."`
	DryRun     bool   `short:"n" name:"dry-run" help:"Show what would be repaired; write nothing."`
}

// repairOut is one line of `davcli repair`.
type repairOut struct {
	Collection string `json:"collection"`
	URL        string `json:"url"`
	Href       string `json:"href"`
	Problem    string `json:"problem"`
	OldUID     string `json:"old_uid"`
	UID        string `json:"uid"`
	Kept       string `json:"kept"`
	Etag       string `json:"etag"`
	Written    bool   `json:"written"`
	MovedTo    string `json:"moved_to"`
	Error      string `json:"error"`
}

// Run repairs each collection (or only the items input lines name) through davstore
// and package repair, and prints one line per item repaired.
func (cmd *repairCmd) Run(e *cli.Env, g *grammar) error {
	cn, err := g.connect(e.Ctx)
	if err != nil {
		return err
	}
	return cn.forEach(e, cmd.Collection, collectionURL, []string{"PROBLEM", "OLD UID", "NEW UID", "HREF", "ERROR"}, func(p *cli.Printer, t target) error {
		base, err := url.Parse(t.url)
		if err != nil {
			return err
		}
		kind := cn.kindOf(e.Ctx, t.url, t.kind, nil)
		// A storage whose home set is the collection itself: davstore then reads
		// and writes it as a sync would (multiget, If-Match).
		st, err := davstore.Known(cn.c, kind, t.url, t.url, false)
		if err != nil {
			return fmt.Errorf("repair %s: %w", t.url, err)
		}
		col, err := st.Collection(e.Ctx, base.EscapedPath())
		if err != nil {
			return fmt.Errorf("repair %s: %w", t.url, err)
		}
		opt := repair.Options{DryRun: cmd.DryRun}
		abs := func(href string) string {
			if u, err := base.Parse(href); err == nil {
				return u.String()
			}
			return href
		}
		if t.items != nil {
			only := map[string]bool{}
			for _, it := range t.items {
				only[it] = true
			}
			opt.Only = func(href string) bool { return only[abs(href)] }
		}
		rep, err := repair.Collection(e.Ctx, col, opt)
		if err != nil {
			return fmt.Errorf("repair %s: %w", t.url, err)
		}
		for _, s := range rep.Skipped {
			slog.Warn("not repaired", "url", abs(s.Href), "reason", s.Reason)
		}
		for _, r := range rep.Results {
			out := repairOut{Collection: t.url, URL: abs(r.Href), Href: r.Href, Problem: r.Problem, OldUID: r.OldUID,
				UID: r.UID, Kept: r.Kept, Etag: r.NewEtag, Written: r.Written}
			if r.MovedTo != "" {
				out.MovedTo = abs(r.MovedTo)
			}
			if r.Err != nil {
				out.Error = repairError(out.URL, r).Error()
				fmt.Fprintf(e.Stderr, "%s: %s\n", e.Name, out.Error)
			}
			if err := p.Emit(out, out.Problem, out.OldUID, out.UID, out.Href, out.Error); err != nil {
				return err
			}
		}
		if n := rep.Failed(); n > 0 {
			return fmt.Errorf("repair %s: %d of %d items not repaired", t.url, n, len(rep.Results))
		}
		return nil
	})
}

// repairError says why a fix was not written, naming the item and the etag it was
// read at.
func repairError(u string, r repair.Result) error {
	var se *dav.StatusError
	switch {
	case errors.Is(r.Err, storage.ErrPrecondition):
		return fmt.Errorf("repair %s: the item is no longer at etag %s: it changed or was deleted after it was read (412 Precondition Failed); run repair again", u, r.Etag)
	case errors.As(r.Err, &se) && se.Code == http.StatusConflict:
		// Radicale refuses any PUT that changes the UID of an item at the same href.
		return fmt.Errorf("repair %s: the server refused the new UID (409 Conflict): some servers (Radicale) do not let an item's UID change in place: %w", u, r.Err)
	}
	return explain("repair", u, r.Etag, r.Err)
}
