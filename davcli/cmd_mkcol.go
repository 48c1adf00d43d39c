package main

import (
	"errors"
	"fmt"

	"github.com/pimsync-go/libsync/cli"
	"github.com/pimsync-go/libsync/dav"
)

type mkcolCmd struct {
	URL         string `arg:"" help:"URL (or href) of the new collection."`
	Calendar    bool   `help:"Make a calendar (MKCALENDAR; the default)." xor:"kind"`
	Addressbook bool   `help:"Make an address book (extended MKCOL)." xor:"kind"`
	DisplayName string `name:"displayname" placeholder:"NAME" help:"Its display name."`
	Color       string `placeholder:"#RRGGBB" help:"Its color (calendars)."`
}

// mkcolOut is one line of `davcli mkcol`.
type mkcolOut struct {
	URL         string `json:"url"`
	Kind        string `json:"kind"`
	DisplayName string `json:"displayname"`
	Color       string `json:"color"`
}

// Run creates the collection, then sets the properties given.
func (cmd *mkcolCmd) Run(e *cli.Env, g *grammar) error {
	if cmd.URL == "-" {
		return &cli.UsageError{Err: errors.New("mkcol makes one collection; name its URL")}
	}
	cn, err := g.connect(e.Ctx)
	if err != nil {
		return err
	}
	u, err := cn.resolve(cmd.URL)
	if err != nil {
		return err
	}
	kind := dav.Calendars
	if cmd.Addressbook || !cmd.Calendar && cn.kind == dav.AddressBooks {
		kind = dav.AddressBooks
	}
	if err := cn.c.MakeCollection(e.Ctx, kind, u); err != nil {
		return fmt.Errorf("mkcol: %w", err)
	}
	for _, prop := range []struct{ name, value string }{{"displayname", cmd.DisplayName}, {"color", cmd.Color}} {
		if prop.value == "" {
			continue
		}
		if err := cn.c.SetProp(e.Ctx, kind, u, prop.name, prop.value); err != nil {
			return fmt.Errorf("mkcol %s: created, but setting %s failed: %w", u, prop.name, err)
		}
	}
	p := cli.NewPrinter(e, "KIND", "DISPLAYNAME", "URL")
	out := mkcolOut{URL: u, Kind: kindName(kind), DisplayName: cmd.DisplayName, Color: cmd.Color}
	if err := p.Emit(out, out.Kind, out.DisplayName, out.URL); err != nil {
		return err
	}
	return p.Flush()
}
