// Package singlefile keeps each collection in one .ics or .vcf file holding many items
// (vdirsyncer's singlefile storage). Items are identified by their UIDs: an item's href
// is vdir.SafeName of its UID and its etag the item.Hash of its bytes, so both stay the
// same as long as the item does, whatever happens to the rest of the file.
//
// The file is read and written whole. Every write rewrites it atomically (a temporary
// file in the same directory, fsync, rename, fsync of the directory) before it returns,
// since a sync commits its status after each action. Three things keep a sync linear
// in practice where vdirsyncer's took hours (its #818):
//   - a Collection keeps the split file in memory between calls, keyed by the file's
//     size, modification time and inode, so only a change made by someone else makes
//     the next call split the file again;
//   - each item is cut once, when it enters that cache, into what item.Join needs
//     (parts.go), so a rewrite is concatenation, not parsing every item again;
//   - writes made at once share one rewrite (commit.go), each returning once it is on
//     disk; the sync runs a local storage's writes 256 at a time.
//
// A rewrite still copies the whole file, so N writes one after another cost O(N²)
// bytes; BenchmarkSync (5,000 new items through the syncer) takes under a second.
//
// A file has one calendar header (VERSION, PRODID, CALSCALE…): the first item's. An
// item written with another header is read back with the file's, which a later sync
// sees as one change of that item (item.Hash ignores PRODID, so only other header
// properties count).
package singlefile

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/pimsync-go/libsync/storage"
)

// placeholder is where a collection's id goes in a path pattern.
const placeholder = "%s"

// emptyCalendar is what a new calendar file holds: a VCALENDAR without items, so the
// file is valid iCalendar from the start. A new address book file is empty.
const emptyCalendar = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//pimsync-go//singlefile//EN\r\nEND:VCALENDAR\r\n"

// propSuffix names the file next to a collection's file that keeps its display name:
// the item file itself has no place for it that both iCalendar and vCard share.
const propSuffix = ".displayname"

// Storage is a path pattern: with %s, one file per collection (the collection's id is
// what %s stands for); without, a single collection.
type Storage struct {
	pattern string // absolute
	vcard   bool
	ext     string

	mu   sync.Mutex
	cols map[string]*Collection // by href, so every caller shares one cache and lock
}

// Open returns the singlefile storage at pattern, holding vCards when vcard is set and
// calendars otherwise. pattern may contain %s at most once.
func Open(pattern string, vcard bool) (*Storage, error) {
	if strings.Count(pattern, placeholder) > 1 {
		return nil, fmt.Errorf("singlefile: path %s contains %%s more than once", pattern)
	}
	abs, err := filepath.Abs(pattern)
	if err != nil {
		return nil, fmt.Errorf("singlefile: %w", err)
	}
	ext := "ics"
	if vcard {
		ext = "vcf"
	}
	return &Storage{pattern: abs, vcard: vcard, ext: ext, cols: map[string]*Collection{}}, nil
}

func (s *Storage) String() string { return s.pattern }

// multi reports whether the pattern holds one file per collection.
func (s *Storage) multi() bool { return strings.Contains(s.pattern, placeholder) }

// fixedID is the single collection's id: its file name without the extension.
func (s *Storage) fixedID() string {
	base := filepath.Base(s.pattern)
	return strings.TrimSuffix(base, filepath.Ext(base))
}

// perCollectionDir reports whether %s stands in a directory of the pattern (as in
// ~/calendars/%s/calendar.ics): each collection's file then has a directory of its own.
func (s *Storage) perCollectionDir() bool {
	_, after, ok := strings.Cut(s.pattern, placeholder)
	return ok && strings.ContainsRune(after, filepath.Separator)
}

// WatchDirs are the directories whose entries change when a collection's file is
// written, created or removed: where a daemon watches for local changes.
func (s *Storage) WatchDirs() []string {
	if !s.multi() {
		return []string{filepath.Dir(s.pattern)}
	}
	before, _, _ := strings.Cut(s.pattern, placeholder)
	dirs := []string{filepath.Dir(before + "x")}
	if s.perCollectionDir() {
		cols, _ := s.Collections(context.Background())
		for _, c := range cols {
			dirs = append(dirs, filepath.Dir(c.Href))
		}
	}
	return dirs
}

// Href returns the file a collection called id has.
func (s *Storage) Href(id string) string {
	if !s.multi() {
		return s.pattern
	}
	return strings.Replace(s.pattern, placeholder, id, 1)
}

