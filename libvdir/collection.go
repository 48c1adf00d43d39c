package vdir

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Collection is one calendar or address book: a directory of item files.
type Collection struct {
	id    string
	path  string
	root  string // the storage root, which symbolic links may point into
	ext   string
	limit int64 // Storage.ItemLimit
}

// ID returns the collection's name, the last element of its path.
func (c *Collection) ID() string { return c.id }

// Path returns the collection's directory.
func (c *Collection) Path() string { return c.path }

// Ext returns the item file extension, without the dot.
func (c *Collection) Ext() string { return c.ext }

// Entry is one item as listed: its file name (the item's href in a sync) and etag.
type Entry struct {
	Name string
	Etag string
	Size int64
}

// Item is an item's file name, etag and exact bytes.
type Item struct {
	Name string
	Etag string
	Data []byte
}

// Listing is what List finds in a collection.
type Listing struct {
	// Items are the item files, sorted by name.
	Items []Entry
	// Skipped are files with the item extension that are not listed because reading
	// them would be unsafe: symbolic links leading out of the storage, and names that
	// are not regular files.
	Skipped []Problem
}

// allowed returns the directories a symbolic link in the collection may lead into.
func (c *Collection) allowed() []string {
	var dirs []string
	for _, d := range []string{c.root, c.path} {
		if real, err := realDir(d); err == nil {
			dirs = append(dirs, real)
		}
	}
	return dirs
}

// isItemName reports whether a directory entry's name is one of this collection's items.
func (c *Collection) isItemName(name string) bool {
	return strings.HasSuffix(name, "."+c.ext) && len(name) > len(c.ext)+1
}

// List returns the collection's items with their etags, without reading them.
func (c *Collection) List(ctx context.Context) (Listing, error) {
	var l Listing
	dir, err := os.Open(c.path)
	var entries []fs.DirEntry
	if err == nil {
		defer dir.Close()
		entries, err = dir.ReadDir(-1)
	}
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			err = ErrNotFound
		}
		return l, fmt.Errorf("vdir: list %s: %w", c.path, err)
	}
	for i, e := range entries {
		if i%256 == 0 {
			if err := ctx.Err(); err != nil {
				return l, err
			}
		}
		name := e.Name()
		if !c.isItemName(name) {
			continue
		}
		if e.Type().IsRegular() {
			if etag, size, ok := statIn(dir, name); ok {
				l.Items = append(l.Items, Entry{Name: name, Etag: etag, Size: size})
				continue
			}
		}
		path := filepath.Join(c.path, name)
		_, fi, err := resolve(path, c.allowed)
		if p, ok := unsafeEntry(path, e, err); ok {
			l.Skipped = append(l.Skipped, p)
			continue
		}
		if errors.Is(err, ErrNotFound) {
			continue // removed since ReadDir
		}
		if err != nil {
			return l, fmt.Errorf("vdir: list %s: %w", path, err)
		}
		l.Items = append(l.Items, Entry{Name: name, Etag: etagOf(fi), Size: fi.Size()})
	}
	sort.Slice(l.Items, func(i, j int) bool { return l.Items[i].Name < l.Items[j].Name })
	return l, nil
}

// unsafeEntry turns resolve's error for a directory entry into the problem that keeps
// the entry from being read, if the error is one of those.
func unsafeEntry(path string, e fs.DirEntry, err error) (Problem, bool) {
	switch {
	case errors.Is(err, ErrSymlinkOutside):
		return Problem{Path: path, Code: ProblemSymlinkOutside, Detail: err.Error() + "; it is not read"}, true
	case errors.Is(err, ErrNotRegular):
		return Problem{Path: path, Code: ProblemNotAFile, Detail: err.Error()}, true
	case errors.Is(err, ErrNotFound) && e.Type()&fs.ModeSymlink != 0:
		return Problem{Path: path, Code: ProblemNotAFile, Detail: "dangling symbolic link"}, true
	}
	return Problem{}, false
}

// itemPath validates an item name and joins it to the collection.
func (c *Collection) itemPath(name string) (string, error) {
	if err := checkElem(name); err != nil {
		return "", fmt.Errorf("vdir: item in %s: %w", c.path, err)
	}
	if !c.isItemName(name) {
		return "", fmt.Errorf("vdir: item in %s: %w: %q does not end in .%s", c.path, ErrInvalidName, name, c.ext)
	}
	return filepath.Join(c.path, name), nil
}

