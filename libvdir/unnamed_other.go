//go:build !linux

package vdir

import (
	"errors"
	"os"
)

var errNoUnnamed = errors.New("unnamed files cannot be linked")

// openUnnamed: only Linux has unnamed files (O_TMPFILE).
func openUnnamed(dir string) *os.File { return nil }

func linkUnnamed(f *os.File, path string) error { return errNoUnnamed }
