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
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/pimsync-go/libsync/storage"
)

// MaxResponse bounds how much of a response is read, unless Client.MaxResponse says
// otherwise: no calendar comes near it, and a hostile or broken server cannot take the
// memory.
const MaxResponse = 256 << 20

// Client talks to one DAV server. It is safe for concurrent use; it must not be copied
// after its first request (it remembers the server's Digest challenge).
type Client struct {
	// HTTP does the requests; nil means NewHTTPClient's defaults. Its redirect policy
	// is replaced: redirects are followed here, keeping method and body.
	HTTP *http.Client
	// User and Password are sent with Basic authentication up front (most servers
	// want it, and it saves a round trip); a server that answers with a Digest
	// challenge gets Digest from then on.
	User, Password string
	UserAgent      string
	// Retries is how often an idempotent request (GET, HEAD, PROPFIND, REPORT,
	// OPTIONS) is tried again after a 5xx gateway error, a 429 or a broken
	// connection: 0 means DefaultRetries, a negative number none.
	Retries int
	// Log receives a line for each retry, and at debug level one per request; nil
	// means slog.Default().
	Log *slog.Logger
	// MaxResponse bounds how much of a response body is read (the storage's
	// max_size); 0 means the package's MaxResponse.
	MaxResponse int64

	sleep func(context.Context, time.Duration) error // tests replace it

	authMu  sync.Mutex
	digests map[string]*digestChallenge // by origin (scheme://host)
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
// and 410 mean not found, 409 a conflict.
func (e *StatusError) Is(target error) bool {
	switch target {
	case storage.ErrPrecondition:
		return e.Code == http.StatusPreconditionFailed
	case storage.ErrNotFound:
		return e.Code == http.StatusNotFound || e.Code == http.StatusGone
	case storage.ErrConflict:
		return e.Code == http.StatusConflict
	}
	return false
}

var defaultHTTP = mustHTTPClient(HTTPOptions{})

// request is one DAV request.
type request struct {
	method string
	url    string
	body   []byte
	header http.Header
	// once: never retried, for requests whose failure has a cheap way out
	// (a sync-collection REPORT falls back to a full listing).
	once bool
	// sink, when set, reads a 207 answer's body as it arrives, instead of it being read
	// whole first; its error is the request's.
	sink func(*http.Response, io.Reader) error
}

// do sends r and returns the response with its body read (up to maxResponse), trying
// again as Retries allows.
func (c *Client) do(ctx context.Context, r request) (*http.Response, []byte, error) {
	for attempt := 0; ; attempt++ {
		resp, body, err := c.follow(ctx, r)
		wait, again := c.retry(ctx, r.method, resp, err, attempt)
		again = again && !r.once
		if !again {
			return resp, body, err
		}
		var outcome slog.Attr
		if err != nil {
			outcome = slog.String("error", err.Error())
		} else {
			outcome = slog.Int("status", resp.StatusCode)
		}
		c.logger().LogAttrs(ctx, slog.LevelInfo, "retrying", slog.String("method", r.method),
			slog.String("url", redact(r.url)), outcome, slog.Int("attempt", attempt+1), slog.Duration("wait", wait))
		if err := c.pause(ctx, wait); err != nil {
			return nil, nil, fmt.Errorf("%s %s: %w", r.method, redact(r.url), err)
		}
	}
}

// follow sends r and follows redirects with the same method and body (Go's client
// would turn a PROPFIND into a GET); one from https to http is refused, since the
// credentials would go in clear. Credentials go on to the host first asked and its
// subdomains (caldav.example.com for example.com), as Go's client sends headers, not
// to another host a redirect names: a server cannot send them elsewhere.
func (c *Client) follow(ctx context.Context, r request) (*http.Response, []byte, error) {
	hc := c.HTTP
	if hc == nil {
		hc = defaultHTTP
	}
	noRedirect := *hc
	noRedirect.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	target := r.url
	auth := true
	for hops := 0; ; hops++ {
		resp, body, err := c.send(ctx, &noRedirect, r, target, auth)
		if err != nil {
			return nil, nil, err
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
		loc, err := resp.Request.URL.Parse(resp.Header.Get("Location"))
		if err != nil || resp.Header.Get("Location") == "" {
			return nil, nil, fmt.Errorf("%s %s: redirect without a usable Location", r.method, redact(target))
		}
		if resp.Request.URL.Scheme == "https" && loc.Scheme != "https" {
			return nil, nil, fmt.Errorf("%s %s: refusing a redirect from https to %s", r.method, redact(target), redact(loc.String()))
		}
		if first, err := url.Parse(r.url); err == nil && !sameDomain(first.Hostname(), loc.Hostname()) {
			auth = false
			c.logger().LogAttrs(ctx, slog.LevelWarn, "redirected to another host; the credentials are not sent there",
				slog.String("from", redact(r.url)), slog.String("to", redact(loc.String())))
		}
		target = loc.String()
	}
}

// sameDomain reports whether host is first or one of its subdomains.
func sameDomain(first, host string) bool {
	first, host = strings.ToLower(first), strings.ToLower(host)
	return host == first || strings.HasSuffix(host, "."+first)
}

// send makes one request to target, answering a Digest challenge (a first one, or a
// stale nonce) by sending it again with the same body.
func (c *Client) send(ctx context.Context, hc *http.Client, r request, target string, auth bool) (*http.Response, []byte, error) {
	for try := 0; ; try++ {
		req, err := http.NewRequestWithContext(ctx, r.method, target, bytes.NewReader(r.body))
		if err != nil {
			return nil, nil, err
		}
		for k, v := range r.header {
			req.Header[k] = v
		}
		if c.UserAgent != "" {
			req.Header.Set("User-Agent", c.UserAgent)
		}
		sentNonce := ""
		if auth {
			sentNonce = c.authorize(req, r.body)
		}
		start := time.Now()
		resp, err := hc.Do(req)
		if ue := (*url.Error)(nil); errors.As(err, &ue) {
			err = ue.Err // its method and URL are in our message already
		}
		if err != nil {
			return nil, nil, fmt.Errorf("%s %s: %w", r.method, redact(target), explainTLS(err))
		}
		limit := c.maxResponse()
		lr := &limitReader{r: resp.Body, left: limit}
		var body []byte
		sunk := r.sink != nil && resp.StatusCode == http.StatusMultiStatus
		if sunk {
			err = r.sink(resp, lr)
		} else {
			body, err = io.ReadAll(lr)
		}
		resp.Body.Close()
		switch {
		case lr.over:
			return nil, nil, fmt.Errorf("%s %s: %w: the response is larger than %s (max_size)",
				r.method, redact(target), storage.ErrTooLarge, storage.FormatSize(limit))
		case err != nil && sunk:
			return nil, nil, err // the sink's, which says what it was reading
		case err != nil:
			return nil, nil, fmt.Errorf("%s %s: reading the response: %w", r.method, redact(target), err)
		}
		// At debug level, so that -v debug shows where a slow sync waits.
		c.logger().LogAttrs(ctx, slog.LevelDebug, "request", slog.String("method", r.method),
			slog.String("url", redact(target)), slog.Int("status", resp.StatusCode),
			slog.Int64("bytes", limit-lr.left), slog.Duration("took", time.Since(start)))
		c.nextNonce(req.URL, resp.Header.Get("Authentication-Info"))
		if resp.StatusCode != http.StatusUnauthorized || !auth || try == 2 || !c.challenged(req.URL, resp, sentNonce) {
			return resp, body, nil
		}
	}
}

// limitReader reads up to left bytes, and fails past them with over set.
type limitReader struct {
	r    io.Reader
	left int64
	over bool
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.left <= 0 {
		// One byte more tells a body of exactly the limit from a longer one.
		var b [1]byte
		n, err := l.r.Read(b[:])
		if n > 0 {
			l.over = true
			return 0, storage.ErrTooLarge
		}
		return 0, err
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	return n, err
}

// check turns a status outside want into a *StatusError.
func check(r request, resp *http.Response, body []byte, want ...int) error {
	for _, w := range want {
		if resp.StatusCode == w {
			return nil
		}
	}
	snippet := scrubAuth(strings.TrimSpace(string(body)))
	if len(snippet) > 200 {
		snippet = snippet[:200] + "…"
	}
	return &StatusError{Method: r.method, URL: redact(r.url), Code: resp.StatusCode, Body: snippet}
}

// authValue matches what an Authorization header carries: Basic credentials (the
// password, barely encoded), a bearer token, or a Digest answer's parameters.
var authValue = regexp.MustCompile(`(?i)\b(basic|bearer)\s+([A-Za-z0-9+/=._~-]{4,})|\b(digest)\s+[a-z]+="[^<\r\n]*`)

// scrubAuth hides credentials in a server's error body before it reaches a message:
// a server (or a proxy's error page) that echoes the request's headers would
// otherwise print the user's password. A plain lower-case word after "basic" is
// prose ("basic authentication failed"), not credentials.
func scrubAuth(s string) string {
	return authValue.ReplaceAllStringFunc(s, func(m string) string {
		sub := authValue.FindStringSubmatch(m)
		if sub[1] != "" && strings.Trim(sub[2], "abcdefghijklmnopqrstuvwxyz") == "" {
			return m
		}
		return sub[1] + sub[3] + " ***"
	})
}

// Redact removes credentials from a URL for messages, as this package's own errors do.
func Redact(s string) string { return redact(s) }

// redact removes credentials from a URL for messages. One that does not parse (a bad
// percent-escape, say) still loses whatever lies between "//" and the "@" of its
// authority: an error about a broken URL must not print the password in it.
func redact(s string) string {
	u, err := url.Parse(s)
	if err == nil {
		if u.User == nil {
			return s
		}
		u.User = nil
		return u.String()
	}
	i := strings.Index(s, "//")
	if i < 0 {
		return s
	}
	rest := s[i+2:]
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	if at := strings.LastIndex(rest[:end], "@"); at >= 0 {
		return s[:i+2] + rest[at+1:]
	}
	return s
}

// ErrWeakEtag: a write would have to be conditional on a weak etag, which If-Match
// cannot use (RFC 7232 compares strongly). It is storage.ErrWeakEtag, which the sync
// branches on.
var ErrWeakEtag = storage.ErrWeakEtag

func (c *Client) maxResponse() int64 {
	if c.MaxResponse > 0 {
		return c.MaxResponse
	}
	return MaxResponse
}

// Cleartext reports whether credentials sent to u could be read on the way: plain
// HTTP to anything but this machine.
func Cleartext(u string) bool {
	p, err := url.Parse(u)
	if err != nil || p.Scheme != "http" {
		return false
	}
	ip := net.ParseIP(p.Hostname())
	return p.Hostname() != "localhost" && (ip == nil || !ip.IsLoopback())
}
