//go:build unix

package vdir

import "syscall"

// mkfifo makes a named pipe at path: a listing must skip it, and reading it must not
// block.
func mkfifo(path string) error { return syscall.Mkfifo(path, 0o644) }
