package dav

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/pimsync-go/libsync/storage"
)

// The collection properties we sync, by the names the storage package uses, with the
// element that holds each on the server.
var propElems = map[string]struct{ ns, name string }{
	"displayname": {nsDAV, "displayname"},
	"color":       {nsApple, "calendar-color"},
	"order":       {nsApple, "calendar-order"},
}

func descElem(kind Kind) struct{ ns, name string } {
	if kind == AddressBooks {
		return struct{ ns, name string }{nsCardAV, "addressbook-description"}
	}
	return struct{ ns, name string }{nsCalDAV, "calendar-description"}
}

// syncedProps asks for the synced properties of kind: an address book has a name and
// a description only. Only those, since servers take time for each property asked
// (Xandikos about 5 ms a property and collection).
func syncedProps(kind Kind) string {
	if kind == AddressBooks {
		return "<D:resourcetype/><D:displayname/><CR:addressbook-description/>"
	}
	return "<D:resourcetype/><D:displayname/><A:calendar-color/><A:calendar-order/><C:calendar-description/>"
}

// ctagProp asks for a collection's ctag, which only a server without sync tokens needs:
// Radicale takes as long to work it out as a sync token, from every item.
const ctagProp = "<CS:getctag/>"

// propsOf picks the synced properties out of a response.
func propsOf(kind Kind, p prop) map[string]string {
	out := map[string]string{}
	set := func(name string, v *string) {
		if v != nil && strings.TrimSpace(*v) != "" {
			out[name] = strings.TrimSpace(*v)
		}
	}
	set("displayname", p.DisplayName)
	if kind == AddressBooks {
		set("description", p.CardDesc)
	} else {
		set("color", p.Color)
		set("order", p.Order)
		set("description", p.CalDesc)
	}
	return out
}

// Collections lists the calendars (or address books) in the home set at homeURL.
func (c *Client) Collections(ctx context.Context, kind Kind, homeURL string) ([]Collection, error) {
	cols, _, err := c.collections(ctx, kind, homeURL, true, false)
	return cols, err
}

// CollectionsByToken lists like Collections but asks for sync tokens only, not ctags:
// for a home set whose collections all had sync tokens when last listed. A collection
// without one then comes back with neither.
func (c *Client) CollectionsByToken(ctx context.Context, kind Kind, homeURL string) ([]Collection, error) {
	cols, _, err := c.collections(ctx, kind, homeURL, false, false)
	return cols, err
}

// collections lists the collections of kind in the home set at homeURL (PROPFIND Depth
// 1), with their ctags when ctag is set and their supported components when comps is
// (FindCollections), and returns the URL that answered, against which the hrefs
// resolve. Hrefs outside the home set are left out.
func (c *Client) collections(ctx context.Context, kind Kind, homeURL string, ctag, comps bool) ([]Collection, *url.URL, error) {
	props := syncedProps(kind) + "<D:sync-token/>"
	if ctag {
		props += ctagProp
	}
	if comps {
		props += "<C:supported-calendar-component-set/>"
	}
	ms, resp, data, err := c.doMultistatus(ctx, propfindRequest(homeURL, "1", props))
	if err != nil {
		return nil, nil, err
	}
	var cms compMultistatus
	if comps {
		if cms, err = parseComponents(data); err != nil {
			return nil, nil, fmt.Errorf("PROPFIND %s: %w", redact(homeURL), err)
		}
	}
	base := resp.Request.URL
	dir := dirPath(base)
	var out []Collection
	for i, r := range ms.Responses {
		p := r.props()
		rt := p.ResourceType
		if rt == nil || kind == Calendars && rt.Calendar == nil || kind == AddressBooks && rt.AddressBook == nil {
			continue
		}
		var cs []string
		if i < len(cms.Responses) {
			cs = cms.Responses[i].components()
		}
		for _, h := range r.Hrefs {
			if _, inside, valid := within(base, dir, h); !valid || !inside {
				continue
			}
			col := Collection{Href: h, Props: propsOf(kind, p), Components: cs}
			if p.CTag != nil {
				col.CTag = *p.CTag
			}
			if p.SyncToken != nil {
				col.SyncToken = *p.SyncToken
			}
			out = append(out, col)
		}
	}
	return out, base, nil
}

