package vdir

import (
	"errors"
	"io/fs"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
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
	// Linux 6.10 and later let anyone link a descriptor directly; older ones only root.
	want, way := int32(emptyPathWorks), "works"
	if !linkDirectly(t, dir) {
		want, way = emptyPathRefused, "refused"
	}
	if got := emptyPath.Load(); got != want {
		t.Errorf("after a link: emptyPath = %d, want %s", got, way)
	}
}

// linkDirectly reports whether this kernel lets this process link an unnamed file in
// dir by its descriptor (AT_EMPTY_PATH).
func linkDirectly(t *testing.T, dir string) bool {
	fd, err := unix.Open(dir, unix.O_TMPFILE|unix.O_WRONLY|unix.O_CLOEXEC, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	return unix.Linkat(fd, "", unix.AT_FDCWD, filepath.Join(dir, "probe"), unix.AT_EMPTY_PATH) == nil
}
