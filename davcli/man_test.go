package main

import (
	"testing"

	"github.com/pimsync-go/libsync/cli/clitest"
)

// TestManPage checks that docs/man/davcli.1.scd mentions every command, flag and
// environment variable of the command line, so that the page keeps up with the code.
func TestManPage(t *testing.T) {
	clitest.CheckManPage(t, &grammar{}, "../docs/man/davcli.1.scd")
}
