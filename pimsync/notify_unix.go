//go:build unix

package main

import "golang.org/x/sys/unix"

// descriptorOpen checks that fd is an open descriptor without taking it over: an
// os.File made for a number that is not open would close that number when collected,
// by then perhaps another file's.
func descriptorOpen(fd int) error {
	var st unix.Stat_t
	return unix.Fstat(fd, &st)
}
