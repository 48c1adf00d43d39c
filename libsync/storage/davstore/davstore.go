// Package davstore adapts a CalDAV or CardDAV home set (through package dav) to the
// sync's storage interfaces. Collection and item hrefs are paths exactly as the server
// wrote them; a collection's ID is the last segment of its path, unescaped, or the
// second-last (SetIDSegment).
package davstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"path"
	"strings"
	"sync"

	"github.com/pimsync-go/libsync/dav"
	"github.com/pimsync-go/libsync/discover"
	"github.com/pimsync-go/libsync/storage"
	vdir "github.com/pimsync-go/libvdir"
)

// Storage is a DAV home set.
type Storage struct {
	c    *dav.Client
	kind dav.Kind
	from string // the URL discovery started from

	mu sync.Mutex
	// home is the home set; a storage opened with Known may find it again once.
	home  *url.URL
	known bool
	// tokens: every collection had a sync token when the home set was last listed,
	// so the next listing asks for no ctags.
	tokens bool
	// filter, when set, filters the calendars (SetFilter).
	filter func() dav.Filter
	// props are the collections' properties as the last Collections listed them: the
	// sync asks for them right after, and the home-set PROPFIND already brought them.
	props map[string]map[string]string
	// seg is the segment of a collection's path that is its ID (SetIDSegment).
	seg IDSegment
}

// IDSegment says which segment of a collection's path is its ID.
type IDSegment int

const (
	// LastSegment: the collection at /calendars/jane/work/ is "work".
	LastSegment IDSegment = iota
	// SecondLastSegment: the collection at /caldav/v2/work/events/ is "work", for
	// servers that end every collection's path with the same segment (Google's CalDAV
	// names each calendar's events so): with the last segment, every calendar would
	// be "events".
	SecondLastSegment
)

// SetIDSegment makes the storage take its collections' IDs from seg (the
// configuration's collection_id_segment). With SecondLastSegment it cannot create
// collections: where a new one's ID goes in its path is the server's to say.
func (s *Storage) SetIDSegment(seg IDSegment) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seg = seg
}

func (s *Storage) idSegment() IDSegment {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.seg
}

