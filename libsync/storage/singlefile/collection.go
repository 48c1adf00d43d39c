package singlefile

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/pimsync-go/libsync/storage"
	vdir "github.com/pimsync-go/libvdir"
	"github.com/pimsync-go/libvdir/item"
)

// Collection is one file of items.
type Collection struct {
	path  string
	vcard bool
	ext   string

	mu    sync.Mutex // held while reading or writing the file; guards cache
	cache *state

	qmu     sync.Mutex
	pending []*op // writes waiting for the next rewrite (commit.go)
}

// state is a file as last read or written: its items in file order.
type state struct {
	key   fileKey
	items []entry
	index map[string]int // href → position in items
}

// entry is one item of the file.
type entry struct {
	href, etag string
	data       []byte
	parts      *parts // a calendar item's parts (nil: item.Join must parse it)
}

// newEntry makes the entry of a piece of the file, or of data to write.
func (c *Collection) newEntry(p item.Piece) entry {
	e := entry{href: vdir.SafeName(p.UID, c.ext), etag: item.Hash(p.Data), data: p.Data}
	if !c.vcard {
		e.parts = cutParts(p.Data)
	}
	return e
}

// load returns the file's items, splitting the file only when it is not the one cached.
// The caller holds c.mu.
func (c *Collection) load() (*state, error) {
	f, err := os.Open(c.path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("singlefile: %s: %w", c.path, storage.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("singlefile: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("singlefile: %w", err)
	}
	key := keyOf(fi)
	if c.cache != nil && c.cache.key == key {
		return c.cache, nil
	}
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(f); err != nil {
		return nil, fmt.Errorf("singlefile: read %s: %w", c.path, err)
	}
	st := &state{key: key, index: map[string]int{}}
	if len(bytes.TrimSpace(buf.Bytes())) > 0 { // an empty address book has no lines at all
		err = item.SplitBytes(buf.Bytes(), func(p item.Piece) error {
			st.add(c.newEntry(p))
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("singlefile: read %s: %w", c.path, err)
		}
	}
	c.cache = st
	return st, nil
}

// add appends e, or replaces the item of the same href (two UIDs whose safe names
// collide, which SafeName's hashing makes practically impossible).
func (st *state) add(e entry) {
	if i, ok := st.index[e.href]; ok {
		st.items[i] = e
		return
	}
	st.index[e.href] = len(st.items)
	st.items = append(st.items, e)
}

// List returns every item's href and etag.
func (c *Collection) List(ctx context.Context) (storage.Listing, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	st, err := c.load()
	if err != nil {
		return storage.Listing{}, err
	}
	out := storage.Listing{Items: make([]storage.Entry, len(st.items))}
	for i, e := range st.items {
		out.Items[i] = storage.Entry{Href: e.href, Etag: e.etag}
	}
	return out, nil
}

// Get returns the items at hrefs from one reading of the file.
func (c *Collection) Get(ctx context.Context, hrefs []string) ([]storage.Item, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	st, err := c.load()
	if err != nil {
		return nil, err
	}
	out := make([]storage.Item, len(hrefs))
	for i, href := range hrefs {
		out[i].Href = href
		j, ok := st.index[href]
		if !ok {
			out[i].Err = fmt.Errorf("singlefile: %s in %s: %w", href, c.path, storage.ErrNotFound)
			continue
		}
		out[i].Etag, out[i].Data = st.items[j].etag, slices.Clone(st.items[j].data)
	}
	return out, nil
}

// piece checks that data is one item, and returns it as the file will hold it (Split's
// form: a calendar without METHOD, a UID made from its content when it had none) with
// its href.
func (c *Collection) piece(data []byte) (entry, error) {
	var pieces []item.Piece
	err := item.SplitBytes(data, func(p item.Piece) error {
		pieces = append(pieces, p)
		return nil
	})
	switch {
	case err != nil:
		return entry{}, fmt.Errorf("singlefile: item for %s: %w", c.path, err)
	case len(pieces) != 1:
		return entry{}, fmt.Errorf("singlefile: item for %s: data holds %d items, not one", c.path, len(pieces))
	}
	if k := pieces[0].Kind == item.Card; k != c.vcard {
		return entry{}, fmt.Errorf("singlefile: %s holds %s, not %s", c.path, kindName(c.vcard), kindName(k))
	}
	return c.newEntry(pieces[0]), nil
}

func kindName(vcard bool) string {
	if vcard {
		return "vCards"
	}
	return "calendar items"
}

// encode joins the items into the file's bytes. An empty calendar still gets its
// VCALENDAR, so the file stays valid iCalendar.
func (c *Collection) encode(items []entry) ([]byte, error) {
	if len(items) == 0 {
		if c.vcard {
			return nil, nil
		}
		return []byte(emptyCalendar), nil
	}
	if fast := c.concat(items); fast != nil {
		return fast, nil
	}
	datas := make([][]byte, len(items))
	for i, e := range items {
		datas[i] = e.data
	}
	var buf bytes.Buffer
	if err := item.Join(&buf, datas); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Local says the items are in a file here (storage.Local): reading them again costs
// less than keeping them.
func (c *Collection) Local() bool { return true }

// SupportedProps is the display name only: a singlefile has nowhere to keep the others.
func (c *Collection) SupportedProps() []storage.Prop { return []storage.Prop{storage.DisplayName} }

// Props returns the display name kept next to the file.
func (c *Collection) Props(ctx context.Context) (map[storage.Prop]string, error) {
	out := map[storage.Prop]string{}
	b, err := os.ReadFile(c.path + propSuffix)
	if errors.Is(err, os.ErrNotExist) {
		return out, nil
	}
	if err != nil {
		return nil, fmt.Errorf("singlefile: %w", err)
	}
	if v := strings.TrimSpace(string(b)); v != "" {
		out[storage.DisplayName] = v
	}
	return out, nil
}

// SetProp writes or removes the display name; the others are ErrUnsupported.
func (c *Collection) SetProp(ctx context.Context, p storage.Prop, value string) error {
	if p != storage.DisplayName {
		return fmt.Errorf("singlefile: %s: %w", p, storage.ErrUnsupported)
	}
	path := c.path + propSuffix
	value = strings.TrimSpace(value)
	if value == "" {
		if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("singlefile: %w", err)
		}
		return nil
	}
	if _, err := writeAtomic(path, []byte(value)); err != nil {
		return fmt.Errorf("singlefile: write %s: %w", path, err)
	}
	return nil
}

// concat is encode without parsing: vCards one after another, calendar items through
// their cached parts. It returns nil when some item needs item.Join after all.
func (c *Collection) concat(items []entry) []byte {
	if c.vcard {
		size := 0
		for _, e := range items {
			if !bytes.HasSuffix(e.data, []byte("\n")) {
				return nil // Join gives a last line its ending
			}
			size += len(e.data)
		}
		out := make([]byte, 0, size)
		for _, e := range items {
			out = append(out, e.data...)
		}
		return out
	}
	ps := make([]*parts, len(items))
	for i, e := range items {
		if e.parts == nil {
			return nil
		}
		ps[i] = e.parts
	}
	return joinParts(ps)
}
