//go:build !unix

package vdir

import (
	"io/fs"
	"os"
)

// openNoFollow opens a file for reading; resolve has already vetted any link.
func openNoFollow(path string) (*os.File, error) {
	return os.Open(path)
}

// etagOf derives an etag from the modification time in nanoseconds and the size; this
// platform exposes no inode number.
func etagOf(fi fs.FileInfo) string {
	return formatEtag(fi.ModTime().UnixNano(), 0, fi.Size())
}
