package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"

	"github.com/pimsync-go/libsync/cli"
	"github.com/pimsync-go/libsync/dav"
	"github.com/pimsync-go/libvdir/item"
)

type putCmd struct {
	Href    string `arg:"" help:"Item URL or href."`
	File    string `arg:"" optional:"" complete:"files" default:"-" help:"The item: a file, or - for standard input (the default)."`
	Create  bool   `help:"Create a new item; fails if one is there (If-None-Match: *)."`
	IfMatch string `name:"if-match" placeholder:"ETAG" help:"Replace the item only if its etag is still ETAG (If-Match)."`
}

// writeOut is one line of `davcli put` and `davcli rm`.
type writeOut struct {
	URL  string `json:"url"`
	Href string `json:"href"`
	Etag string `json:"etag"`
}

// Run stores the item with its condition and prints the new etag.
func (cmd *putCmd) Run(e *cli.Env, g *grammar) error {
	if cmd.Create == (cmd.IfMatch != "") {
		return &cli.UsageError{Err: errors.New("put needs --create (a new item) or --if-match ETAG (over that version), not both")}
	}
	if cmd.Href == "-" {
		return &cli.UsageError{Err: errors.New("put takes one href; standard input is for the item's bytes")}
	}
	cn, err := g.connect(e.Ctx)
	if err != nil {
		return err
	}
	u, err := cn.resolve(cmd.Href)
	if err != nil {
		return err
	}
	data, err := readItem(e, cmd.File)
	if err != nil {
		return err
	}
	info, ierr := item.Inspect(data)
	if ierr != nil {
		// The server may still take it; it says why when it does not.
		slog.Warn("the item is malformed", "file", cmd.File, "err", ierr)
	}
	kind := dav.Calendars
	if info.Kind == item.Card {
		kind = dav.AddressBooks
	}
	etag, err := cn.c.Put(e.Ctx, kind, u, cmd.IfMatch, data)
	if err != nil {
		return explain("put", u, cmd.IfMatch, err)
	}
	pu, _ := url.Parse(u)
	p := cli.NewPrinter(e, "ETAG", "URL")
	out := writeOut{URL: u, Href: pu.EscapedPath(), Etag: etag}
	if err := p.Emit(out, out.Etag, out.URL); err != nil {
		return err
	}
	return p.Flush()
}

// readItem reads the item to put from a file or standard input, up to the size a DAV
// response may have.
func readItem(e *cli.Env, file string) ([]byte, error) {
	r := e.Stdin
	if file != "-" {
		f, err := os.Open(file)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, dav.MaxResponse+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", file, err)
	}
	if len(data) > dav.MaxResponse {
		return nil, fmt.Errorf("%s is larger than %d MiB", file, dav.MaxResponse>>20)
	}
	return data, nil
}
