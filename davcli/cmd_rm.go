package main

import (
	"errors"
	"fmt"
	"net/url"

	"github.com/pimsync-go/libsync/cli"
)

type rmCmd struct {
	Href    string `arg:"" help:"Item URL or href; - reads JSON lines (ls's) and deletes each at the etag its line gives."`
	IfMatch string `name:"if-match" placeholder:"ETAG" help:"Delete only if the item's etag is still ETAG (If-Match)."`
	Force   bool   `help:"Delete without a condition, whatever the item's version."`
}

// Run deletes each item at its etag (or unconditionally with --force).
func (cmd *rmCmd) Run(e *cli.Env, g *grammar) error {
	if cmd.Force && cmd.IfMatch != "" {
		return &cli.UsageError{Err: errors.New("rm takes --if-match ETAG or --force, not both")}
	}
	if cmd.Href != "-" && !cmd.Force && cmd.IfMatch == "" {
		return &cli.UsageError{Err: errors.New("rm needs --if-match ETAG (delete that version only) or --force")}
	}
	cn, err := g.connect(e.Ctx)
	if err != nil {
		return err
	}
	return cn.forEach(e, cmd.Href, itemURL, []string{"ETAG", "URL"}, func(p *cli.Printer, t target) error {
		etag := cmd.IfMatch
		if etag == "" {
			etag = t.etag
		}
		if etag == "" && !cmd.Force {
			// An unconditional delete is never made by accident: a line without an
			// etag needs --force.
			return fmt.Errorf("rm %s: no etag on its input line; give --if-match or --force", t.url)
		}
		if cmd.Force {
			etag = ""
		}
		if err := cn.c.Delete(e.Ctx, t.url, etag); err != nil {
			return explain("rm", t.url, etag, err)
		}
		pu, _ := url.Parse(t.url)
		out := writeOut{URL: t.url, Href: pu.EscapedPath(), Etag: etag}
		return p.Emit(out, out.Etag, out.URL)
	})
}
