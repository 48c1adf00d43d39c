package main

import (
	"net/url"
	"path"
	"sort"
	"strings"

	"github.com/pimsync-go/libsync/cli"
	"github.com/pimsync-go/libsync/dav"
)

type collectionsCmd struct {
	URL string `arg:"" optional:"" help:"Server, principal or home set URL; - reads JSON lines (pimsync-discover's); default: the base URL."`
}

// collectionOut is one line of `davcli collections`.
type collectionOut struct {
	URL         string `json:"url"`
	Href        string `json:"href"`
	ID          string `json:"id"`
	Kind        string `json:"kind"`
	DisplayName string `json:"displayname"`
	Color       string `json:"color"`
	Description string `json:"description"`
	Order       string `json:"order"`
	CTag        string `json:"getctag"`
	Token       string `json:"token"`
}

// Run lists the collections of both kinds (or of the kind an input line names) in the
// home sets found from each URL.
func (cmd *collectionsCmd) Run(e *cli.Env, g *grammar) error {
	cn, err := g.connect(e.Ctx)
	if err != nil {
		return err
	}
	arg := cmd.URL
	if arg == "" {
		if cn.base == nil {
			return &cli.UsageError{Err: errNoURL}
		}
		arg = cn.base.String()
	}
	return cn.forEach(e, arg, anyURL, []string{"KIND", "ID", "DISPLAYNAME", "URL"}, func(p *cli.Printer, t target) error {
		kinds := []dav.Kind{dav.Calendars, dav.AddressBooks}
		if t.kind != 0 {
			kinds = []dav.Kind{t.kind} // a pimsync-discover line names one service
		}
		for _, k := range kinds {
			cols, err := collections(e, cn, k, t.url)
			if err != nil {
				return err
			}
			for _, c := range cols {
				if err := p.Emit(c, c.Kind, c.ID, c.DisplayName, c.URL); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// collections lists the collections of kind in the home set found from u, in URL order.
func collections(e *cli.Env, cn *conn, kind dav.Kind, u string) ([]collectionOut, error) {
	home, err := cn.c.HomeSet(e.Ctx, kind, u)
	if err != nil {
		return nil, err
	}
	cols, err := cn.c.Collections(e.Ctx, kind, home)
	if err != nil {
		return nil, err
	}
	base, err := url.Parse(home)
	if err != nil {
		return nil, err
	}
	out := make([]collectionOut, 0, len(cols))
	for _, c := range cols {
		cu, err := base.Parse(c.Href)
		if err != nil {
			continue
		}
		id := path.Base(strings.TrimSuffix(cu.Path, "/"))
		out = append(out, collectionOut{URL: cu.String(), Href: c.Href, ID: id, Kind: kindName(kind),
			DisplayName: c.Props["displayname"], Color: c.Props["color"], Description: c.Props["description"],
			Order: c.Props["order"], CTag: c.CTag, Token: c.SyncToken})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].URL < out[j].URL })
	return out, nil
}
