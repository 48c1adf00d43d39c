// Package webcalstore is the read-only storage of a webcal feed: one collection (the
// configuration's collection_id) whose items are the feed's items, split by UID.
package webcalstore

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/pimsync-go/libsync/dav"
	"github.com/pimsync-go/libsync/storage"
	"github.com/pimsync-go/libsync/webcal"
	vdir "github.com/pimsync-go/libvdir"
	"github.com/pimsync-go/libvdir/item"
)

// Storage is a webcal feed. The feed is fetched by Collections (and by List when
// Collections was not called), conditionally after the first time, so a process that
// syncs again (the daemon) pays one 304 for an unchanged feed. Nothing is persisted:
// a new process fetches the feed once in full, and the sync then skips the listing
// when its content hash is the one it recorded.
type Storage struct {
	client *dav.Client
	url    string // as configured, for messages (credentials removed)
	id     string

	mu      sync.Mutex
	fetched bool
	cache   webcal.Cache
	hash    string
	items   map[string]entry // by href
	props   map[storage.Prop]string
}

// entry is one item of the last fetch.
type entry struct {
	etag string
	data []byte
}

// Open returns the storage of the feed at url (http, https or webcal), whose one
// collection is called collectionID. It fetches nothing yet.
func Open(client *dav.Client, url, collectionID string) (*Storage, error) {
	u, err := webcal.NormalizeURL(url)
	if err != nil {
		return nil, err
	}
	if collectionID == "" {
		return nil, fmt.Errorf("webcal %s: no collection_id", u)
	}
	return &Storage{client: client, url: u, id: collectionID}, nil
}

// refresh fetches the feed unless the server says it is unchanged. A feed that fails
// to fetch or parse leaves the last good items as they were, and is an error.
func (s *Storage) refresh(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	items := map[string]entry{}
	var props map[storage.Prop]string
	res, err := webcal.Fetch(ctx, s.client, s.url, s.cache, func(p item.Piece) error {
		if props == nil {
			props = feedProps(p.Data) // every piece has the calendar's header
		}
		ext := "ics"
		if p.Kind == item.Card {
			ext = "vcf"
		}
		// The etag is the content hash, so an item the feed did not change keeps
		// its etag across fetches and the sync reads it no further.
		etag := item.Hash(p.Data)
		href := vdir.SafeName(p.UID, ext)
		if _, dup := items[href]; dup {
			// Split makes one item per UID; only a vCard stream repeats one.
			href = vdir.SafeName(p.UID+"-"+etag[:16], ext)
		}
		items[href] = entry{etag: etag, data: p.Data}
		return nil
	})
	if err != nil {
		return fmt.Errorf("webcal %s: %w", s, err)
	}
	s.cache = res.Cache
	switch {
	case res.NotModified && !s.fetched:
		// A 304 to a process that has no items yet cannot happen (it sent no
		// validators); be safe rather than list nothing.
		return fmt.Errorf("webcal %s: 304 Not Modified without an earlier fetch", s)
	case !res.NotModified:
		s.items, s.hash, s.fetched, s.props = items, res.Hash, true, props
	}
	return nil
}

// feedNames are the header properties of a feed that are collection properties.
var feedNames = map[string]storage.Prop{"X-WR-CALNAME": storage.DisplayName,
	"X-WR-CALDESC": storage.Description, "X-APPLE-CALENDAR-COLOR": storage.Color}

// feedProps are the properties a feed names for itself in its calendar's header:
// X-WR-CALNAME (the name every calendar program shows for a subscription),
// X-WR-CALDESC and X-APPLE-CALENDAR-COLOR.
func feedProps(data []byte) map[storage.Prop]string {
	out := map[storage.Prop]string{}
	for name, v := range item.HeaderProps(data, slices.Collect(maps.Keys(feedNames))...) {
		if v := strings.TrimSpace(v.Value); v != "" {
			out[feedNames[name]] = v
		}
	}
	return out
}

// Collections fetches the feed (conditionally) and returns its one collection, whose
// Version is the feed's content hash: unchanged when the feed is.
func (s *Storage) Collections(ctx context.Context) ([]storage.CollectionInfo, error) {
	if err := s.refresh(ctx); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return []storage.CollectionInfo{{ID: s.id, Href: s.id, Version: "sha256:" + s.hash}}, nil
}

