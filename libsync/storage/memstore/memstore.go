// Package memstore is a storage held in memory, for tests: the sync's scenario and
// model tests run on it, and its Fail hook injects errors and crashes at chosen moments.
package memstore

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/pimsync-go/libsync/storage"
	vdir "github.com/pimsync-go/libvdir"
)

// Storage is an in-memory storage. Its zero value is not usable; call New.
type Storage struct {
	// Fail, when set, is called before every write (op is "create", "update",
	// "delete", "mkcol", "rmcol" or "prop") and before every Get of one href (op "get");
	// a non-nil error fails the operation without changing anything.
	Fail func(op, href string) error

	name string
	mu   sync.Mutex
	cols map[string]*Collection
	seq  int
}

// New returns an empty storage called name.
func New(name string) *Storage {
	return &Storage{name: name, cols: map[string]*Collection{}}
}

func (s *Storage) String() string { return s.name }

// Href returns "/id/".
func (s *Storage) Href(id string) string { return "/" + id + "/" }

func (s *Storage) fail(op, href string) error {
	if s.Fail == nil {
		return nil
	}
	return s.Fail(op, href)
}

func (s *Storage) etag() string {
	s.seq++
	return "e" + strconv.Itoa(s.seq)
}

// Collections lists the collections sorted by ID.
func (s *Storage) Collections(ctx context.Context) ([]storage.CollectionInfo, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []storage.CollectionInfo
	for href, c := range s.cols {
		v := strconv.Itoa(c.version)
		out = append(out, storage.CollectionInfo{ID: c.id, Href: href, Version: "v" + v, SyncToken: "t" + v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// Collection returns the collection at href.
func (s *Storage) Collection(ctx context.Context, href string) (storage.Collection, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.cols[href]
	if !ok {
		return nil, fmt.Errorf("%s: collection %s: %w", s.name, href, storage.ErrNotFound)
	}
	return c, nil
}

// Add creates the collection id if needed and returns it, for tests to fill.
func (s *Storage) Add(id string) *Collection {
	s.mu.Lock()
	defer s.mu.Unlock()
	href := s.Href(id)
	if c, ok := s.cols[href]; ok {
		return c
	}
	c := &Collection{s: s, id: id, items: map[string]*entry{}, props: map[storage.Prop]string{}, changed: map[int]string{}}
	s.cols[href] = c
	return c
}

// Remove deletes the collection id and its items, as a user would.
func (s *Storage) Remove(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.cols, s.Href(id))
}

// CreateCollection makes the collection id.
func (s *Storage) CreateCollection(ctx context.Context, id string) (storage.CollectionInfo, error) {
	href := s.Href(id)
	s.mu.Lock()
	if err := s.fail("mkcol", href); err != nil {
		s.mu.Unlock()
		return storage.CollectionInfo{}, err
	}
	_, exists := s.cols[href]
	s.mu.Unlock()
	if exists {
		return storage.CollectionInfo{}, fmt.Errorf("%s: create collection %s: %w", s.name, href, storage.ErrPrecondition)
	}
	s.Add(id)
	return storage.CollectionInfo{ID: id, Href: href}, nil
}

// DeleteCollection removes the collection at href if it has no items.
func (s *Storage) DeleteCollection(ctx context.Context, href string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.fail("rmcol", href); err != nil {
		return err
	}
	c, ok := s.cols[href]
	switch {
	case !ok:
		return fmt.Errorf("%s: delete collection %s: %w", s.name, href, storage.ErrNotFound)
	case len(c.items) > 0:
		return fmt.Errorf("%s: delete collection %s: %w", s.name, href, storage.ErrNotEmpty)
	}
	delete(s.cols, href)
	return nil
}

// Collection is an in-memory collection.
type Collection struct {
	s     *Storage
	id    string
	items map[string]*entry
	props map[storage.Prop]string
	// version counts changes, like a CalDAV ctag, so syncs can skip an unchanged side.
	version int
	// changed lists the href each item change touched, by version, for Changes.
	changed map[int]string
}

type entry struct {
	etag string
	data []byte
}

// Put writes an item directly, as another program would, and returns its etag.
func (c *Collection) Put(href string, data []byte) string {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	c.note(href)
	e := &entry{etag: c.s.etag(), data: append([]byte(nil), data...)}
	c.items[href] = e
	return e.etag
}

// Drop deletes an item directly, as another program would.
func (c *Collection) Drop(href string) {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	c.note(href)
	delete(c.items, href)
}

// Touch gives an item a new etag without changing its bytes.
func (c *Collection) Touch(href string) {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	c.note(href)
	if e, ok := c.items[href]; ok {
		e.etag = c.s.etag()
	}
}

// Snapshot returns a copy of every item's bytes by href.
func (c *Collection) Snapshot() map[string][]byte {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	out := make(map[string][]byte, len(c.items))
	for href, e := range c.items {
		out[href] = e.data
	}
	return out
}

// List returns the items' hrefs and etags sorted by href.
func (c *Collection) List(ctx context.Context) (storage.Listing, error) {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	var l storage.Listing
	for href, e := range c.items {
		l.Items = append(l.Items, storage.Entry{Href: href, Etag: e.etag})
	}
	sort.Slice(l.Items, func(i, j int) bool { return l.Items[i].Href < l.Items[j].Href })
	return l, nil
}

// Get returns the items at hrefs.
func (c *Collection) Get(ctx context.Context, hrefs []string) ([]storage.Item, error) {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	out := make([]storage.Item, 0, len(hrefs))
	for _, href := range hrefs {
		it := storage.Item{Href: href}
		if err := c.s.fail("get", href); err != nil {
			it.Err = err
		} else if e, ok := c.items[href]; ok {
			it.Etag, it.Data = e.etag, append([]byte(nil), e.data...)
		} else {
			it.Err = fmt.Errorf("get %s: %w", href, storage.ErrNotFound)
		}
		out = append(out, it)
	}
	return out, nil
}

// Create stores a new item named like a vdir would name it.
func (c *Collection) Create(ctx context.Context, ident string, data []byte) (string, string, error) {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	href := vdir.SafeName(ident, "ics")
	for i := 2; c.items[href] != nil; i++ {
		href = vdir.SafeName(ident+"-"+strconv.Itoa(i), "ics")
	}
	if err := c.s.fail("create", href); err != nil {
		return "", "", err
	}
	e := &entry{etag: c.s.etag(), data: append([]byte(nil), data...)}
	c.items[href] = e
	c.note(href)
	return href, e.etag, nil
}

// Update replaces the item at href if its etag matches.
func (c *Collection) Update(ctx context.Context, href, etag string, data []byte) (string, error) {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	e, ok := c.items[href]
	switch {
	case !ok:
		return "", fmt.Errorf("update %s: %w", href, storage.ErrNotFound)
	case e.etag != etag:
		return "", fmt.Errorf("update %s: %w", href, storage.ErrPrecondition)
	}
	if err := c.s.fail("update", href); err != nil {
		return "", err
	}
	e.etag, e.data = c.s.etag(), append([]byte(nil), data...)
	c.note(href)
	return e.etag, nil
}

// Delete removes the item at href if its etag matches.
func (c *Collection) Delete(ctx context.Context, href, etag string) error {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	e, ok := c.items[href]
	switch {
	case !ok:
		return fmt.Errorf("delete %s: %w", href, storage.ErrNotFound)
	case e.etag != etag:
		return fmt.Errorf("delete %s: %w", href, storage.ErrPrecondition)
	}
	if err := c.s.fail("delete", href); err != nil {
		return err
	}
	delete(c.items, href)
	c.note(href)
	return nil
}

// Props returns the properties set.
func (c *Collection) Props(ctx context.Context) (map[storage.Prop]string, error) {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	out := make(map[storage.Prop]string, len(c.props))
	for k, v := range c.props {
		out[k] = v
	}
	return out, nil
}

// SetProp sets or, with "", removes a property.
func (c *Collection) SetProp(ctx context.Context, p storage.Prop, value string) error {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	if err := c.s.fail("prop", string(p)); err != nil {
		return err
	}
	if value == "" {
		delete(c.props, p)
	} else {
		c.props[p] = value
	}
	c.version++
	return nil
}

// note records a change to the item at href: a new version, and the href for Changes.
func (c *Collection) note(href string) {
	c.version++
	c.changed[c.version] = href
}

// Changes returns what changed since a token ("t" and a version, or "" for
// everything), as a CalDAV server answers a sync-collection REPORT.
func (c *Collection) Changes(ctx context.Context, token string) (storage.Changes, error) {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	v := 0
	if token != "" {
		var err error
		v, err = strconv.Atoi(strings.TrimPrefix(token, "t"))
		if err != nil || !strings.HasPrefix(token, "t") || v > c.version {
			return storage.Changes{}, fmt.Errorf("changes since %q: %w", token, storage.ErrInvalidToken)
		}
	}
	now := strconv.Itoa(c.version)
	out := storage.Changes{Token: "t" + now, Version: "v" + now}
	if token == "" {
		for href, e := range c.items {
			out.Changed = append(out.Changed, storage.Entry{Href: href, Etag: e.etag})
		}
		return out, nil
	}
	seen := map[string]bool{}
	for i := v + 1; i <= c.version; i++ {
		href, ok := c.changed[i]
		if !ok || seen[href] {
			continue
		}
		seen[href] = true
		if e, ok := c.items[href]; ok {
			out.Changed = append(out.Changed, storage.Entry{Href: href, Etag: e.etag})
		} else {
			out.Deleted = append(out.Deleted, href)
		}
	}
	return out, nil
}
