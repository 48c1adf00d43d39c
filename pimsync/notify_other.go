//go:build !unix

package main

import "errors"

// descriptorOpen: readiness descriptors (s6, dinit) are a Unix convention.
func descriptorOpen(fd int) error {
	return errors.New("readiness descriptors are not supported on this system")
}
