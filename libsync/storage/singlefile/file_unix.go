//go:build unix

package singlefile

import (
	"errors"
	"io/fs"
	"syscall"
)

// inode is the file's inode number, which an atomic replacement always changes.
func inode(fi fs.FileInfo) uint64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Ino)
	}
	return 0
}

// isUnsupported reports a directory sync the file system cannot do.
func isUnsupported(err error) bool {
	return errors.Is(err, syscall.EINVAL) || errors.Is(err, syscall.ENOTSUP)
}
