package floor

import (
	"bufio"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

const (
	nsDAV    = "DAV:"
	nsCalDAV = "urn:ietf:params:xml:ns:caldav"
	nsCS     = "http://calendarserver.org/ns/"
	nsApple  = "http://apple.com/ns/ical/"
)

// response is one DAV:response of a 207 Multi-Status.
type response struct {
	Hrefs     []string   `xml:"DAV: href"`
	Status    string     `xml:"DAV: status"`
	Propstats []propstat `xml:"DAV: propstat"`
}

type propstat struct {
	Status string `xml:"DAV: status"`
	Prop   struct {
		Etag         *string `xml:"DAV: getetag"`
		SyncToken    *string `xml:"DAV: sync-token"`
		Data         *string `xml:"urn:ietf:params:xml:ns:caldav calendar-data"`
		ResourceType struct {
			Collection *struct{} `xml:"DAV: collection"`
		} `xml:"DAV: resourcetype"`
	} `xml:"DAV: prop"`
}

// ok returns the properties the server found (a propstat with status 200).
func (r *response) ok() (ps propstat, found bool) {
	for _, p := range r.Propstats {
		if strings.Contains(p.Status, " 200 ") {
			return p, true
		}
	}
	return ps, false
}

// propfind sends a PROPFIND Depth 1 for props (elements in the D, C and CS namespaces)
// and returns the 207 response; the caller closes its body.
func (c *Client) propfind(ctx context.Context, u, props string) (*http.Response, error) {
	body := `<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:" xmlns:C="` + nsCalDAV +
		`" xmlns:CS="` + nsCS + `" xmlns:A="` + nsApple + `"><D:prop>` + props + `</D:prop></D:propfind>`
	h := http.Header{"Depth": {"1"}, "Content-Type": {"application/xml; charset=utf-8"}}
	return c.do(ctx, "PROPFIND", u, h, []byte(body), http.StatusMultiStatus)
}

// list calls f with the href and etag of every item in the collection at collURL.
func (c *Client) list(ctx context.Context, collURL string, f func(href, etag string)) error {
	resp, err := c.propfind(ctx, collURL, `<D:resourcetype/><D:getetag/>`)
	if err != nil {
		return err
	}
	defer drain(resp)
	self := strings.TrimSuffix(hrefPath(collURL), "/")
	_, err = stream(resp.Body, func(r *response) error {
		p, _ := r.ok()
		for _, h := range r.Hrefs {
			if strings.TrimSuffix(hrefPath(h), "/") == self || p.Prop.ResourceType.Collection != nil {
				continue
			}
			etag := ""
			if p.Prop.Etag != nil {
				etag = *p.Prop.Etag
			}
			f(h, etag)
		}
		return nil
	})
	return err
}

// tokens returns the sync token of each collection in the home set at homeURL, by the
// path of its href, from the PROPFIND a sync starts with.
func (c *Client) tokens(ctx context.Context, homeURL string) (map[string]string, error) {
	resp, err := c.propfind(ctx, homeURL, noopProps)
	if err != nil {
		return nil, err
	}
	defer drain(resp)
	tokens := map[string]string{}
	_, err = stream(resp.Body, func(r *response) error {
		p, _ := r.ok()
		if p.Prop.SyncToken != nil && len(r.Hrefs) == 1 {
			tokens[strings.TrimSuffix(hrefPath(r.Hrefs[0]), "/")] = strings.TrimSpace(*p.Prop.SyncToken)
		}
		return nil
	})
	return tokens, err
}

// changes asks the collection at collURL what changed since token with an RFC 6578
// sync-collection REPORT (the body pimsync sends) and returns the new token and the
// number of items the answer names.
func (c *Client) changes(ctx context.Context, collURL, token string) (string, int, error) {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="utf-8"?><D:sync-collection xmlns:D="DAV:"><D:sync-token>`)
	xml.EscapeText(&b, []byte(token))
	b.WriteString(`</D:sync-token><D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>`)
	h := http.Header{"Content-Type": {"application/xml; charset=utf-8"}}
	resp, err := c.do(ctx, "REPORT", collURL, h, []byte(b.String()), http.StatusMultiStatus)
	if err != nil {
		return "", 0, err
	}
	defer drain(resp)
	n := 0
	newToken, err := stream(resp.Body, func(*response) error { n++; return nil })
	if err != nil {
		return "", 0, fmt.Errorf("floor: REPORT %s: %w", collURL, err)
	}
	if newToken == "" {
		return "", 0, fmt.Errorf("floor: REPORT %s: no new sync token", collURL)
	}
	return newToken, n, nil
}

// multiget fetches hrefs from the collection at collURL with one calendar-multiget and
// calls f with each item's href and bytes as the response streams in.
func (c *Client) multiget(ctx context.Context, collURL string, hrefs []string, f func(href string, data []byte) error) error {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="utf-8"?><C:calendar-multiget xmlns:D="DAV:" xmlns:C="` +
		nsCalDAV + `"><D:prop><D:getetag/><C:calendar-data/></D:prop>`)
	for _, h := range hrefs {
		b.WriteString("<D:href>")
		xml.EscapeText(&b, []byte(h))
		b.WriteString("</D:href>")
	}
	b.WriteString(`</C:calendar-multiget>`)
	h := http.Header{"Depth": {"1"}, "Content-Type": {"application/xml; charset=utf-8"}}
	resp, err := c.do(ctx, "REPORT", collURL, h, []byte(b.String()), http.StatusMultiStatus)
	if err != nil {
		return err
	}
	defer drain(resp)
	got := 0
	_, err = stream(resp.Body, func(r *response) error {
		p, ok := r.ok()
		if len(r.Hrefs) != 1 || !ok || p.Prop.Data == nil {
			return fmt.Errorf("floor: REPORT %s: no calendar-data for %v (%s)", collURL, r.Hrefs, r.Status)
		}
		got++
		return f(r.Hrefs[0], []byte(*p.Prop.Data))
	})
	if err == nil && got != len(hrefs) {
		err = fmt.Errorf("floor: REPORT %s: %d items for %d hrefs", collURL, got, len(hrefs))
	}
	return err
}