// Props returns the synced properties of the collection at collURL.
func (c *Client) Props(ctx context.Context, kind Kind, collURL string) (map[string]string, error) {
	ms, _, err := c.propfind(ctx, collURL, "0", syncedProps(kind))
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, r := range ms.Responses {
		for k, v := range propsOf(kind, r.props()) {
			out[k] = v
		}
	}
	return out, nil
}

// SetProp sets (or, with "", removes) a synced property with PROPPATCH.
func (c *Client) SetProp(ctx context.Context, kind Kind, collURL, name, value string) error {
	e, known := propElems[name]
	if name == "description" {
		e, known = descElem(kind), true
	}
	if !known {
		return fmt.Errorf("unknown collection property %q", name)
	}
	set := "<D:set><D:prop><X:" + e.name + ">" + escape(value) + "</X:" + e.name + "></D:prop></D:set>"
	if value != "" {
		if err := c.proppatch(ctx, collURL, name, e.ns, set); err != nil {
			return err
		}
		// Some servers answer 200 and keep nothing (Xandikos and calendar-order):
		// reading back tells, and such a property is one the server does not keep.
		props, err := c.Props(ctx, kind, collURL)
		if err != nil {
			return err
		}
		if !sameProp(name, props[name], value) {
			return fmt.Errorf("PROPPATCH %s: %s was accepted but reads back as %q: %w", redact(collURL), name, props[name], storage.ErrUnsupported)
		}
		return nil
	}
	err := c.proppatch(ctx, collURL, name, e.ns, "<D:remove><D:prop><X:"+e.name+"/></D:prop></D:remove>")
	var se *StatusError
	if errors.As(err, &se) && se.Code == http.StatusInternalServerError {
		// Xandikos 0.2.8 fails removing calendar-color; setting it empty is what it
		// can do, and reads back as unset.
		if err := c.proppatch(ctx, collURL, name, e.ns, set); err != nil {
			return fmt.Errorf("%w (%w)", err, storage.ErrUnsupported)
		}
		return nil
	}
	return err
}

func (c *Client) proppatch(ctx context.Context, collURL, name, ns, op string) error {
	body := `<?xml version="1.0" encoding="utf-8"?><D:propertyupdate xmlns:D="DAV:" xmlns:X="` + ns + `">` + op + `</D:propertyupdate>`
	r := request{method: "PROPPATCH", url: collURL, body: []byte(body), header: http.Header{"Content-Type": {"application/xml; charset=utf-8"}}}
	resp, data, err := c.do(ctx, r)
	if err != nil {
		return err
	}
	if err := check(r, resp, data, http.StatusMultiStatus, http.StatusOK, http.StatusNoContent); err != nil {
		switch resp.StatusCode {
		case http.StatusForbidden, http.StatusMethodNotAllowed, http.StatusNotImplemented:
			// The server keeps no properties of this collection (go-webdav's answers
			// 501): a sync leaves them alone rather than fail on every run.
			return fmt.Errorf("%w (%w)", err, storage.ErrUnsupported)
		}
		return err
	}
	if resp.StatusCode == http.StatusMultiStatus {
		ms, err := parseMultistatus(data)
		if err != nil {
			return fmt.Errorf("PROPPATCH %s: %w", redact(collURL), err)
		}
		for _, r := range ms.Responses {
			for _, ps := range r.Propstats {
				if !ok(ps.Status) {
					return fmt.Errorf("PROPPATCH %s: %s refused (%s): %w", redact(collURL), name, ps.Status, storage.ErrUnsupported)
				}
			}
		}
	}
	return nil
}

