package singlefile

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/pimsync-go/libsync/storage"
)

// Writes are committed in groups. Every write must be durable before it returns (the
// sync records it in its status right after), and each rewrite of the file costs time
// in proportion to the whole file; so a write that finds others waiting behind the
// lock does them too, in one rewrite, and each of them returns once that rewrite is
// on disk. The sync runs many writes at once (a local storage's concurrency), so a
// sync of N new items rewrites the file far fewer than N times; a lone write costs one
// rewrite as before. Each write is checked against the file as the writes before it in
// the group left it, exactly as if they had been done one by one.

// op is one write waiting to be committed.
type op struct {
	apply func(w *working) (string, error) // checks and makes the change; its result
	done  bool                             // set under c.mu once committed or failed
	res   string
	err   error
}

// working is the file's items while a group of writes changes them.
type working struct {
	path    string
	items   []entry // deleted ones have an empty href until compacted
	index   map[string]int
	changed bool
}

func (w *working) find(href, etag string) (int, error) {
	i, ok := w.index[href]
	switch {
	case !ok:
		return 0, fmt.Errorf("singlefile: %s in %s: %w", href, w.path, storage.ErrNotFound)
	case w.items[i].etag != etag:
		return 0, fmt.Errorf("singlefile: %s in %s: %w", href, w.path, storage.ErrPrecondition)
	}
	return i, nil
}

// commit queues apply and returns its result once it is on disk (or failed).
func (c *Collection) commit(ctx context.Context, apply func(w *working) (string, error)) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	o := &op{apply: apply}
	c.qmu.Lock()
	c.pending = append(c.pending, o)
	c.qmu.Unlock()

	c.mu.Lock()
	defer c.mu.Unlock()
	if o.done { // a write before us took ours into its group
		return o.res, o.err
	}
	c.qmu.Lock()
	group := c.pending
	c.pending = nil
	c.qmu.Unlock()
	err := c.run(group)
	for _, g := range group {
		if g.err == nil {
			g.err = err
		}
		if g.err != nil {
			g.res = ""
		}
		g.done = true
	}
	return o.res, o.err
}

// run applies a group of writes to the file and rewrites it once. The caller holds
// c.mu. Writes refused on their own carry their error; err is for the whole group.
func (c *Collection) run(group []*op) error {
	// No context here: the group holds other callers' writes, which one caller's
	// cancellation must not fail.
	st, err := c.load()
	if err != nil {
		return err
	}
	w := &working{path: c.path, items: slices.Clone(st.items), index: make(map[string]int, len(st.items))}
	for i, e := range st.items {
		w.index[e.href] = i
	}
	for _, g := range group {
		g.res, g.err = g.apply(w)
	}
	if !w.changed {
		return nil
	}
	items := slices.DeleteFunc(w.items, func(e entry) bool { return e.href == "" })
	data, err := c.encode(items)
	if err != nil {
		return fmt.Errorf("singlefile: write %s: %w", c.path, err)
	}
	key, err := writeAtomic(c.path, data)
	if err != nil {
		return fmt.Errorf("singlefile: write %s: %w", c.path, err)
	}
	next := &state{key: key, items: items, index: make(map[string]int, len(items))}
	for i, e := range items {
		next.index[e.href] = i
	}
	c.cache = next
	return nil
}

// Create adds data as a new item. Its href follows its UID, not ident: the file keeps
// no names, so a second reading finds the item by its UID. An item whose UID is in
// the file already is refused (ErrPrecondition), since the file cannot hold two.
func (c *Collection) Create(ctx context.Context, ident string, data []byte) (string, string, error) {
	e, err := c.piece(data)
	if err != nil {
		return "", "", err
	}
	_, err = c.commit(ctx, func(w *working) (string, error) {
		if _, ok := w.index[e.href]; ok {
			return "", fmt.Errorf("singlefile: create %s in %s: an item with its UID exists: %w", e.href, c.path, storage.ErrPrecondition)
		}
		w.index[e.href] = len(w.items)
		w.items = append(w.items, e)
		w.changed = true
		return e.etag, nil
	})
	if err != nil {
		return "", "", err
	}
	return e.href, e.etag, nil
}

// Update replaces the item at href if its etag is still etag. The new data must keep
// the item's UID, or its href would change.
func (c *Collection) Update(ctx context.Context, href, etag string, data []byte) (string, error) {
	e, err := c.piece(data)
	if err != nil {
		return "", err
	}
	return c.commit(ctx, func(w *working) (string, error) {
		i, err := w.find(href, etag)
		if err != nil {
			return "", err
		}
		if e.href != href {
			return "", fmt.Errorf("singlefile: update %s in %s: the new data has another UID (%s)", href, c.path, strings.TrimSuffix(e.href, "."+c.ext))
		}
		w.items[i] = e
		w.changed = true
		return e.etag, nil
	})
}

// Delete removes the item at href if its etag is still etag.
func (c *Collection) Delete(ctx context.Context, href, etag string) error {
	_, err := c.commit(ctx, func(w *working) (string, error) {
		i, err := w.find(href, etag)
		if err != nil {
			return "", err
		}
		w.items[i].href = "" // compacted once the whole group is applied
		delete(w.index, href)
		w.changed = true
		return "", nil
	})
	return err
}