// Get reads an item's exact bytes and the etag of the version read.
func (c *Collection) Get(ctx context.Context, name string) (Item, error) {
	if err := ctx.Err(); err != nil {
		return Item{}, err
	}
	path, err := c.itemPath(name)
	if err != nil {
		return Item{}, err
	}
	limit := c.limit
	if limit <= 0 {
		limit = MaxItemSize
	}
	data, etag, err := readDirect(path, limit)
	if errors.Is(err, errFollow) {
		var target string
		if target, _, err = resolve(path, c.allowed); err != nil {
			return Item{}, fmt.Errorf("vdir: read %s: %w", path, err)
		}
		data, etag, err = readFile(target, limit)
	}
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			err = ErrNotFound
		}
		return Item{}, fmt.Errorf("vdir: read %s: %w", path, err)
	}
	return Item{Name: name, Etag: etag, Data: data}, nil
}

// Create writes a new item called name and returns its etag. It fails with ErrExists
// when the name is taken, and never replaces or partly writes a file.
func (c *Collection) Create(ctx context.Context, name string, data []byte) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	path, err := c.itemPath(name)
	if err != nil {
		return "", err
	}
	etag, err := writeNew(c.path, path, data)
	if err != nil {
		return "", fmt.Errorf("vdir: create %s: %w", path, err)
	}
	syncDir(c.path)
	return etag, nil
}

// Update replaces the item called name, keeping its file name and permissions, and
// returns the new etag. It fails with ErrEtagMismatch when the item's etag is no longer
// etag, and with ErrNotFound when it is gone. An item that is a symbolic link inside the
// storage is updated at the link's target, so the link stays.
func (c *Collection) Update(ctx context.Context, name, etag string, data []byte) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	path, err := c.itemPath(name)
	if err != nil {
		return "", err
	}
	fail := func(err error) (string, error) { return "", fmt.Errorf("vdir: update %s: %w", path, err) }
	target, fi, err := resolve(path, c.allowed)
	if err == nil {
		err = checkEtag(fi, etag)
	}
	if err != nil {
		return fail(err)
	}
	dir := filepath.Dir(target)
	tmp, newEtag, err := writeTemp(dir, filepath.Base(target), data, fi.Mode().Perm())
	if err != nil {
		return fail(err)
	}
	// Check again right before the rename: another program may have written meanwhile.
	if err := current(target, etag); err != nil {
		os.Remove(tmp)
		return fail(err)
	}
	if err := os.Rename(tmp, target); err != nil {
		os.Remove(tmp)
		return fail(err)
	}
	syncDir(dir)
	return newEtag, nil
}

// Delete removes the item called name. It fails with ErrEtagMismatch when the item's
// etag is no longer etag, and with ErrNotFound when it is gone. For an item that is a
// symbolic link, the link is removed, not its target.
func (c *Collection) Delete(ctx context.Context, name, etag string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	path, err := c.itemPath(name)
	if err != nil {
		return err
	}
	_, fi, err := resolve(path, c.allowed)
	if err == nil {
		err = checkEtag(fi, etag)
	}
	if err == nil {
		err = os.Remove(path)
		if errors.Is(err, fs.ErrNotExist) {
			err = ErrNotFound
		}
	}
	if err != nil {
		return fmt.Errorf("vdir: delete %s: %w", path, err)
	}
	syncDir(c.path)
	return nil
}

// current checks that the item file at target is still a regular file with that etag.
func current(target, etag string) error {
	fi, err := os.Stat(target)
	if errors.Is(err, fs.ErrNotExist) {
		return ErrNotFound
	}
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		return ErrNotRegular
	}
	return checkEtag(fi, etag)
}

// checkEtag fails with ErrEtagMismatch unless the file's etag is etag.
func checkEtag(fi fs.FileInfo, etag string) error {
	if got := etagOf(fi); got != etag {
		return fmt.Errorf("%w (have %s, expected %s)", ErrEtagMismatch, got, etag)
	}
	return nil
}
