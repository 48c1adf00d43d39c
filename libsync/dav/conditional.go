package dav

import (
	"context"
	"net/http"
)

// Validators are what a server said identifies a response's version, for a
// conditional GET: its ETag and Last-Modified headers as sent.
type Validators struct {
	ETag, LastModified string
}

// GetIfChanged fetches u (a webcal feed) unless it is unchanged since the response
// that gave prev: If-None-Match and If-Modified-Since carry prev's validators, and a
// 304 comes back as notModified with no body. Authentication, redirects, retries and
// TLS options are the Client's, as for DAV requests. The body is read whole (up to
// Client.MaxResponse) and returned without a copy, so a caller that splits it holds the feed
// once.
func (c *Client) GetIfChanged(ctx context.Context, u string, prev Validators) (body []byte, now Validators, notModified bool, err error) {
	h := http.Header{"Accept": {"text/calendar, text/vcard;q=0.9, */*;q=0.1"}}
	if prev.ETag != "" {
		h.Set("If-None-Match", prev.ETag)
	}
	if prev.LastModified != "" {
		h.Set("If-Modified-Since", prev.LastModified)
	}
	r := request{method: "GET", url: u, header: h}
	resp, body, err := c.do(ctx, r)
	if err != nil {
		return nil, Validators{}, false, err
	}
	if resp.StatusCode == http.StatusNotModified && (prev.ETag != "" || prev.LastModified != "") {
		// A 304 may omit the validators; the ones asked with still hold.
		now = Validators{ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified")}
		if now.ETag == "" {
			now.ETag = prev.ETag
		}
		if now.LastModified == "" {
			now.LastModified = prev.LastModified
		}
		return nil, now, true, nil
	}
	if err := check(r, resp, body, http.StatusOK); err != nil {
		return nil, Validators{}, false, err
	}
	return body, Validators{ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified")}, false, nil
}
