//go:build unix

package main

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// descriptorOpen checks that fd is an open descriptor without taking it over: an
// os.File made for a number that is not open would close that number when collected,
// by then perhaps another file's.
func descriptorOpen(fd int) error {
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return fmt.Errorf("the descriptor is not open: %w", err)
	}
	return nil
}
