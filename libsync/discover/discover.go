// Package discover finds a user's CalDAV and CardDAV services, as RFC 6764 says: from
// an email address or a domain through DNS (SRV _caldavs._tcp, then _caldav._tcp,
// likewise for CardDAV; a TXT path=), else the domain's /.well-known/caldav; or from a
// URL. From each context URL it follows the current user's principal to the home set
// and lists the collections there with what a sync needs to know of them.
package discover

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strings"

	"github.com/pimsync-go/libsync/dav"
)

// The services discovery knows.
const (
	CalDAV  = "caldav"
	CardDAV = "carddav"
)

// Options say what to discover and how.
type Options struct {
	// Input is an email address, a domain or a URL (see ParseInput).
	Input string
	// Services are CalDAV, CardDAV or both; none means both.
	Services []string
	// Resolver asks DNS; nil means the servers of /etc/resolv.conf. A URL input needs
	// none.
	Resolver *Resolver
	// HTTP makes the requests; nil means dav.NewHTTPClient's defaults.
	HTTP *http.Client
	// User and Password are sent with every request (Basic, or Digest when asked).
	User, Password string
	UserAgent      string
	// Intn(n) returns a number in [0, n) for RFC 2782's weighted choice among SRV
	// records; nil means math/rand. Tests fix it.
	Intn func(int) int
	// Log receives a debug line per step; nil means slog.Default().
	Log *slog.Logger
}

// Service is one service found.
type Service struct {
	Service string // CalDAV or CardDAV
	// FoundBy is how the context URL was found: "url" (the input), "srv" (an SRV
	// record, with the path of a TXT record or the well-known one) or "well-known"
	// (the domain's /.well-known/caldav or /.well-known/carddav).
	FoundBy string
	// ContextURL is where the server answered, after its redirects.
	ContextURL string
	// Principal is the current user's principal; "" when the server names none.
	Principal string
	// HomeSet holds the collections.
	HomeSet     string
	Collections []Collection
}

// Collection is a calendar or an address book of a home set.
type Collection struct {
	Href        string // its URL
	ID          string // the last segment of its path, unescaped
	DisplayName string
	Color       string
	Description string
	// Components are what a calendar takes (VEVENT, VTODO, VJOURNAL…); none for an
	// address book, or when the server does not say.
	Components []string
	CTag       bool // the server reports a getctag: a change is seen with one request
	SyncToken  bool // the server reports a sync-token (RFC 6578)
}

// NotFoundError says that a service was not found, and what was tried.
type NotFoundError struct {
	Service string
	Input   string
	// Tried are the steps, in order, each with its outcome: DNS lookups and requests.
	Tried []string
}

func (e *NotFoundError) Error() string {
	return fmt.Sprintf("no %s service found for %s; tried: %s", e.Service, e.Input, strings.Join(e.Tried, "; "))
}

// Find discovers each service of o.Services from o.Input. It returns those it found,
// CalDAV first;
// the error joins a *NotFoundError for each it did not find, or is the input's.
func Find(ctx context.Context, o Options) ([]Service, error) {
	in, err := ParseInput(o.Input)
	if err != nil {
		return nil, err
	}
	services := o.Services
	if len(services) == 0 {
		services = []string{CalDAV, CardDAV}
	}
	for _, s := range services {
		if s != CalDAV && s != CardDAV {
			return nil, fmt.Errorf("unknown service %q: %s or %s", s, CalDAV, CardDAV)
		}
	}
	f := &finder{o: o, in: in, log: o.Log,
		client: &dav.Client{HTTP: o.HTTP, User: o.User, Password: o.Password, UserAgent: o.UserAgent,
			// A step that fails has a next one to try; waiting to retry it would only
			// make a missing service slow to report.
			Retries: -1, Log: o.Log}}
	if f.log == nil {
		f.log = slog.Default()
	}
	if f.o.Intn == nil {
		f.o.Intn = rand.IntN
	}
	if in.URL == nil && f.o.Resolver == nil {
		if f.o.Resolver, err = ResolverFromFile(ResolvConf); err != nil {
			return nil, err
		}
	}
	var found []Service
	var errs []error
	for _, s := range []string{CalDAV, CardDAV} {
		if !slices.Contains(services, s) {
			continue
		}
		svc, err := f.find(ctx, s)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		found = append(found, svc)
	}
	return found, errors.Join(errs...)
}

// finder runs one discovery.
type finder struct {
	o      Options
	in     Input
	client *dav.Client
	log    *slog.Logger
}

// candidate is a context URL to try.
type candidate struct {
	url     string
	foundBy string
}

