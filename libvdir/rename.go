package vdir

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// Rename gives the item called name the new name newName, if its etag is still etag. It
// never replaces an existing file: the new name is a hard link, which fails atomically
// when the name is taken (ErrExists), and the old name is removed only after it. The
// item's bytes, inode and so its etag stay. Symbolic links are not renamed
// (ErrNotRegular): the link would move, not the item, and a sync could lose track.
func (c *Collection) Rename(ctx context.Context, name, etag, newName string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	path, err := c.itemPath(name)
	if err != nil {
		return err
	}
	newPath, err := c.itemPath(newName)
	if err != nil {
		return err
	}
	fail := func(err error) error { return fmt.Errorf("vdir: rename %s to %s: %w", path, newName, err) }
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return fail(ErrNotFound)
	}
	if err != nil {
		return fail(err)
	}
	if !fi.Mode().IsRegular() {
		return fail(ErrNotRegular)
	}
	if err := checkEtag(fi, etag); err != nil {
		return fail(err)
	}
	if err := os.Link(path, newPath); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fail(ErrExists)
		}
		return fail(err)
	}
	// Check again after the link: a writer that replaced the file meanwhile put a new
	// inode at path, and the link holds the old one; undo rather than lose the edit.
	if err := current(path, etag); err != nil {
		os.Remove(newPath)
		return fail(err)
	}
	if err := os.Remove(path); err != nil {
		os.Remove(newPath)
		return fail(err)
	}
	syncDir(c.path)
	return nil
}
