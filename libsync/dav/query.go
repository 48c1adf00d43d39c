package dav

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// QueryComponents are the components a calendar-query can select by (RFC 4791 §9.7.1).
var QueryComponents = []string{"VEVENT", "VTODO", "VJOURNAL"}

// Filter selects calendar items on the server. The zero Filter selects every item of
// the QueryComponents.
type Filter struct {
	// Components are the main components wanted, upper case; nil means all of
	// QueryComponents.
	Components []string
	// Start and End bound a time-range (RFC 4791 §9.9): items that overlap
	// [Start, End). Both zero means no time-range; the server applies recurrence rules,
	// so a weekly meeting that began years ago is in range when one occurrence is.
	Start, End time.Time
}

// davTime is a time-range bound: UTC, as RFC 4791 §9.9 requires.
func davTime(t time.Time) string { return t.UTC().Format("20060102T150405Z") }

// queryBody is a calendar-query that asks only for etags: the items are fetched with a
// multiget later, as for a PROPFIND listing, so the bytes go through one code path.
func queryBody(comp string, f Filter) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="utf-8"?><C:calendar-query xmlns:D="DAV:" xmlns:C="` + nsCalDAV + `">`)
	b.WriteString(`<D:prop><D:getetag/><D:getcontenttype/></D:prop><C:filter><C:comp-filter name="VCALENDAR">`)
	b.WriteString(`<C:comp-filter name="` + escape(comp) + `">`)
	if !f.Start.IsZero() || !f.End.IsZero() {
		b.WriteString(`<C:time-range`)
		if !f.Start.IsZero() {
			b.WriteString(` start="` + davTime(f.Start) + `"`)
		}
		if !f.End.IsZero() {
			b.WriteString(` end="` + davTime(f.End) + `"`)
		}
		b.WriteString(`/>`)
	}
	b.WriteString(`</C:comp-filter></C:comp-filter></C:filter></C:calendar-query>`)
	return b.String()
}

// Query lists the items of the calendar at collURL that f selects, with a
// calendar-query REPORT (RFC 4791 §7.8) per component: comp-filters nested in one query
// must all match, so one query cannot ask for events or todos. Hrefs are checked as
// List checks them; an item that several queries return is listed once.
func (c *Client) Query(ctx context.Context, collURL string, f Filter) ([]Resource, error) {
	comps := f.Components
	if len(comps) == 0 {
		comps = QueryComponents
	}
	if !f.Start.IsZero() && !f.End.IsZero() && !f.Start.Before(f.End) {
		return nil, fmt.Errorf("calendar-query %s: time-range start %s is not before end %s", redact(collURL), davTime(f.Start), davTime(f.End))
	}
	seen := map[string]bool{}
	var out []Resource
	for _, comp := range comps {
		list, err := c.query(ctx, collURL, queryBody(comp, f))
		if err != nil {
			return nil, fmt.Errorf("calendar-query for %s: %w", comp, err)
		}
		for _, r := range list {
			if !seen[r.Href] {
				seen[r.Href] = true
				out = append(out, r)
			}
		}
	}
	return out, nil
}

// query sends one calendar-query and reads the listing from its multistatus.
func (c *Client) query(ctx context.Context, collURL, body string) ([]Resource, error) {
	ms, resp, _, err := c.doMultistatus(ctx, reportRequest(collURL, body))
	if err != nil {
		return nil, err
	}
	var out []Resource
	err = eachItem(ms, resp.Request.URL, "REPORT", collURL, func(r response, h string) error {
		if ok(r.Status) {
			out = append(out, resource(h, r.props()))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// reportRequest is a Depth 1 REPORT of collURL with body: a calendar-query or a
// multiget.
func reportRequest(collURL, body string) request {
	return request{method: "REPORT", url: collURL, body: []byte(body),
		header: http.Header{"Depth": {"1"}, "Content-Type": {"application/xml; charset=utf-8"}}}
}
