// Package vdirstore adapts a local vdir (package libvdir) to the sync's storage
// interfaces. A collection's href is its directory's absolute path, so pointing a storage
// at another directory never matches the status of the old one; an item's href is its
// file name.
package vdirstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/pimsync-go/libsync/storage"
	vdir "github.com/pimsync-go/libvdir"
)

// Storage is a vdir storage root.
type Storage struct {
	v        *vdir.Storage
	root     string // absolute
	postHook string // SetPostHook
}

// Open returns the vdir storage at path (an existing directory) whose items end in
// "."+ext.
func Open(path, ext string) (*Storage, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	v, err := vdir.Open(abs, ext)
	if err != nil {
		return nil, mapErr(err)
	}
	return &Storage{v: v, root: abs}, nil
}

// SetMaxSize bounds the size of an item file the storage reads (max_size); 0 keeps
// libvdir's MaxItemSize.
func (s *Storage) SetMaxSize(n int64) { s.v.ItemLimit = n }

func (s *Storage) String() string { return s.root }

// Root is the storage's directory, absolute.
func (s *Storage) Root() string { return s.root }

// Href returns the directory a collection called id has.
func (s *Storage) Href(id string) string { return filepath.Join(s.root, id) }

// Collections lists the sub-directories.
func (s *Storage) Collections(ctx context.Context) ([]storage.CollectionInfo, error) {
	cols, err := s.v.Collections(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]storage.CollectionInfo, len(cols))
	for i, c := range cols {
		out[i] = storage.CollectionInfo{ID: c.ID(), Href: c.Path()}
	}
	return out, nil
}

// id returns the collection id of href, which must be a directory right under the root.
func (s *Storage) id(href string) (string, error) {
	if filepath.Dir(href) != s.root {
		return "", fmt.Errorf("vdir: %s is not a collection of %s", href, s.root)
	}
	return filepath.Base(href), nil
}

// Collection opens the collection directory href.
func (s *Storage) Collection(ctx context.Context, href string) (storage.Collection, error) {
	id, err := s.id(href)
	if err != nil {
		return nil, err
	}
	c, err := s.v.Collection(id)
	if err != nil {
		return nil, mapErr(err)
	}
	return &Collection{c: c, postHook: s.postHook}, nil
}

// CreateCollection makes the directory id.
func (s *Storage) CreateCollection(ctx context.Context, id string) (storage.CollectionInfo, error) {
	c, err := s.v.CreateCollection(ctx, id)
	if err != nil {
		return storage.CollectionInfo{}, mapErr(err)
	}
	return storage.CollectionInfo{ID: c.ID(), Href: c.Path()}, nil
}

// DeleteCollection removes the directory href if only metadata is left in it.
func (s *Storage) DeleteCollection(ctx context.Context, href string) error {
	id, err := s.id(href)
	if err != nil {
		return err
	}
	return mapErr(s.v.DeleteCollection(ctx, id))
}

// Collection is one vdir collection.
type Collection struct {
	c        *vdir.Collection
	postHook string // program run after each create or update (posthook.go)
}

// List lists the item files; unsafe ones (links out of the storage, non-files) are
// Unreadable.
func (c *Collection) List(ctx context.Context) (storage.Listing, error) {
	l, err := c.c.List(ctx)
	if err != nil {
		return storage.Listing{}, mapErr(err)
	}
	out := storage.Listing{Items: make([]storage.Entry, len(l.Items))}
	for i, e := range l.Items {
		out.Items[i] = storage.Entry{Href: e.Name, Etag: e.Etag}
	}
	for _, p := range l.Skipped {
		out.Unreadable = append(out.Unreadable, storage.Unreadable{Href: filepath.Base(p.Path), Reason: p.Detail})
	}
	return out, nil
}

// Get reads the files one by one.
func (c *Collection) Get(ctx context.Context, hrefs []string) ([]storage.Item, error) {
	out := make([]storage.Item, len(hrefs))
	for i, href := range hrefs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		it, err := c.c.Get(ctx, href)
		out[i] = storage.Item{Href: href, Etag: it.Etag, Data: it.Data, Err: mapErr(err)}
	}
	return out, nil
}

// Create writes a new file named after ident, or under a random name when that name is
// taken (by an item whose file name does not follow its UID, or by one written there
// since the listing; a duplicate UID that results is reported by the next sync).
func (c *Collection) Create(ctx context.Context, ident string, data []byte) (string, string, error) {
	name := vdir.SafeName(ident, c.c.Ext())
	etag, err := c.c.Create(ctx, name, data)
	if errors.Is(err, vdir.ErrExists) {
		var b [16]byte
		rand.Read(b[:])
		name = hex.EncodeToString(b[:]) + "." + c.c.Ext()
		etag, err = c.c.Create(ctx, name, data)
	}
	if err != nil {
		return "", "", mapErr(err)
	}
	c.runPostHook(ctx, name)
	return name, etag, nil
}

// Local says the collection's items are files here (storage.Local).
func (c *Collection) Local() bool { return true }

// Update replaces the file href if its etag is still etag.
func (c *Collection) Update(ctx context.Context, href, etag string, data []byte) (string, error) {
	e, err := c.c.Update(ctx, href, etag, data)
	if err != nil {
		return "", mapErr(err)
	}
	c.runPostHook(ctx, href)
	return e, nil
}

// Delete removes the file href if its etag is still etag.
func (c *Collection) Delete(ctx context.Context, href, etag string) error {
	return mapErr(c.c.Delete(ctx, href, etag))
}

// Props reads the metadata files.
func (c *Collection) Props(ctx context.Context) (map[storage.Prop]string, error) {
	out := map[storage.Prop]string{}
	for _, p := range storage.Props {
		v, err := c.c.Meta(ctx, vdir.MetaKey(p))
		if err != nil {
			return nil, err
		}
		if v != "" {
			out[p] = v
		}
	}
	return out, nil
}

// SetProp writes or removes a metadata file.
func (c *Collection) SetProp(ctx context.Context, p storage.Prop, value string) error {
	return c.c.SetMeta(ctx, vdir.MetaKey(p), value)
}

// kindError gives a vdir error the storage error kind callers branch on, keeping its
// message.
type kindError struct{ err, kind error }

func (e kindError) Error() string   { return e.err.Error() }
func (e kindError) Unwrap() []error { return []error{e.err, e.kind} }

func mapErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, vdir.ErrNotFound):
		return kindError{err, storage.ErrNotFound}
	case errors.Is(err, vdir.ErrEtagMismatch), errors.Is(err, vdir.ErrExists):
		return kindError{err, storage.ErrPrecondition}
	case errors.Is(err, vdir.ErrNotEmpty):
		return kindError{err, storage.ErrNotEmpty}
	case errors.Is(err, vdir.ErrTooLarge):
		return kindError{fmt.Errorf("%w (max_size)", err), storage.ErrTooLarge}
	}
	return err
}

// Local reports that the storage's collections are on this machine: a sync lists
// them while it waits for the other side's server.
func (s *Storage) Local() bool { return true }