// query fetches every item of the collection at collURL with one calendar-query (the
// body pimsync sends) and calls f with each item's href and bytes as the response
// streams in. A response without calendar-data (the collection itself, an item the
// server could not give) is left out.
func (c *Client) query(ctx context.Context, collURL string, f func(href string, data []byte) error) error {
	body := `<?xml version="1.0" encoding="utf-8"?><C:calendar-query xmlns:D="DAV:" xmlns:C="` + nsCalDAV + `">` +
		`<D:prop><D:getetag/><C:calendar-data/></D:prop><C:filter><C:comp-filter name="VCALENDAR"/></C:filter></C:calendar-query>`
	h := http.Header{"Depth": {"1"}, "Content-Type": {"application/xml; charset=utf-8"}}
	resp, err := c.do(ctx, "REPORT", collURL, h, []byte(body), http.StatusMultiStatus)
	if err != nil {
		return err
	}
	defer drain(resp)
	_, err = stream(resp.Body, func(r *response) error {
		if p, ok := r.ok(); ok && p.Prop.Data != nil && len(r.Hrefs) == 1 {
			return f(r.Hrefs[0], []byte(*p.Prop.Data))
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("floor: REPORT %s: %w", collURL, err)
	}
	return nil
}

// stream decodes a multistatus body one response at a time, never holding all of it,
// and returns the multistatus's own sync-token (RFC 6578: a sync-collection answer's
// new token), "" when it has none.
func stream(body io.Reader, f func(*response) error) (syncToken string, err error) {
	d := xml.NewDecoder(&crReader{r: bufio.NewReader(body)})
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return strings.TrimSpace(syncToken), nil
		}
		if err != nil {
			return "", fmt.Errorf("floor: multistatus: %w", err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok || se.Name.Space != nsDAV {
			continue
		}
		switch se.Name.Local {
		case "response":
			var r response
			if err := d.DecodeElement(&r, &se); err != nil {
				return "", fmt.Errorf("floor: multistatus: %w", err)
			}
			if err := f(&r); err != nil {
				return "", err
			}
		case "sync-token":
			if err := d.DecodeElement(&syncToken, &se); err != nil {
				return "", fmt.Errorf("floor: multistatus: %w", err)
			}
		}
	}
}

// hrefPath returns the unescaped path of an href or URL, for comparing them.
func hrefPath(href string) string {
	u, err := url.Parse(href)
	if err != nil {
		return href
	}
	return u.Path
}

var crEntity = []byte("&#13;")

// crReader writes every carriage return in character data as &#13;, so that the XML
// decoder keeps it: an item's CRLFs would otherwise come out as LFs. Markup (what lies
// between < and >, quoted attribute values included) passes unchanged.
type crReader struct {
	r       *bufio.Reader
	err     error
	pending []byte // the rest of an &#13; not yet returned
	inTag   bool
	quote   byte // the quote of the attribute value being read, or 0
}

func (c *crReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if len(c.pending) > 0 {
			k := copy(p[n:], c.pending)
			c.pending = c.pending[k:]
			n += k
			continue
		}
		if c.err != nil {
			break
		}
		b, err := c.r.ReadByte()
		if err != nil {
			c.err = err
			break
		}
		switch {
		case c.quote != 0:
			if b == c.quote {
				c.quote = 0
			}
		case c.inTag:
			switch b {
			case '"', '\'':
				c.quote = b
			case '>':
				c.inTag = false
			}
		case b == '<':
			c.inTag = true
		case b == '\r':
			c.pending = crEntity
			continue
		}
		p[n] = b
		n++
	}
	if n > 0 {
		return n, nil
	}
	return 0, c.err
}
