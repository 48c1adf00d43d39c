package dav

import (
	"context"
	"fmt"
	"io"
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

// allBody is a REPORT that selects every item of a collection and asks for its data: a
// calendar-query whose filter is the VCALENDAR every calendar object is (RFC 4791
// §9.7.1), or an addressbook-query whose filter has no tests, which every vCard passes
// when they must all pass (RFC 6352 §10.5; go-webdav's server reads "anyof", the
// default, of no tests as none passing).
func allBody(kind Kind) string {
	if kind == AddressBooks {
		return `<?xml version="1.0" encoding="utf-8"?><CR:addressbook-query xmlns:D="DAV:" xmlns:CR="` + nsCardAV + `">` +
			`<D:prop><D:getetag/><CR:address-data/></D:prop><CR:filter test="allof"/></CR:addressbook-query>`
	}
	return `<?xml version="1.0" encoding="utf-8"?><C:calendar-query xmlns:D="DAV:" xmlns:C="` + nsCalDAV + `">` +
		`<D:prop><D:getetag/><C:calendar-data/></D:prop><C:filter><C:comp-filter name="VCALENDAR"/></C:filter></C:calendar-query>`
}

// All fetches every item of the collection at collURL with one REPORT (allBody), and
// hands each to fn as it is read from the answer, which is never held whole. For a
// whole collection this costs servers far less than multigets: Xandikos walks the
// calendar for each href a multiget names, so fetching every item in multigets takes
// time that grows with the square of their number, and the query one pass.
//
// An item the answer gives without its data or with an error status is left out (the
// caller fetches what it still wants with Multiget), as is a second response for an
// href; an href outside the collection fails the answer, as fn's error does. Items fn
// has had stay had when the answer fails later: it fails whole only when it never
// began (a server that answers the REPORT with an error).
func (c *Client) All(ctx context.Context, kind Kind, collURL string, fn func(Fetched) error) error {
	data := "calendar-data"
	if kind == AddressBooks {
		data = "address-data"
	}
	r := reportRequest(collURL, allBody(kind))
	r.once = true // fn has had items: their sender falls back to multigets
	seen := map[string]bool{}
	r.sink = func(resp *http.Response, body io.Reader) error {
		base := resp.Request.URL
		dir := dirPath(base)
		var stop error // fn's, or an href outside: said as it is
		_, err := decodeMultistatus(body, func(res response) error {
			stop = eachHref(res, base, dir, "REPORT", collURL, func(res response, h string) error {
				if seen[h] || !ok(res.Status) {
					return nil
				}
				p := res.props()
				content := p.CalendarData
				if kind == AddressBooks {
					content = p.AddressData
				}
				if content == nil || p.isCollection() {
					return nil
				}
				seen[h] = true
				return fn(Fetched{Href: h, Etag: etagOf(p), Data: []byte(*content)})
			})
			return stop
		})
		if err != nil && stop == nil {
			return fmt.Errorf("REPORT %s (%s of every item): %w", redact(collURL), data, err)
		}
		return err
	}
	resp, body, err := c.do(ctx, r)
	if err != nil {
		return err
	}
	return check(r, resp, body, http.StatusMultiStatus)
}
