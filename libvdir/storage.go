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

// Storage is a vdir storage root: a directory whose sub-directories are collections.
type Storage struct {
	path string // as given, cleaned: messages show the user's own path
	ext  string
	// ItemLimit bounds the size of an item file its collections read (a storage's
	// max_size); 0 means MaxItemSize. Set it before the first Collection call.
	ItemLimit int64
}

// Open returns the storage rooted at path, whose items end in "."+ext. The directory
// must exist.
func Open(path, ext string) (*Storage, error) {
	if err := checkExt(ext); err != nil {
		return nil, err
	}
	path = filepath.Clean(path)
	if err := checkDir("storage", path); err != nil {
		return nil, err
	}
	return &Storage{path: path, ext: ext}, nil
}

// Path returns the storage root's path.
func (s *Storage) Path() string { return s.path }

// Ext returns the item file extension, without the dot.
func (s *Storage) Ext() string { return s.ext }

// Collections returns the storage's collections sorted by ID: every sub-directory (or
// symbolic link to one) whose name does not start with a dot.
func (s *Storage) Collections(ctx context.Context) ([]*Collection, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(s.path)
	if err != nil {
		return nil, fmt.Errorf("vdir: list collections of %s: %w", s.path, err)
	}
	var cols []*Collection
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			continue
		}
		dir := filepath.Join(s.path, e.Name())
		if !e.IsDir() {
			if e.Type()&fs.ModeSymlink == 0 {
				continue
			}
			if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
				continue
			}
		}
		cols = append(cols, &Collection{id: e.Name(), path: dir, root: s.path, ext: s.ext, limit: s.ItemLimit})
	}
	sort.Slice(cols, func(i, j int) bool { return cols[i].id < cols[j].id })
	return cols, nil
}

// Collection returns the existing collection called id.
func (s *Storage) Collection(id string) (*Collection, error) {
	c, err := s.collection(id)
	if err != nil {
		return nil, err
	}
	if err := checkDir("collection", c.path); err != nil {
		return nil, err
	}
	return c, nil
}

// CreateCollection makes a new, empty collection called id. It fails with ErrExists
// when the directory is already there.
func (s *Storage) CreateCollection(ctx context.Context, id string) (*Collection, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	c, err := s.collection(id)
	if err != nil {
		return nil, err
	}
	if err := os.Mkdir(c.path, 0o777); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("vdir: create collection %s: %w", c.path, ErrExists)
		}
		return nil, fmt.Errorf("vdir: create collection %s: %w", c.path, err)
	}
	syncDir(s.path)
	return c, nil
}

// DeleteCollection removes the collection id, with its metadata files, only when it
// holds nothing else: an item, a temporary file of a write in progress or any other
// file keeps it, with ErrNotEmpty.
func (s *Storage) DeleteCollection(ctx context.Context, id string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c, err := s.Collection(id)
	if err != nil {
		return err
	}
	entries, err := os.ReadDir(c.path)
	if err != nil {
		return fmt.Errorf("vdir: delete collection %s: %w", c.path, err)
	}
	for _, e := range entries {
		if !isMetaName(e.Name()) || !e.Type().IsRegular() {
			return fmt.Errorf("vdir: delete collection %s: %w (it has %s)", c.path, ErrNotEmpty, e.Name())
		}
	}
	for _, e := range entries {
		if err := os.Remove(filepath.Join(c.path, e.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("vdir: delete collection %s: %w", c.path, err)
		}
	}
	// rmdir fails on a directory someone wrote into meanwhile, which is what we want.
	if err := os.Remove(c.path); err != nil {
		return fmt.Errorf("vdir: delete collection %s: %w", c.path, err)
	}
	syncDir(s.path)
	return nil
}

func (s *Storage) collection(id string) (*Collection, error) {
	if err := checkElem(id); err != nil {
		return nil, fmt.Errorf("vdir: collection in %s: %w", s.path, err)
	}
	if strings.HasPrefix(id, ".") {
		return nil, fmt.Errorf("vdir: collection in %s: %w: %q starts with a dot, which hides it", s.path, ErrInvalidName, id)
	}
	return &Collection{id: id, path: filepath.Join(s.path, id), root: s.path, ext: s.ext, limit: s.ItemLimit}, nil
}

// OpenCollection returns the collection at path on its own, for tools that work on one
// collection; its parent directory counts as the storage root.
func OpenCollection(path, ext string) (*Collection, error) {
	if err := checkExt(ext); err != nil {
		return nil, err
	}
	path = filepath.Clean(path)
	if err := checkDir("collection", path); err != nil {
		return nil, err
	}
	return &Collection{id: filepath.Base(path), path: path, root: filepath.Dir(path), ext: ext}, nil
}

// checkDir fails unless path is an existing directory; what names it in messages.
func checkDir(what, path string) error {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("vdir: %s %s: %w", what, path, ErrNotFound)
	case err != nil:
		return fmt.Errorf("vdir: %s %s: %w", what, path, err)
	case !fi.IsDir():
		return fmt.Errorf("vdir: %s %s is not a directory", what, path)
	}
	return nil
}

// IsCollection guesses whether dir is a collection rather than a storage root, for
// tools that accept either: it is one when it directly holds item files (".ext"),
// temporary files or metadata files, or when it has no sub-directories at all.
func IsCollection(dir, ext string) (bool, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return false, fmt.Errorf("vdir: %w", err)
	}
	subdirs := false
	for _, e := range entries {
		name := e.Name()
		if strings.HasSuffix(name, "."+ext) || strings.HasSuffix(name, ".tmp") || isMetaName(name) {
			return true, nil
		}
		if !strings.HasPrefix(name, ".") {
			if fi, err := os.Stat(filepath.Join(dir, name)); err == nil && fi.IsDir() {
				subdirs = true
			}
		}
	}
	return !subdirs, nil
}

// DetectExt returns "ics" or "vcf", whichever more files in dir end with, looking one
// level down too so that a storage root works; "" when there are neither.
func DetectExt(dir string) string {
	ics, vcf := countExt(dir)
	if ics+vcf == 0 {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if !strings.HasPrefix(e.Name(), ".") {
				i, v := countExt(filepath.Join(dir, e.Name()))
				ics, vcf = ics+i, vcf+v
			}
		}
	}
	switch {
	case ics+vcf == 0:
		return ""
	case vcf > ics:
		return "vcf"
	}
	return "ics"
}

func countExt(dir string) (ics, vcf int) {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		switch name := e.Name(); {
		case strings.HasSuffix(name, ".ics"):
			ics++
		case strings.HasSuffix(name, ".vcf"):
			vcf++
		}
	}
	return ics, vcf
}
