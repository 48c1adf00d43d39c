package vdir

import (
	"errors"
	"io/fs"
	"path/filepath"
	"testing"
)

// TestItemLifecycleProc creates items through /proc, as on kernels that refuse to link
// a descriptor directly (before 6.10, without CAP_DAC_READ_SEARCH).
func TestItemLifecycleProc(t *testing.T) {
	was := emptyPath.Swap(emptyPathRefused)
	defer emptyPath.Store(was)
	testItemLifecycle(t)
}

// A link into a directory that is gone fails as such, and does not make later links
// give up the direct way.
func TestLinkUnnamedMissingDir(t *testing.T) {
	was := emptyPath.Swap(emptyPathUntried)
	defer emptyPath.Store(was)
	dir := t.TempDir()
	f := openUnnamed(dir)
	if f == nil {
		t.Skip("no O_TMPFILE on this file system")
	}
	defer f.Close()
	err := linkUnnamed(f, filepath.Join(dir, "gone", "one.ics"))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("link into a missing directory: %v, want ENOENT", err)
	}
	if got := emptyPath.Load(); got != emptyPathUntried {
		t.Errorf("after a failed link: emptyPath = %d, want untried", got)
	}
	if err := linkUnnamed(f, filepath.Join(dir, "one.ics")); err != nil {
		t.Fatal(err)
	}
	if got := emptyPath.Load(); got != emptyPathWorks {
		t.Errorf("after a direct link: emptyPath = %d, want works", got)
	}
}
