package main

import (
	"errors"
	"fmt"
	"net/url"

	"github.com/pimsync-go/libsync/cli"
	"github.com/pimsync-go/libsync/dav"
)

type changesCmd struct {
	Collection string `arg:"" help:"Collection URL or href; - reads JSON lines (the last line of an earlier changes: its collection and token)."`
	Token      string `placeholder:"TOKEN" help:"The sync token to list changes since; none lists every item (RFC 6578's initial sync)."`
}

// changeOut is one line of `davcli changes`.
type changeOut struct {
	URL        string `json:"url"`
	Href       string `json:"href"`
	Collection string `json:"collection"`
	Etag       string `json:"etag"`
	Change     string `json:"change"`
	Token      string `json:"token"`
}

// Run prints what changed in each collection since its token, then the new token.
func (cmd *changesCmd) Run(e *cli.Env, g *grammar) error {
	cn, err := g.connect(e.Ctx)
	if err != nil {
		return err
	}
	return cn.forEach(e, cmd.Collection, collectionURL, []string{"CHANGE", "ETAG", "HREF"}, func(p *cli.Printer, t target) error {
		token := cmd.Token
		if token == "" {
			token = t.token
		}
		ch, err := cn.c.SyncCollection(e.Ctx, t.url, token)
		if errors.Is(err, dav.ErrInvalidToken) {
			return fmt.Errorf("changes %s: the server no longer knows token %q; run without --token to list every item: %w", t.url, token, err)
		}
		if err != nil {
			return fmt.Errorf("changes: %w", err)
		}
		base, err := url.Parse(t.url)
		if err != nil {
			return err
		}
		emit := func(href, etag, change string) error {
			o := changeOut{Href: href, Collection: t.url, Etag: etag, Change: change, Token: ch.Token}
			if href != "" {
				u, err := base.Parse(href)
				if err != nil {
					return fmt.Errorf("changes %s: href %q: %w", t.url, href, err)
				}
				o.URL = u.String()
			}
			return p.Emit(o, o.Change, o.Etag, o.Href)
		}
		for _, r := range ch.Changed {
			if err := emit(r.Href, r.Etag, "changed"); err != nil {
				return err
			}
		}
		for _, h := range ch.Deleted {
			if err := emit(h, "", "deleted"); err != nil {
				return err
			}
		}
		// The token line comes last, even when nothing changed: it is what the next
		// `changes -` starts from.
		return emit("", "", "token")
	})
}
