package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/pimsync-go/libsync/cli"
	"github.com/pimsync-go/libsync/dav"
	"github.com/pimsync-go/libsync/discover"
)

// connFlags say which server to talk to and how: every command takes them.
type connFlags struct {
	URL string `name:"url" env:"DAVCLI_URL" placeholder:"URL" help:"Base URL: relative hrefs resolve against it, and collections lists it when given no URL."`
	cli.DAVFlags
}

// conn is a ready client and what it knows of the server.
type conn struct {
	c    *dav.Client
	auth *argAuth
	base *url.URL // what relative hrefs resolve against; nil when there is none
	// kind is the collection kind --storage implies (caldav or carddav); 0 when unknown.
	kind dav.Kind
}

// connect builds the client from the flags, the environment and --storage.
func (g *grammar) connect(ctx context.Context) (*conn, error) {
	l, err := g.Login(ctx, g.URL)
	if err != nil {
		return nil, err
	}
	cn := &conn{kind: l.Kind}
	base := takeUserinfo(l.URL, &l.User, &l.Password)
	opts := l.HTTP
	if strings.HasPrefix(base, "unix:") {
		if opts.Socket != "" {
			return nil, &cli.UsageError{Err: fmt.Errorf("the URL is unix:// and --socket is %s as well: name the socket once", opts.Socket)}
		}
		u, sock, err := dav.UnixURL(base)
		if err != nil {
			return nil, &cli.UsageError{Err: err}
		}
		base, opts.Socket = u, sock
	}
	hc, err := dav.NewHTTPClient(opts)
	if err != nil {
		return nil, &cli.UsageError{Err: err}
	}
	cn.auth = &argAuth{next: hc.Transport, by: map[string]*url.Userinfo{}}
	if cn.auth.next == nil {
		cn.auth.next = http.DefaultTransport
	}
	hc.Transport = cn.auth
	cn.c = &dav.Client{HTTP: hc, User: l.User, Password: l.Password, UserAgent: "davcli/" + version}
	if base != "" && !strings.Contains(base, "://") {
		// An email address or a domain, as a pimsync storage's url may be: its home
		// set, found as pimsync-discover finds it, is the base.
		if base, err = cn.locate(ctx, base); err != nil {
			return nil, err
		}
	}
	if base != "" {
		u, err := url.Parse(base)
		if err != nil || u.Scheme != "http" && u.Scheme != "https" {
			return nil, &cli.UsageError{Err: fmt.Errorf("base URL %q is not an http:// or https:// URL", dav.Redact(base))}
		}
		cn.base = u
	}
	return cn, nil
}

// takeUserinfo removes the user name and password from a base URL and gives them to the
// client instead, unless user and password are set already (as net/http, which would
// otherwise send them, ignores them then). Every URL printed is resolved against the
// base, so a password left in it would be printed with each.
func takeUserinfo(base string, user, password *string) string {
	u, err := url.Parse(base)
	if err != nil || u.User == nil {
		return base // an unparsable URL is refused later, through dav.Redact
	}
	if *user == "" && *password == "" {
		*user = u.User.Username()
		*password, _ = u.User.Password()
	}
	u.User = nil
	return u.String()
}

// locate finds the home set of an email address or a domain (RFC 6764): CalDAV's,
// unless --storage is a carddav storage.
func (cn *conn) locate(ctx context.Context, input string) (string, error) {
	service := discover.CalDAV
	if cn.kind == dav.AddressBooks {
		service = discover.CardDAV
	}
	found, err := discover.Find(ctx, discover.Options{Input: input, Services: []string{service},
		HTTP: cn.c.HTTP, User: cn.c.User, Password: cn.c.Password, UserAgent: cn.c.UserAgent})
	if err != nil {
		return "", err
	}
	if len(found) == 0 || found[0].HomeSet == "" {
		return "", fmt.Errorf("%s: the %s service has no home set", input, service)
	}
	return found[0].HomeSet, nil
}

