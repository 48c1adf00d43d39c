package main

import (
	"fmt"

	"github.com/pimsync-go/libsync/cli"
	"github.com/pimsync-go/libsync/dav"
)

type propsCmd struct {
	URL string `arg:"" help:"Collection URL or href; - reads JSON lines (collections')."`
}

// propsOut is one line of `davcli props`.
type propsOut struct {
	URL         string `json:"url"`
	Kind        string `json:"kind"`
	DisplayName string `json:"displayname"`
	Color       string `json:"color"`
	Description string `json:"description"`
	Order       string `json:"order"`
}

// Run prints each collection's synced properties.
func (cmd *propsCmd) Run(e *cli.Env, g *grammar) error {
	cn, err := g.connect(e.Ctx)
	if err != nil {
		return err
	}
	return cn.forEach(e, cmd.URL, anyURL, []string{"DISPLAYNAME", "COLOR", "ORDER", "URL"}, func(p *cli.Printer, t target) error {
		// The kind decides which description is read: calendar-description or
		// addressbook-description.
		kind := cn.kindOf(e.Ctx, t.url, t.kind, nil)
		props, err := cn.c.Props(e.Ctx, kind, t.url)
		if err != nil {
			return fmt.Errorf("props: %w", err)
		}
		out := propsOut{URL: t.url, Kind: kindName(kind), DisplayName: props["displayname"], Color: props["color"],
			Description: props["description"], Order: props["order"]}
		return p.Emit(out, out.DisplayName, out.Color, out.Order, out.URL)
	})
}

type proppatchCmd struct {
	URL   string `arg:"" help:"Collection URL or href; - reads JSON lines (collections') and sets the property on each."`
	Name  string `arg:"" enum:"displayname,color,description,order" help:"The property: ${enum}."`
	Value string `arg:"" help:"Its new value; \"\" removes it."`
}

// proppatchOut is one line of `davcli proppatch`.
type proppatchOut struct {
	URL   string `json:"url"`
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Run sets the property on each collection; SetProp reads it back.
func (cmd *proppatchCmd) Run(e *cli.Env, g *grammar) error {
	cn, err := g.connect(e.Ctx)
	if err != nil {
		return err
	}
	return cn.forEach(e, cmd.URL, anyURL, []string{"NAME", "VALUE", "URL"}, func(p *cli.Printer, t target) error {
		kind := dav.Calendars
		if cmd.Name == "description" {
			kind = cn.kindOf(e.Ctx, t.url, t.kind, nil) // the two kinds name it differently
		}
		if err := cn.c.SetProp(e.Ctx, kind, t.url, cmd.Name, cmd.Value); err != nil {
			return fmt.Errorf("proppatch %s %s: %w", t.url, cmd.Name, err)
		}
		out := proppatchOut{URL: t.url, Name: cmd.Name, Value: cmd.Value}
		return p.Emit(out, out.Name, out.Value, out.URL)
	})
}