// MakeCollection creates a calendar (MKCALENDAR) or an address book (extended MKCOL)
// at collURL. A server that refuses MKCALENDAR as a method (servers built on
// go-webdav) gets an extended MKCOL of a calendar, RFC 5689's other way.
func (c *Client) MakeCollection(ctx context.Context, kind Kind, collURL string) error {
	if kind == Calendars {
		r := request{method: "MKCALENDAR", url: collURL}
		resp, data, err := c.do(ctx, r)
		if err != nil {
			return err
		}
		if resp.StatusCode != http.StatusMethodNotAllowed && resp.StatusCode != http.StatusNotImplemented {
			return check(r, resp, data, http.StatusCreated, http.StatusOK, http.StatusNoContent)
		}
	}
	typ := "<CR:addressbook/>"
	if kind == Calendars {
		typ = "<C:calendar/>"
	}
	r := request{method: "MKCOL", url: collURL, header: http.Header{"Content-Type": {"application/xml; charset=utf-8"}},
		body: []byte(`<?xml version="1.0" encoding="utf-8"?><D:mkcol xmlns:D="DAV:" xmlns:C="` + nsCalDAV + `" xmlns:CR="` + nsCardAV +
			`"><D:set><D:prop><D:resourcetype><D:collection/>` + typ + `</D:resourcetype></D:prop></D:set></D:mkcol>`)}
	resp, data, err := c.do(ctx, r)
	if err != nil {
		return err
	}
	return check(r, resp, data, http.StatusCreated, http.StatusOK, http.StatusNoContent)
}

// DeleteCollection deletes the collection at collURL with everything in it; callers
// check that it is empty first.
func (c *Client) DeleteCollection(ctx context.Context, collURL string) error {
	r := request{method: "DELETE", url: collURL}
	resp, data, err := c.do(ctx, r)
	if err != nil {
		return err
	}
	return check(r, resp, data, http.StatusNoContent, http.StatusOK, http.StatusAccepted)
}

// HomeSet finds the home set for kind from url: the home set of the principal url
// names (or of the current user's principal), or url itself when it has neither.
func (c *Client) HomeSet(ctx context.Context, kind Kind, u string) (string, error) {
	base, err := url.Parse(u)
	if err != nil {
		return "", err
	}
	homeProp := homeSetProp(kind)
	for hop := 0; hop < 2; hop++ {
		ms, answered, err := c.propfind(ctx, base.String(), "0", "<D:current-user-principal/>"+homeProp+"<D:resourcetype/>")
		if err != nil {
			return "", err
		}
		base = answered
		var principal string
		for _, r := range ms.Responses {
			p := r.props()
			home := p.CalHome
			if kind == AddressBooks {
				home = p.CardHome
			}
			if home != nil && len(home.Hrefs) > 0 {
				h, err := base.Parse(home.Hrefs[0])
				if err != nil {
					return "", err
				}
				return h.String(), nil
			}
			if p.Principal != nil && len(p.Principal.Hrefs) > 0 {
				principal = p.Principal.Hrefs[0]
			}
		}
		if principal == "" {
			break
		}
		next, err := base.Parse(principal)
		if err != nil || next.String() == base.String() {
			break
		}
		base = next
	}
	return base.String(), nil
}

// homeSetProp is the prop element of kind's home set, for a PROPFIND.
func homeSetProp(kind Kind) string {
	if kind == AddressBooks {
		return "<CR:addressbook-home-set/>"
	}
	return "<C:calendar-home-set/>"
}

// sameProp compares a property as read back with the value set: servers may add an
// opaque alpha to a color (Nextcloud writes #RRGGBBFF) or change its case.
func sameProp(name, got, set string) bool {
	got, set = strings.TrimSpace(got), strings.TrimSpace(set)
	if name != "color" {
		return got == set
	}
	norm := func(c string) string {
		c = strings.ToUpper(c)
		if len(c) == 9 && strings.HasSuffix(c, "FF") {
			c = c[:7]
		}
		return c
	}
	return norm(got) == norm(set)
}