// resolve makes an href or URL from the command line or from a JSON line a full URL:
// a relative one resolves against the base URL.
func (cn *conn) resolve(ref string) (string, error) {
	u, err := url.Parse(ref)
	if err != nil {
		return "", &cli.UsageError{Err: fmt.Errorf("%q is not a URL: %w", ref, err)}
	}
	if !u.IsAbs() {
		if cn.base == nil {
			return "", &cli.UsageError{Err: fmt.Errorf("%q is not a full URL; give one, or a base with --url, $DAVCLI_URL or --storage", dav.Redact(ref))}
		}
		// A reference such as "//user:pw@host/x" brings a host and userinfo of its own.
		u = cn.base.ResolveReference(u)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", &cli.UsageError{Err: fmt.Errorf("%q is not an http:// or https:// URL", dav.Redact(ref))}
	}
	if u.Host == "" {
		return "", &cli.UsageError{Err: fmt.Errorf("%q names no host", dav.Redact(ref))}
	}
	if u.User != nil {
		// Every URL printed for what this one lists derives from it: the password
		// moves to the requests, as a base URL's does (takeUserinfo), and given
		// credentials win over it.
		if cn.c.User == "" && cn.c.Password == "" {
			cn.auth.add(u)
		}
		u.User = nil
	}
	return u.String(), nil
}

// kindName names a kind in output: "calendar" or "addressbook".
func kindName(k dav.Kind) string {
	if k == dav.AddressBooks {
		return "addressbook"
	}
	return "calendar"
}

// kindFrom reads a kind from what JSON lines say: collections' "kind", or
// pimsync-discover's "service", or an item's content type. 0 when it says nothing.
func kindFrom(s string) dav.Kind {
	s = strings.ToLower(strings.TrimSpace(s))
	switch {
	case s == "addressbook" || s == "carddav" || strings.HasPrefix(s, "text/vcard") || strings.HasPrefix(s, "text/x-vcard"):
		return dav.AddressBooks
	case s == "calendar" || s == "caldav" || strings.HasPrefix(s, "text/calendar"):
		return dav.Calendars
	}
	return 0
}

// kindOf finds whether the collection at collURL holds calendars or address books: from
// hint (what the input said), else from its items' content types (listed, or listed
// here when the caller has no listing), else from --storage's type, else by asking
// its parent which address books it has. Calendars when nothing tells: most
// collections are.
func (cn *conn) kindOf(ctx context.Context, collURL string, hint dav.Kind, listed []dav.Resource) dav.Kind {
	if hint != 0 {
		return hint
	}
	if listed == nil {
		listed, _ = cn.c.List(ctx, collURL) // a failure leaves the other ways to tell
	}
	for _, r := range listed {
		if k := kindFrom(r.ContentType); k != 0 {
			return k
		}
	}
	if cn.kind != 0 {
		return cn.kind
	}
	u, err := url.Parse(collURL)
	if err != nil {
		return dav.Calendars
	}
	self := strings.TrimSuffix(u.EscapedPath(), "/")
	parent, err := u.Parse(self[:strings.LastIndex(self, "/")+1])
	if err != nil {
		return dav.Calendars
	}
	books, err := cn.c.Collections(ctx, dav.AddressBooks, parent.String())
	if err != nil {
		return dav.Calendars
	}
	for _, b := range books {
		if bu, err := parent.Parse(b.Href); err == nil && strings.TrimSuffix(bu.EscapedPath(), "/") == self {
			return dav.AddressBooks
		}
	}
	return dav.Calendars
}

// argAuth gives Basic credentials to the requests for an origin that an argument named
// with userinfo (http://u:p@host/…), which resolve takes out of the URL. Commands
// resolve their arguments while requests for earlier ones run, hence the lock.
type argAuth struct {
	next http.RoundTripper
	mu   sync.Mutex
	by   map[string]*url.Userinfo // by scheme://host
}

func (a *argAuth) add(u *url.URL) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.by[u.Scheme+"://"+u.Host] = u.User
}

func (a *argAuth) RoundTrip(req *http.Request) (*http.Response, error) {
	a.mu.Lock()
	ui := a.by[req.URL.Scheme+"://"+req.URL.Host]
	a.mu.Unlock()
	if ui == nil || req.Header.Get("Authorization") != "" {
		return a.next.RoundTrip(req)
	}
	req = req.Clone(req.Context())
	pw, _ := ui.Password()
	req.SetBasicAuth(ui.Username(), pw)
	return a.next.RoundTrip(req)
}
