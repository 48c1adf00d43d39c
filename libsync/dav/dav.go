package dav

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// Kind is what a collection holds.
type Kind int

// Collection kinds.
const (
	Calendars    Kind = iota + 1 // CalDAV
	AddressBooks                 // CardDAV
)

func (k Kind) contentType() string {
	if k == AddressBooks {
		return "text/vcard; charset=utf-8"
	}
	return "text/calendar; charset=utf-8"
}

// Resource is an item as listed: its href exactly as the server wrote it, and its etag
// as sent (quotes and W/ included).
type Resource struct {
	Href        string
	Etag        string
	ContentType string
}

// Fetched is an item's bytes from a multiget, or the status the server gave for it.
type Fetched struct {
	Href string
	Etag string
	Data []byte
	Err  error
}

// Collection describes a collection found in a home set.
type Collection struct {
	Href       string // as the server wrote it
	Props      map[string]string
	CTag       string
	SyncToken  string
	Components []string
}

// propfind sends a PROPFIND with the given prop elements and returns the responses and
// the URL that answered (after redirects), against which their hrefs resolve.
func (c *Client) propfind(ctx context.Context, u, depth, props string) (*multistatus, *url.URL, error) {
	ms, resp, _, err := c.doMultistatus(ctx, propfindRequest(u, depth, props))
	if err != nil {
		return nil, nil, err
	}
	return ms, resp.Request.URL, nil
}

// propfindRequest is a PROPFIND of u asking for the given prop elements.
func propfindRequest(u, depth, props string) request {
	body := `<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:" xmlns:C="` + nsCalDAV +
		`" xmlns:CR="` + nsCardAV + `" xmlns:A="` + nsApple + `" xmlns:CS="` + nsCS + `"><D:prop>` + props + `</D:prop></D:propfind>`
	return request{method: "PROPFIND", url: u, body: []byte(body),
		header: http.Header{"Depth": {depth}, "Content-Type": {"application/xml; charset=utf-8"}}}
}

// doMultistatus sends r, wants a 207 and parses its body. It returns the response too,
// whose Request.URL is the URL that answered (after redirects), and the body, for
// anything read apart from the multistatus.
func (c *Client) doMultistatus(ctx context.Context, r request) (*multistatus, *http.Response, []byte, error) {
	resp, data, err := c.do(ctx, r)
	if err != nil {
		return nil, nil, nil, err
	}
	if err := check(r, resp, data, http.StatusMultiStatus); err != nil {
		return nil, nil, nil, err
	}
	ms, err := parseMultistatus(data)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("%s %s: %w", r.method, redact(r.url), err)
	}
	return ms, resp, data, nil
}

// eachItem calls fn with each href of ms that lies inside the collection that answered
// at base, and with its response; the collection itself is skipped. An href outside
// the collection fails the whole answer (a hostile server cannot name resources
// elsewhere), with method and collURL in the message, as does an error fn returns.
func eachItem(ms *multistatus, base *url.URL, method, collURL string, fn func(r response, href string) error) error {
	dir := dirPath(base)
	for _, r := range ms.Responses {
		if err := eachHref(r, base, dir, method, collURL, fn); err != nil {
			return err
		}
	}
	return nil
}

// eachHref is eachItem for one response; dir is dirPath(base).
func eachHref(r response, base *url.URL, dir, method, collURL string, fn func(r response, href string) error) error {
	for _, h := range r.Hrefs {
		_, inside, valid := within(base, dir, h)
		if !valid {
			return fmt.Errorf("%s %s: the server names %q, outside the collection", method, redact(collURL), h)
		}
		if !inside {
			continue // the collection itself
		}
		if err := fn(r, h); err != nil {
			return err
		}
	}
	return nil
}

// etagOf returns the etag of p as sent, surrounding space trimmed; "" when it has none.
func etagOf(p prop) string {
	if p.Etag == nil {
		return ""
	}
	return strings.TrimSpace(*p.Etag)
}

// isCollection reports whether p's resourcetype says collection: a sub-collection is
// not an item.
func (p prop) isCollection() bool {
	return p.ResourceType != nil && p.ResourceType.Collection != nil
}

// resource is the listing of the item at href with props p: its etag and content type.
func resource(href string, p prop) Resource {
	res := Resource{Href: href, Etag: etagOf(p)}
	if p.ContentType != nil {
		res.ContentType = *p.ContentType
	}
	return res
}

