package vdir

import (
	"io/fs"
	"os"
	"path/filepath"
)

// ReplaceFile writes data to path atomically, as the vdir writes its own files: a
// temporary file next to it is made durable and renamed over path, and the directory
// is synced, so a reader or a crash sees the old file or the new one, never part of
// one. perm is the new file's permission (0: 0666 less the umask). Errors name path.
func ReplaceFile(path string, data []byte, perm fs.FileMode) error {
	dir := filepath.Dir(path)
	tmp, _, err := writeTemp(dir, filepath.Base(path), data, perm)
	if err == nil {
		if err = os.Rename(tmp, path); err != nil {
			os.Remove(tmp)
		}
	}
	if err != nil {
		return &fs.PathError{Op: "write", Path: path, Err: err}
	}
	syncDir(dir)
	return nil
}
