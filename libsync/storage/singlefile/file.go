package singlefile

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// fileKey tells one version of a file from another without reading it: a rename over
// it changes the inode, a write in place the size or the modification time.
type fileKey struct {
	size  int64
	mtime time.Time
	ino   uint64
}

func keyOf(fi fs.FileInfo) fileKey {
	return fileKey{size: fi.Size(), mtime: fi.ModTime(), ino: inode(fi)}
}

// tempFile creates a new file next to path with data in it, synced to disk.
func tempFile(path string, data []byte) (string, fs.FileInfo, error) {
	var b [8]byte
	rand.Read(b[:])
	dir, base := filepath.Split(path)
	tmp := filepath.Join(dir, "."+base+"."+hex.EncodeToString(b[:])+".tmp")
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", nil, err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	var fi fs.FileInfo
	if err == nil {
		fi, err = f.Stat()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp)
		return "", nil, err
	}
	return tmp, fi, nil
}

// writeAtomic replaces path by data: readers see the old file or the new one, and a
// crash leaves one of them. It returns the new file's key, taken from the temporary
// file, which the rename keeps.
func writeAtomic(path string, data []byte) (fileKey, error) {
	tmp, fi, err := tempFile(path, data)
	if err != nil {
		return fileKey{}, err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fileKey{}, err
	}
	return keyOf(fi), syncDir(filepath.Dir(path))
}

// createExclusive writes a new file at path, failing when one is there: the complete
// file is linked into place, so no one ever sees it half written.
func createExclusive(path string, data []byte) error {
	tmp, _, err := tempFile(path, data)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	if err := os.Link(tmp, path); err != nil {
		if os.IsExist(err) {
			return fmt.Errorf("%s exists already", path)
		}
		return err
	}
	return syncDir(filepath.Dir(path))
}

// syncDir makes a rename or removal in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !isUnsupported(err) {
		return fmt.Errorf("sync directory %s: %w", dir, err)
	}
	return nil
}
