package main

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/pimsync-go/libsync/cli"
	"github.com/pimsync-go/libsync/discover"
)

// serviceOut is one line of output: a service found (docs/json.md).
type serviceOut struct {
	Service     string          `json:"service"`
	FoundBy     string          `json:"found_by"`
	ContextURL  string          `json:"context_url"`
	Principal   string          `json:"principal"`
	HomeSet     string          `json:"home_set"`
	Collections []collectionOut `json:"collections"`
}

// collectionOut is a collection of a serviceOut.
type collectionOut struct {
	ID          string   `json:"id"`
	Href        string   `json:"href"`
	DisplayName string   `json:"displayname"`
	Color       string   `json:"color"`
	Description string   `json:"description"`
	Components  []string `json:"components"`
	CTag        bool     `json:"ctag"`
	SyncToken   bool     `json:"sync_token"`
}

// collectionFields are collectionOut's JSON names, which docs/json.md lists in text.
var collectionFields = []string{"id", "href", "displayname", "color", "description", "components", "ctag", "sync_token"}

func outOf(s discover.Service) serviceOut {
	out := serviceOut{Service: s.Service, FoundBy: s.FoundBy, ContextURL: s.ContextURL, Principal: s.Principal,
		HomeSet: s.HomeSet, Collections: []collectionOut{}}
	for _, c := range s.Collections {
		comps := c.Components
		if comps == nil {
			comps = []string{} // an array in JSON, never null
		}
		out.Collections = append(out.Collections, collectionOut{ID: c.ID, Href: c.Href, DisplayName: c.DisplayName,
			Color: c.Color, Description: c.Description, Components: comps, CTag: c.CTag, SyncToken: c.SyncToken})
	}
	return out
}

// printServices writes one JSON line per service, or for people a summary of each.
func printServices(e *cli.Env, found []discover.Service) error {
	if e.JSON {
		p := cli.NewPrinter(e)
		for _, s := range found {
			if err := p.Emit(outOf(s)); err != nil {
				return err
			}
		}
		return p.Flush()
	}
	for i, s := range found {
		if i > 0 {
			fmt.Fprintln(e.Stdout)
		}
		if err := summary(e, outOf(s)); err != nil {
			return err
		}
	}
	return nil
}

var foundBy = map[string]string{"url": "the URL given", "srv": "DNS SRV", "well-known": "the well-known URL"}

// summary writes a service as a few lines and a table of its collections.
func summary(e *cli.Env, s serviceOut) error {
	what := "calendar"
	if s.Service == discover.CardDAV {
		what = "address book"
	}
	if len(s.Collections) != 1 {
		what += "s"
	}
	principal := s.Principal
	if principal == "" {
		principal = "(not named)"
	}
	fmt.Fprintf(e.Stdout, "%s, found through %s\n  context:    %s\n  principal:  %s\n  home set:   %s\n  %d %s",
		s.Service, foundBy[s.FoundBy], s.ContextURL, principal, s.HomeSet, len(s.Collections), what)
	if len(s.Collections) == 0 {
		_, err := fmt.Fprintln(e.Stdout)
		return err
	}
	fmt.Fprintln(e.Stdout, ":")
	tw := tabwriter.NewWriter(e.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "    ID\tDISPLAYNAME\tCOLOR\tCOMPONENTS\tCTAG\tSYNC-TOKEN\tURL")
	clean := strings.NewReplacer("\t", " ", "\n", " ", "\r", " ")
	for _, c := range s.Collections {
		fmt.Fprintf(tw, "    %s\t%s\t%s\t%s\t%s\t%s\t%s\n", clean.Replace(c.ID), clean.Replace(c.DisplayName), clean.Replace(c.Color),
			strings.Join(c.Components, ","), yesNo(c.CTag), yesNo(c.SyncToken), c.Href)
	}
	return tw.Flush()
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
