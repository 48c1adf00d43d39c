//go:build !unix

package vdir

import "errors"

// mkfifo: named pipes in a directory are a Unix thing.
func mkfifo(path string) error { return errors.ErrUnsupported }