// within resolves href against base and checks that it lies in the collection whose
// escaped path is dir (ending in "/"): ok is false for anything outside, including
// percent-encoded ".." segments, so that a hostile server cannot name resources
// elsewhere; inside is false for the collection itself.
func within(base *url.URL, dir, href string) (u *url.URL, inside, ok bool) {
	u, err := base.Parse(href)
	if err != nil || u.Host != base.Host {
		return nil, false, false
	}
	p := u.EscapedPath()
	dec, err := url.PathUnescape(p)
	if err != nil {
		return nil, false, false
	}
	for _, seg := range strings.Split(dec, "/") {
		if seg == ".." || seg == "." {
			return nil, false, false
		}
	}
	if p == dir || p+"/" == dir {
		return u, false, true
	}
	return u, true, strings.HasPrefix(p, dir)
}

// List returns the items of the collection at collURL (PROPFIND Depth 1).
func (c *Client) List(ctx context.Context, collURL string) ([]Resource, error) {
	ms, base, err := c.propfind(ctx, collURL, "1", "<D:resourcetype/><D:getetag/><D:getcontenttype/>")
	if err != nil {
		return nil, err
	}
	var out []Resource
	err = eachItem(ms, base, "PROPFIND", collURL, func(r response, h string) error {
		if p := r.props(); !p.isCollection() {
			out = append(out, resource(h, p))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// dirPath returns the escaped path of a collection URL, ending in "/".
func dirPath(u *url.URL) string {
	p := u.EscapedPath()
	if !strings.HasSuffix(p, "/") {
		p += "/"
	}
	return p
}

// Multiget fetches the items at hrefs (as listed) with one calendar-multiget or
// addressbook-multiget REPORT. An item the server leaves out of its answer (Google's
// does, now and then) is fetched on its own with GET; one that fails comes back with
// Err set, and the others are fine.
func (c *Client) Multiget(ctx context.Context, kind Kind, collURL string, hrefs []string) ([]Fetched, error) {
	if len(hrefs) == 0 {
		return nil, nil
	}
	// The hrefs come from listings, which were checked, or from the status file, which
	// was not: one leading elsewhere would get a GET with the credentials below.
	if base, err := url.Parse(collURL); err == nil {
		dir := dirPath(base)
		for _, h := range hrefs {
			if _, inside, ok := within(base, dir, h); !ok || !inside {
				return nil, fmt.Errorf("REPORT %s: %q is outside the collection; not asked for", redact(collURL), h)
			}
		}
	}
	elem, ns, data := "calendar-multiget", nsCalDAV, "calendar-data"
	if kind == AddressBooks {
		elem, ns, data = "addressbook-multiget", nsCardAV, "address-data"
	}
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="utf-8"?><X:` + elem + ` xmlns:D="DAV:" xmlns:X="` + ns + `"><D:prop><D:getetag/><X:` + data + `/></D:prop>`)
	for _, h := range hrefs {
		b.WriteString("<D:href>" + escape(h) + "</D:href>")
	}
	b.WriteString("</X:" + elem + ">")
	ms, _, _, err := c.doMultistatus(ctx, reportRequest(collURL, b.String()))
	if err != nil {
		return nil, err
	}
	base, _ := url.Parse(collURL)
	// Answers are matched to requests by decoded path: servers escape hrefs their own
	// way (Radicale answers x%40example.com.ics for x@example.com.ics).
	byPath := map[string]int{}
	for i, h := range hrefs {
		if u, err := base.Parse(h); err == nil {
			byPath[u.Path] = i
		}
	}
	out := make([]Fetched, len(hrefs))
	got := make([]bool, len(hrefs))
	for _, r := range ms.Responses {
		for _, h := range r.Hrefs {
			u, err := base.Parse(h)
			if err != nil {
				continue
			}
			i, asked := byPath[u.Path]
			if !asked || got[i] {
				continue
			}
			got[i] = true
			f := Fetched{Href: hrefs[i]}
			p := r.props()
			content := p.CalendarData
			if kind == AddressBooks {
				content = p.AddressData
			}
			switch {
			case !ok(r.Status):
				f.Err = statusLineError("REPORT", h, r.Status)
			case content == nil:
				f.Err = fmt.Errorf("REPORT %s: no %s for %s", redact(collURL), data, h)
			default:
				f.Data, f.Etag = []byte(*content), etagOf(p)
			}
			out[i] = f
		}
	}
	for i, h := range hrefs {
		if !got[i] {
			out[i] = c.getOne(ctx, base, h)
		}
	}
	return out, nil
}

// statusLineError turns a multistatus status line into a *StatusError.
func statusLineError(method, href, status string) error {
	code := statusCode(status)
	if code == 0 {
		code = http.StatusInternalServerError
	}
	return &StatusError{Method: method, URL: href, Code: code}
}

// getOne fetches an item a multiget left out, with GET (and its etag with PROPFIND
// when the GET has none).
func (c *Client) getOne(ctx context.Context, base *url.URL, href string) Fetched {
	f := Fetched{Href: href}
	u, err := base.Parse(href)
	if err != nil {
		f.Err = fmt.Errorf("href %q: %w", href, err)
		return f
	}
	data, etag, err := c.Get(ctx, u.String())
	if err == nil && (etag == "" || strings.HasPrefix(etag, "W/")) {
		etag, err = c.etag(ctx, "GET", u.String())
	}
	if err != nil {
		f.Err = fmt.Errorf("left out of the multiget, and then: %w", err)
		return f
	}
	f.Data, f.Etag = data, etag
	return f
}

// Get fetches one item with GET, and returns its bytes and ETag header as sent.
func (c *Client) Get(ctx context.Context, itemURL string) ([]byte, string, error) {
	r := request{method: "GET", url: itemURL}
	resp, body, err := c.do(ctx, r)
	if err != nil {
		return nil, "", err
	}
	if err := check(r, resp, body, http.StatusOK); err != nil {
		return nil, "", err
	}
	return body, resp.Header.Get("ETag"), nil
}

// Put stores data at itemURL: as a new resource (If-None-Match: *) when etag is "",
// else only if the resource's etag is still etag (If-Match). It returns the new etag,
// asking for it with PROPFIND when the response has none.
func (c *Client) Put(ctx context.Context, kind Kind, itemURL, etag string, data []byte) (string, error) {
	h := http.Header{}
	switch {
	case etag == "":
		h.Set("If-None-Match", "*")
	case strings.HasPrefix(etag, "W/"):
		return "", fmt.Errorf("PUT %s: %w", redact(itemURL), ErrWeakEtag)
	default:
		h.Set("If-Match", etag)
	}
	return c.put(ctx, kind, itemURL, h, data)
}

// Replace PUTs data at itemURL without a condition. It is for items whose etag is weak,
// which If-Match cannot use, once the caller has read the item again and found it as it
// was planned with.
func (c *Client) Replace(ctx context.Context, kind Kind, itemURL string, data []byte) (string, error) {
	return c.put(ctx, kind, itemURL, http.Header{}, data)
}

func (c *Client) put(ctx context.Context, kind Kind, itemURL string, h http.Header, data []byte) (string, error) {
	h.Set("Content-Type", kind.contentType())
	r := request{method: "PUT", url: itemURL, body: data, header: h}
	resp, body, err := c.do(ctx, r)
	if err != nil {
		return "", err
	}
	if err := check(r, resp, body, http.StatusCreated, http.StatusNoContent, http.StatusOK); err != nil {
		return "", err
	}
	if e := resp.Header.Get("ETag"); e != "" && !strings.HasPrefix(e, "W/") {
		return e, nil
	}
	return c.etag(ctx, "PUT", itemURL)
}

// etag asks for an item's etag with a Depth 0 PROPFIND, for responses that lack one.
func (c *Client) etag(ctx context.Context, method, itemURL string) (string, error) {
	ms, _, err := c.propfind(ctx, itemURL, "0", "<D:getetag/>")
	if err != nil {
		return "", err
	}
	for _, r := range ms.Responses {
		if p := r.props(); p.Etag != nil {
			return etagOf(p), nil
		}
	}
	return "", fmt.Errorf("%s %s: the server gave no etag", method, redact(itemURL))
}

// Delete removes the item at itemURL if its etag is still etag; with etag "", without
// a condition (for weak etags, as Replace).
func (c *Client) Delete(ctx context.Context, itemURL, etag string) error {
	if strings.HasPrefix(etag, "W/") {
		return fmt.Errorf("DELETE %s: %w", redact(itemURL), ErrWeakEtag)
	}
	h := http.Header{}
	if etag != "" {
		h.Set("If-Match", etag)
	}
	r := request{method: "DELETE", url: itemURL, header: h}
	resp, body, err := c.do(ctx, r)
	if err != nil {
		return err
	}
	return check(r, resp, body, http.StatusNoContent, http.StatusOK, http.StatusAccepted)
}
