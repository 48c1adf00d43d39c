//go:build unix

package vdir

import (
	"io/fs"
	"os"
	"syscall"
)

// openNoFollow opens a file for reading without following a final symbolic link and
// without blocking on a named pipe; resolve has already vetted any link.
func openNoFollow(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
}

// etagOf derives an etag from what any rewrite changes: the modification time in
// nanoseconds, the inode and the size.
func etagOf(fi fs.FileInfo) string {
	var ino uint64
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		ino = uint64(st.Ino)
	}
	return formatEtag(fi.ModTime().UnixNano(), ino, fi.Size())
}