// find tries each candidate context URL for service in turn, and returns the first that
// leads to a home set.
func (f *finder) find(ctx context.Context, service string) (Service, error) {
	nf := &NotFoundError{Service: service, Input: f.in.String()}
	var cands []candidate
	if f.in.URL != nil {
		cands = f.urlCandidates(service)
	} else {
		var err error
		if cands, err = f.dnsCandidates(ctx, service, nf); err != nil {
			return Service{}, err
		}
	}
	kind := dav.Calendars
	if service == CardDAV {
		kind = dav.AddressBooks
	}
	for _, c := range cands {
		svc, err := f.try(ctx, kind, c)
		if err != nil {
			if ctx.Err() != nil {
				return Service{}, ctx.Err()
			}
			f.log.Debug("discovery step failed", "service", service, "url", redact(c.url), "err", err)
			nf.Tried = append(nf.Tried, explain(err))
			continue
		}
		svc.Service = service
		return svc, nil
	}
	return Service{}, nf
}

// urlCandidates are the input URL, then the well-known URL of its server.
func (f *finder) urlCandidates(service string) []candidate {
	cands := []candidate{{url: f.in.URL.String(), foundBy: "url"}}
	wk := url.URL{Scheme: f.in.URL.Scheme, User: f.in.URL.User, Host: f.in.URL.Host, Path: "/.well-known/" + service}
	if wk.String() != cands[0].url {
		cands = append(cands, candidate{url: wk.String(), foundBy: "well-known"})
	}
	return cands
}

// try follows one context URL to a home set and lists it.
func (f *finder) try(ctx context.Context, kind dav.Kind, c candidate) (Service, error) {
	if f.o.User != "" && dav.Cleartext(c.url) {
		f.log.Warn("sending credentials without TLS", "url", redact(c.url))
	}
	h, err := f.client.FindHome(ctx, kind, c.url)
	if err != nil {
		return Service{}, err
	}
	home := h.HomeSet
	if home == "" && c.foundBy == "url" {
		// A URL people give may be the home set itself, which names no home set.
		home = h.Answered
	}
	if home == "" {
		return Service{}, fmt.Errorf("PROPFIND %s: %s", redact(c.url), noHome(kind, h))
	}
	cols, base, err := f.client.FindCollections(ctx, kind, home)
	if err != nil {
		return Service{}, err
	}
	if h.HomeSet == "" && len(cols) == 0 {
		return Service{}, fmt.Errorf("PROPFIND %s: %s, and it lists no %s", redact(c.url), noHome(kind, h), kindName(kind))
	}
	svc := Service{FoundBy: c.foundBy, ContextURL: withoutUser(h.Answered), Principal: withoutUser(h.Principal),
		HomeSet: withoutUser(home), Collections: []Collection{}}
	b, err := url.Parse(base)
	if err != nil {
		return Service{}, err
	}
	for _, col := range cols {
		u, err := b.Parse(col.Href)
		if err != nil {
			continue // FindCollections parsed it already
		}
		id, err := url.PathUnescape(path.Base(strings.TrimSuffix(u.EscapedPath(), "/")))
		if err != nil {
			id = path.Base(strings.TrimSuffix(u.Path, "/"))
		}
		u.User = nil
		svc.Collections = append(svc.Collections, Collection{Href: u.String(), ID: id,
			DisplayName: col.Props["displayname"], Color: col.Props["color"], Description: col.Props["description"],
			Components: append([]string{}, col.Components...), CTag: col.CTag != "", SyncToken: col.SyncToken != ""})
	}
	slices.SortFunc(svc.Collections, func(a, b Collection) int { return strings.Compare(a.Href, b.Href) })
	f.log.Debug("found", "service", kindName(kind), "context", redact(h.Answered), "principal", redact(h.Principal),
		"home_set", redact(home), "collections", len(svc.Collections))
	return svc, nil
}

// noHome says why h leads to no home set.
func noHome(kind dav.Kind, h dav.Home) string {
	if h.Principal == "" {
		return "the server names no current-user-principal"
	}
	prop := "calendar-home-set"
	if kind == dav.AddressBooks {
		prop = "addressbook-home-set"
	}
	return "the principal " + redact(h.Principal) + " names no " + prop
}

func kindName(kind dav.Kind) string {
	if kind == dav.AddressBooks {
		return "address books"
	}
	return "calendars"
}

// explain adds a hint to errors whose cause people often miss.
func explain(err error) string {
	var se *dav.StatusError
	if errors.As(err, &se) && se.Code == http.StatusUnauthorized {
		return err.Error() + " (wrong or missing credentials)"
	}
	return err.Error()
}

// withoutUser removes the user name and password a URL given as input may hold, and
// which every URL the server names then carries: what is found gets printed.
func withoutUser(s string) string { return dav.Redact(s) }

// redact removes the user name and password a URL may hold, for messages.
func redact(s string) string { return dav.Redact(s) }
