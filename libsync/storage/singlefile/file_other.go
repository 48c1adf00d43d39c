//go:build !unix

package singlefile

import "io/fs"

// inode is 0 where the platform has none to offer: size and time must do.
func inode(fs.FileInfo) uint64 { return 0 }

// isUnsupported: directories cannot be synced here (Windows), and renames are
// durable without it.
func isUnsupported(error) bool { return true }
