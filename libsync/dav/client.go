// Package dav is our own thin WebDAV/CalDAV/CardDAV item layer over net/http and
// encoding/xml. go-webdav's client cannot sync safely (no If-Match, weak etags break
// it, it re-encodes items); this package moves item bytes and etags exactly as the
// server gives them, and every write is conditional.
package dav

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/pimsync-go/libsync/storage"
)

// MaxResponse bounds how much of a response is read: no calendar comes near it, and a
// hostile or broken server cannot take the memory.
const MaxResponse = 256 << 20

// Client talks to one DAV server.
type Client struct {
	// HTTP does the requests; nil means a client with sane timeouts. Its redirect
	// policy is replaced: redirects are followed here, keeping method and body.
	HTTP           *http.Client
	User, Password string // Basic credentials, sent with every request
	UserAgent      string
}

// StatusError is a DAV request answered with an unexpected status.
type StatusError struct {
	Method, URL string
	Code        int
	Body        string // the start of the response body, for the message
}

func (e *StatusError) Error() string {
	msg := fmt.Sprintf("%s %s: %d %s", e.Method, e.URL, e.Code, http.StatusText(e.Code))
	if e.Body != "" {
		msg += ": " + e.Body
	}
	return msg
}

// Is lets callers branch with the storage errors: 412 is a precondition failure, 404
// and 410 mean not found.
func (e *StatusError) Is(target error) bool {
	switch target {
	case storage.ErrPrecondition:
		return e.Code == http.StatusPreconditionFailed
	case storage.ErrNotFound:
		return e.Code == http.StatusNotFound || e.Code == http.StatusGone
	}
	return false
}

var defaultHTTP = &http.Client{Timeout: 5 * time.Minute}

// request is one DAV request.
type request struct {
	method string
	url    string
	body   []byte
	header http.Header
}

// do sends r and returns the response with its body read (up to MaxResponse). Redirects
// are followed with the same method and body (Go's client would turn a PROPFIND into a
// GET); one from https to http is refused, since the credentials would go in clear.
func (c *Client) do(ctx context.Context, r request) (*http.Response, []byte, error) {
	hc := c.HTTP
	if hc == nil {
		hc = defaultHTTP
	}
	noRedirect := *hc
	noRedirect.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	target := r.url
	for hops := 0; ; hops++ {
		req, err := http.NewRequestWithContext(ctx, r.method, target, bytes.NewReader(r.body))
		if err != nil {
			return nil, nil, err
		}
		for k, v := range r.header {
			req.Header[k] = v
		}
		if c.User != "" || c.Password != "" {
			req.SetBasicAuth(c.User, c.Password)
		}
		if c.UserAgent != "" {
			req.Header.Set("User-Agent", c.UserAgent)
		}
		resp, err := noRedirect.Do(req)
		if err != nil {
			return nil, nil, fmt.Errorf("%s %s: %w", r.method, redact(target), err)
		}
		body, err := io.ReadAll(io.LimitReader(resp.Body, MaxResponse+1))
		resp.Body.Close()
		if err != nil {
			return nil, nil, fmt.Errorf("%s %s: reading the response: %w", r.method, redact(target), err)
		}
		if len(body) > MaxResponse {
			return nil, nil, fmt.Errorf("%s %s: response larger than %d MiB", r.method, redact(target), MaxResponse>>20)
		}
		switch resp.StatusCode {
		case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
			http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		default:
			return resp, body, nil
		}
		if hops == 5 {
			return nil, nil, fmt.Errorf("%s %s: too many redirects", r.method, redact(r.url))
		}
		loc, err := req.URL.Parse(resp.Header.Get("Location"))
		if err != nil || resp.Header.Get("Location") == "" {
			return nil, nil, fmt.Errorf("%s %s: redirect without a usable Location", r.method, redact(target))
		}
		if req.URL.Scheme == "https" && loc.Scheme != "https" {
			return nil, nil, fmt.Errorf("%s %s: refusing a redirect from https to %s", r.method, redact(target), redact(loc.String()))
		}
		target = loc.String()
	}
}

// check turns a status outside want into a *StatusError.
func check(r request, resp *http.Response, body []byte, want ...int) error {
	for _, w := range want {
		if resp.StatusCode == w {
			return nil
		}
	}
	snippet := strings.TrimSpace(string(body))
	if len(snippet) > 200 {
		snippet = snippet[:200] + "…"
	}
	return &StatusError{Method: r.method, URL: redact(r.url), Code: resp.StatusCode, Body: snippet}
}

// redact removes credentials from a URL for messages.
func redact(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		return s
	}
	u.User = nil
	return u.String()
}

// ErrWeakEtag: a write would have to be conditional on a weak etag, which If-Match
// cannot use (RFC 7232 compares strongly).
var ErrWeakEtag = errors.New("the server gave a weak etag; a conditional write is impossible")