// Open finds the home set from u (a home set, a principal, or a URL whose
// current-user-principal leads to one; or an email address or a domain, RFC 6764) and
// returns it as a storage.
func Open(ctx context.Context, c *dav.Client, kind dav.Kind, u string) (*Storage, error) {
	s := &Storage{c: c, kind: kind, from: u}
	if err := s.discover(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// Known returns the storage at a home set that Open found from u before (Home), without
// asking the server: a sync with nothing to do then costs one request. When the home
// set fails to list, Collections finds it again from u, once. tokens is what Tokens
// said then.
func Known(c *dav.Client, kind dav.Kind, u, home string, tokens bool) (*Storage, error) {
	hu, err := homeURL(home)
	if err != nil {
		return nil, err
	}
	return &Storage{c: c, kind: kind, from: u, home: hu, known: true, tokens: tokens}, nil
}

// discover finds the home set from s.from: a URL, or an email address or a domain,
// which RFC 6764 turns into one (DNS SRV and TXT, .well-known; package discover).
func (s *Storage) discover(ctx context.Context) error {
	var home string
	var err error
	if strings.Contains(s.from, "://") {
		home, err = s.c.HomeSet(ctx, s.kind, s.from)
	} else {
		home, err = s.locate(ctx)
	}
	if err != nil {
		return err
	}
	hu, err := homeURL(home)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.home = hu
	s.mu.Unlock()
	return nil
}

// find is discover.Find; tests replace it, having no DNS of their own.
var find = discover.Find

// locate finds the home set of an email address or a domain.
func (s *Storage) locate(ctx context.Context) (string, error) {
	service := discover.CalDAV
	if s.kind == dav.AddressBooks {
		service = discover.CardDAV
	}
	found, err := find(ctx, discover.Options{Input: s.from, Services: []string{service},
		HTTP: s.c.HTTP, User: s.c.User, Password: s.c.Password, UserAgent: s.c.UserAgent})
	if err != nil {
		return "", err
	}
	if len(found) == 0 || found[0].HomeSet == "" {
		return "", fmt.Errorf("%s: the %s service has no home set", s.from, service)
	}
	return found[0].HomeSet, nil
}

func homeURL(home string) (*url.URL, error) {
	hu, err := url.Parse(home)
	if err != nil {
		return nil, fmt.Errorf("home set %q: %w", home, err)
	}
	if !strings.HasSuffix(hu.Path, "/") {
		hu.Path += "/"
		hu.RawPath = ""
	}
	return hu, nil
}

// Home is the home set's URL, to give Known next time.
func (s *Storage) Home() string {
	return s.homeURL().String()
}

// Tokens reports whether every collection had a sync token when Collections last
// listed the home set, to give Known next time.
func (s *Storage) Tokens() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tokens
}

// list lists the home set's collections, with their ctags unless they all had sync
// tokens last time, and learns whether they all have them now.
func (s *Storage) list(ctx context.Context, home string) ([]dav.Collection, error) {
	s.mu.Lock()
	tokens := s.tokens
	s.mu.Unlock()
	list := s.c.Collections
	if tokens {
		list = s.c.CollectionsByToken
	}
	cols, err := list(ctx, s.kind, home)
	if err != nil {
		return nil, err
	}
	all := len(cols) > 0
	for _, c := range cols {
		all = all && c.SyncToken != ""
	}
	s.mu.Lock()
	s.tokens = all
	s.mu.Unlock()
	return cols, nil
}

func (s *Storage) homeURL() *url.URL {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.home
}

func (s *Storage) String() string {
	u := *s.homeURL()
	u.User = nil
	return u.String()
}

func (s *Storage) resolve(href string) (string, error) {
	u, err := s.homeURL().Parse(href)
	if err != nil {
		return "", fmt.Errorf("href %q: %w", href, err)
	}
	return u.String(), nil
}

// Href returns the path a collection called id gets.
func (s *Storage) Href(id string) string {
	return s.homeURL().EscapedPath() + url.PathEscape(id) + "/"
}

// idOf is the ID of the collection at href: its last segment, unescaped, or the one
// before (SecondLastSegment), which some paths lack.
func idOf(href string, seg IDSegment) (string, error) {
	p := strings.TrimSuffix(href, "/")
	if seg == SecondLastSegment {
		p = path.Dir(p)
		if p == "/" || p == "." {
			return "", fmt.Errorf("collection %s has no second-last segment to be its ID (collection_id_segment second-last)", href)
		}
	}
	last := path.Base(p)
	id, err := url.PathUnescape(last)
	if err != nil {
		id = last
	}
	if seg == SecondLastSegment && (id == "" || id == "." || id == ".." || strings.Contains(id, "/")) {
		return "", fmt.Errorf("collection %s: its second-last segment %q cannot be an ID (collection_id_segment second-last)", href, last)
	}
	return id, nil
}

// Collections lists the home set's calendars or address books. A home set that came
// from Known and fails is looked for again from the configured URL: the account may
// have moved.
func (s *Storage) Collections(ctx context.Context) ([]storage.CollectionInfo, error) {
	home := s.homeURL()
	cols, err := s.list(ctx, home.String())
	s.mu.Lock()
	retry := err != nil && s.known && ctx.Err() == nil
	s.known = false
	s.mu.Unlock()
	if retry {
		if derr := s.discover(ctx); derr != nil {
			return nil, fmt.Errorf("%w (finding the home set again from %s: %v)", err, s.from, derr)
		}
		if moved := s.homeURL(); moved.String() != home.String() {
			home = moved
			cols, err = s.list(ctx, home.String())
		}
	}
	if err != nil {
		return nil, err
	}
	out := make([]storage.CollectionInfo, len(cols))
	props := make(map[string]map[string]string, len(cols))
	filter := s.filterFunc()
	seg := s.idSegment()
	// Two collections with one ID would be synced as one: a sync must not guess which.
	hrefOf := make(map[string]string, len(cols))
	for i, c := range cols {
		href := c.Href
		if u, err := home.Parse(c.Href); err == nil {
			href = u.EscapedPath()
		}
		props[href] = c.Props
		version, token := c.SyncToken, c.SyncToken
		if version == "" {
			version = c.CTag
		}
		if filter != nil {
			version, token = "", "" // listed in full every time (SetFilter)
		}
		id, err := idOf(href, seg)
		if err != nil {
			return nil, err
		}
		if other, ok := hrefOf[id]; ok {
			return nil, fmt.Errorf("collections %s and %s both have the ID %q: choose another collection_id_segment", other, href, id)
		}
		hrefOf[id] = href
		out[i] = storage.CollectionInfo{ID: id, Href: href, Version: version, SyncToken: token}
	}
	// Only a listing that succeeded replaces the properties the last one brought.
	s.mu.Lock()
	s.props = props
	s.mu.Unlock()
	return out, nil
}

// Collection returns the collection at href.
func (s *Storage) Collection(ctx context.Context, href string) (storage.Collection, error) {
	u, err := s.resolve(href)
	if err != nil {
		return nil, err
	}
	c := &Collection{s: s, url: u, path: href}
	if f := s.filterFunc(); f != nil {
		return filtered{c, f}, nil
	}
	return c, nil
}

// CreateCollection makes a calendar or address book called id.
func (s *Storage) CreateCollection(ctx context.Context, id string) (storage.CollectionInfo, error) {
	if s.idSegment() == SecondLastSegment {
		return storage.CollectionInfo{}, fmt.Errorf("create collection %s: not with collection_id_segment second-last, where the server says where an ID goes in a path; create it on the server", id)
	}
	href := s.Href(id)
	u, err := s.resolve(href)
	if err != nil {
		return storage.CollectionInfo{}, err
	}
	if err := s.c.MakeCollection(ctx, s.kind, u); err != nil {
		return storage.CollectionInfo{}, err
	}
	return storage.CollectionInfo{ID: id, Href: href}, nil
}

// DeleteCollection deletes the collection at href if it lists no items.
func (s *Storage) DeleteCollection(ctx context.Context, href string) error {
	u, err := s.resolve(href)
	if err != nil {
		return err
	}
	items, err := s.c.List(ctx, u)
	if err != nil {
		return err
	}
	if len(items) > 0 {
		return fmt.Errorf("delete collection %s: %w (%d items)", href, storage.ErrNotEmpty, len(items))
	}
	return s.c.DeleteCollection(ctx, u)
}

// Collection is one calendar or address book on the server.
type Collection struct {
	s    *Storage
	url  string
	path string
}

// List lists the items with their etags (PROPFIND Depth 1).
func (c *Collection) List(ctx context.Context) (storage.Listing, error) {
	res, err := c.s.c.List(ctx, c.url)
	if err != nil {
		return storage.Listing{}, err
	}
	l := storage.Listing{Items: make([]storage.Entry, len(res))}
	for i, r := range res {
		l.Items[i] = storage.Entry{Href: canonicalHref(r.Href), Etag: r.Etag}
	}
	return l, nil
}

// Get fetches the items with one multiget.
func (c *Collection) Get(ctx context.Context, hrefs []string) ([]storage.Item, error) {
	got, err := c.s.c.Multiget(ctx, c.s.kind, c.url, hrefs)
	if err != nil {
		return nil, err
	}
	out := make([]storage.Item, len(got))
	for i, f := range got {
		out[i] = storage.Item{Href: f.Href, Etag: f.Etag, Data: f.Data, Err: f.Err}
	}
	return out, nil
}

var _ storage.AllGetter = (*Collection)(nil) // the contract tests GetAll only where it is

// GetAll fetches every item with one calendar-query or addressbook-query REPORT,
// streamed (see dav.Client.All).
func (c *Collection) GetAll(ctx context.Context, fn func(storage.Item) error) error {
	return c.s.c.All(ctx, c.s.kind, c.url, func(f dav.Fetched) error {
		return fn(storage.Item{Href: canonicalHref(f.Href), Etag: f.Etag, Data: f.Data})
	})
}

// resolve makes an item's href a URL. Hrefs are the absolute paths listings give; a
// relative one is taken, as a multiget takes it, relative to the collection.
func (c *Collection) resolve(href string) (string, error) {
	base, err := url.Parse(c.url)
	if err != nil {
		return "", err
	}
	u, err := base.Parse(href)
	if err != nil {
		return "", fmt.Errorf("href %q: %w", href, err)
	}
	return u.String(), nil
}

func (c *Collection) ext() string {
	if c.s.kind == dav.AddressBooks {
		return "vcf"
	}
	return "ics"
}

// Create PUTs a new item (If-None-Match: *) named after ident, or under a random name
// when that one is taken.
func (c *Collection) Create(ctx context.Context, ident string, data []byte) (string, string, error) {
	dir := strings.TrimSuffix(c.path, "/") + "/"
	href := canonicalHref(dir + url.PathEscape(vdir.SafeName(ident, c.ext())))
	etag, err := c.put(ctx, href, "", data)
	if errors.Is(err, storage.ErrPrecondition) {
		var b [16]byte
		rand.Read(b[:])
		href = dir + hex.EncodeToString(b[:]) + "." + c.ext()
		etag, err = c.put(ctx, href, "", data)
	}
	if err != nil {
		return "", "", err
	}
	return href, etag, nil
}

func (c *Collection) put(ctx context.Context, href, etag string, data []byte) (string, error) {
	u, err := c.resolve(href)
	if err != nil {
		return "", err
	}
	return c.s.c.Put(ctx, c.s.kind, u, etag, data)
}

// Update PUTs the item at href with If-Match: etag.
func (c *Collection) Update(ctx context.Context, href, etag string, data []byte) (string, error) {
	return c.put(ctx, href, etag, data)
}

// Delete deletes the item at href with If-Match: etag.
func (c *Collection) Delete(ctx context.Context, href, etag string) error {
	u, err := c.resolve(href)
	if err != nil {
		return err
	}
	return c.s.c.Delete(ctx, u, etag)
}

// takeProps returns, once, the properties the last Collections listed for href.
func (s *Storage) takeProps(href string) (map[string]string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.props[href]
	delete(s.props, href)
	return p, ok
}

// Props returns the collection's synced properties: those the home-set listing just
// brought, or asked for with PROPFIND.
func (c *Collection) Props(ctx context.Context) (map[storage.Prop]string, error) {
	props, ok := c.s.takeProps(c.path)
	if !ok {
		var err error
		if props, err = c.s.c.Props(ctx, c.s.kind, c.url); err != nil {
			return nil, err
		}
	}
	out := make(map[storage.Prop]string, len(props))
	for k, v := range props {
		out[storage.Prop(k)] = v
	}
	return out, nil
}

// SetProp sets or removes a property with PROPPATCH.
func (c *Collection) SetProp(ctx context.Context, p storage.Prop, value string) error {
	c.s.takeProps(c.path)
	return c.s.c.SetProp(ctx, c.s.kind, c.url, string(p), value)
}

// SupportedProps: address books have a name and a description only (RFC 6352);
// Xandikos refuses a color on them.
func (c *Collection) SupportedProps() []storage.Prop {
	if c.s.kind == dav.AddressBooks {
		return []storage.Prop{storage.DisplayName, storage.Description}
	}
	return storage.Props
}

// ForceUpdate PUTs without If-Match (see storage.Forcer).
func (c *Collection) ForceUpdate(ctx context.Context, href string, data []byte) (string, error) {
	u, err := c.resolve(href)
	if err != nil {
		return "", err
	}
	return c.s.c.Replace(ctx, c.s.kind, u, data)
}

// ForceDelete DELETEs without If-Match (see storage.Forcer).
func (c *Collection) ForceDelete(ctx context.Context, href string) error {
	u, err := c.resolve(href)
	if err != nil {
		return err
	}
	return c.s.c.Delete(ctx, u, "")
}

// Changes lists what changed since token with a sync-collection REPORT. A collection's
// Version is its sync token when it has one (Collections), so the new token is also
// the new version.
func (c *Collection) Changes(ctx context.Context, token string) (storage.Changes, error) {
	ch, err := c.s.c.SyncCollection(ctx, c.url, token)
	if err != nil {
		return storage.Changes{}, err
	}
	out := storage.Changes{Changed: make([]storage.Entry, len(ch.Changed)), Token: ch.Token, Version: ch.Token}
	for i, r := range ch.Changed {
		out.Changed[i] = storage.Entry{Href: canonicalHref(r.Href), Etag: r.Etag}
	}
	for _, h := range ch.Deleted {
		out.Deleted = append(out.Deleted, canonicalHref(h))
	}
	return out, nil
}