// Collection returns the feed's collection; any other href is not found.
func (s *Storage) Collection(ctx context.Context, href string) (storage.Collection, error) {
	if href != s.id {
		return nil, fmt.Errorf("webcal %s: collection %s: %w", s, href, storage.ErrNotFound)
	}
	return &Collection{s: s}, nil
}

// Href returns id: the feed's collection is named by its collection_id.
func (s *Storage) Href(id string) string { return id }

// CreateCollection fails: a feed cannot be written.
func (s *Storage) CreateCollection(ctx context.Context, id string) (storage.CollectionInfo, error) {
	return storage.CollectionInfo{}, fmt.Errorf("create collection %s in webcal %s: %w", id, s, storage.ErrReadOnly)
}

// DeleteCollection fails: a feed cannot be written.
func (s *Storage) DeleteCollection(ctx context.Context, href string) error {
	return fmt.Errorf("delete collection %s in webcal %s: %w", href, s, storage.ErrReadOnly)
}

// String returns the feed's URL.
func (s *Storage) String() string { return dav.Redact(s.url) }

// Collection is the feed's one collection.
type Collection struct{ s *Storage }

// List returns the items of the last fetch, fetching the feed first if it never was.
func (c *Collection) List(ctx context.Context) (storage.Listing, error) {
	c.s.mu.Lock()
	fetched := c.s.fetched
	c.s.mu.Unlock()
	if !fetched {
		if err := c.s.refresh(ctx); err != nil {
			return storage.Listing{}, err
		}
	}
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	l := storage.Listing{Items: make([]storage.Entry, 0, len(c.s.items))}
	for href, e := range c.s.items {
		l.Items = append(l.Items, storage.Entry{Href: href, Etag: e.etag})
	}
	sort.Slice(l.Items, func(i, j int) bool { return l.Items[i].Href < l.Items[j].Href })
	return l, nil
}

// Get returns items of the last fetch; an href the feed no longer has is not found.
func (c *Collection) Get(ctx context.Context, hrefs []string) ([]storage.Item, error) {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	out := make([]storage.Item, 0, len(hrefs))
	for _, h := range hrefs {
		e, ok := c.s.items[h]
		if !ok {
			out = append(out, storage.Item{Href: h, Err: fmt.Errorf("webcal %s: %s: %w", c.s, h, storage.ErrNotFound)})
			continue
		}
		out = append(out, storage.Item{Href: h, Etag: e.etag, Data: e.data})
	}
	return out, nil
}

// Create fails: a feed cannot be written.
func (c *Collection) Create(ctx context.Context, ident string, data []byte) (string, string, error) {
	return "", "", fmt.Errorf("create %s in webcal %s: %w", ident, c.s, storage.ErrReadOnly)
}

// Update fails: a feed cannot be written.
func (c *Collection) Update(ctx context.Context, href, etag string, data []byte) (string, error) {
	return "", fmt.Errorf("update %s in webcal %s: %w", href, c.s, storage.ErrReadOnly)
}

// Delete fails: a feed cannot be written.
func (c *Collection) Delete(ctx context.Context, href, etag string) error {
	return fmt.Errorf("delete %s in webcal %s: %w", href, c.s, storage.ErrReadOnly)
}

// Props returns the properties the feed names for itself (feedProps).
func (c *Collection) Props(ctx context.Context) (map[storage.Prop]string, error) {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	out := make(map[storage.Prop]string, len(c.s.props))
	for k, v := range c.s.props {
		out[k] = v
	}
	return out, nil
}

// SupportedProps are the properties the feed names now: one it does not name is left
// alone on the other side, never taken for deleted.
func (c *Collection) SupportedProps() []storage.Prop {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	var out []storage.Prop
	for _, p := range storage.Props {
		if _, ok := c.s.props[p]; ok {
			out = append(out, p)
		}
	}
	return out
}

// SetProp fails: a feed cannot be written.
func (c *Collection) SetProp(ctx context.Context, p storage.Prop, value string) error {
	return fmt.Errorf("set %s in webcal %s: %w", p, c.s, storage.ErrReadOnly)
}