// id returns the collection id of the file href, or false when href is not one of the
// pattern's files.
func (s *Storage) id(href string) (string, bool) {
	if !s.multi() {
		return s.fixedID(), href == s.pattern
	}
	before, after, _ := strings.Cut(s.pattern, placeholder)
	if len(href) <= len(before)+len(after) || !strings.HasPrefix(href, before) || !strings.HasSuffix(href, after) {
		return "", false
	}
	id := href[len(before) : len(href)-len(after)]
	return id, validID(id) == nil
}

// validID refuses ids that would put the file somewhere else than the pattern says.
func validID(id string) error {
	switch {
	case id == "", id == ".", id == "..":
		return fmt.Errorf("collection id %q is not a file name", id)
	case strings.ContainsAny(id, "/\x00") || strings.ContainsRune(id, filepath.Separator):
		return fmt.Errorf("collection id %q contains a path separator", id)
	}
	return nil
}

// Collections lists the pattern's existing files.
func (s *Storage) Collections(ctx context.Context) ([]storage.CollectionInfo, error) {
	if !s.multi() {
		if _, err := os.Stat(s.pattern); errors.Is(err, os.ErrNotExist) {
			return nil, nil
		} else if err != nil {
			return nil, fmt.Errorf("singlefile: %w", err)
		}
		return []storage.CollectionInfo{{ID: s.fixedID(), Href: s.pattern}}, nil
	}
	before, after, _ := strings.Cut(s.pattern, placeholder)
	matches, err := filepath.Glob(escapeGlob(before) + "*" + escapeGlob(after))
	if err != nil {
		return nil, fmt.Errorf("singlefile: list %s: %w", s.pattern, err)
	}
	var out []storage.CollectionInfo
	for _, m := range matches {
		id, ok := s.id(m)
		if !ok || strings.HasSuffix(m, propSuffix) {
			continue // a display name file when the pattern has no extension
		}
		if fi, err := os.Stat(m); err != nil || !fi.Mode().IsRegular() {
			continue
		}
		out = append(out, storage.CollectionInfo{ID: id, Href: m})
	}
	return out, nil
}

// escapeGlob makes the fixed parts of the pattern match only themselves.
func escapeGlob(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Collection opens the collection in the file href. It does not check the file exists.
func (s *Storage) Collection(ctx context.Context, href string) (storage.Collection, error) {
	return s.collection(href)
}

func (s *Storage) collection(href string) (*Collection, error) {
	if _, ok := s.id(href); !ok {
		return nil, fmt.Errorf("singlefile: %s is not a collection of %s", href, s.pattern)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.cols[href]
	if c == nil {
		c = &Collection{path: href, vcard: s.vcard, ext: s.ext}
		s.cols[href] = c
	}
	return c, nil
}

// CreateCollection writes an empty file for id; an existing file is an error.
func (s *Storage) CreateCollection(ctx context.Context, id string) (storage.CollectionInfo, error) {
	if err := validID(id); err != nil {
		return storage.CollectionInfo{}, fmt.Errorf("singlefile: %w", err)
	}
	if !s.multi() && id != s.fixedID() {
		return storage.CollectionInfo{}, fmt.Errorf("singlefile: %s holds only collection %s, not %s", s.pattern, s.fixedID(), id)
	}
	path := s.Href(id)
	if s.perCollectionDir() {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return storage.CollectionInfo{}, fmt.Errorf("singlefile: create collection %s: %w", path, err)
		}
	}
	var data []byte
	if !s.vcard {
		data = []byte(emptyCalendar)
	}
	if err := createExclusive(path, data); err != nil {
		return storage.CollectionInfo{}, fmt.Errorf("singlefile: create collection %s: %w", path, err)
	}
	return storage.CollectionInfo{ID: id, Href: path}, nil
}

// DeleteCollection removes the file href and its display name, only when it holds no
// items.
func (s *Storage) DeleteCollection(ctx context.Context, href string) error {
	c, err := s.collection(href)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	st, err := c.load()
	if err != nil {
		return err
	}
	if len(st.items) > 0 {
		return fmt.Errorf("singlefile: delete %s: %d items: %w", href, len(st.items), storage.ErrNotEmpty)
	}
	if err := os.Remove(href); err != nil {
		return fmt.Errorf("singlefile: delete %s: %w", href, err)
	}
	os.Remove(href + propSuffix)
	c.cache = nil
	if s.perCollectionDir() {
		// The directory CreateCollection made goes too, unless something else is in it.
		if err := os.Remove(filepath.Dir(href)); err == nil {
			return syncDir(filepath.Dir(filepath.Dir(href)))
		}
	}
	return syncDir(filepath.Dir(href))
}

// Local reports that the storage's collections are on this machine: a sync lists
// them while it waits for the other side's server.
func (s *Storage) Local() bool { return true }
