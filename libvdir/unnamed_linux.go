package vdir

import (
	"errors"
	"os"
	"strconv"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// errNoUnnamed says an unnamed file cannot be linked here; the caller writes a named
// temporary file instead.
var errNoUnnamed = errors.New("unnamed files cannot be linked")

// openUnnamed opens a new file in dir that has no name yet (O_TMPFILE), or returns nil
// where that is not supported.
func openUnnamed(dir string) *os.File {
	if noUnnamed.Load() {
		return nil
	}
	fd, err := unix.Open(dir, unix.O_TMPFILE|unix.O_WRONLY|unix.O_CLOEXEC, 0o666)
	if err != nil {
		if errors.Is(err, unix.EOPNOTSUPP) || errors.Is(err, unix.EISDIR) || errors.Is(err, unix.EINVAL) {
			noUnnamed.Store(true)
		}
		return nil
	}
	return os.NewFile(uintptr(fd), dir)
}

// linkUnnamed gives f, from openUnnamed, the name path, failing with ErrExists when
// the name is taken. It links the descriptor itself (AT_EMPTY_PATH), which Linux 6.10
// and later allow anyone for a file they opened, and otherwise goes through /proc,
// which costs a walk of /proc/self/fd for every item; without /proc it returns
// errNoUnnamed.
func linkUnnamed(f *os.File, path string) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var lerr error
	err = rc.Control(func(fd uintptr) { lerr = linkFD(int(fd), path) })
	switch {
	case err != nil:
		return err
	case errors.Is(lerr, unix.EEXIST):
		return ErrExists
	case errors.Is(lerr, unix.ENOENT) && emptyPath.Load() != emptyPathWorks && !procMounted():
		noUnnamed.Store(true)
		return errNoUnnamed
	}
	return lerr
}

// How linking a descriptor directly went: not tried yet, or it works, or the kernel
// refuses it (before Linux 6.10 it needs CAP_DAC_READ_SEARCH, and says ENOENT).
const (
	emptyPathUntried = iota
	emptyPathWorks
	emptyPathRefused
)

// emptyPath remembers how linking a descriptor directly went, so that each later
// link goes the way that works at once; tests set it to take the other way.
var emptyPath atomic.Int32

// linkFD links the unnamed file fd at path.
func linkFD(fd int, path string) error {
	if emptyPath.Load() != emptyPathRefused {
		err := unix.Linkat(fd, "", unix.AT_FDCWD, path, unix.AT_EMPTY_PATH)
		if err == nil {
			emptyPath.Store(emptyPathWorks)
			return nil
		}
		if emptyPath.Load() == emptyPathWorks || !errors.Is(err, unix.ENOENT) && !errors.Is(err, unix.EPERM) {
			return err
		}
		// Refused, or path's directory is gone: the way through /proc tells which.
	}
	err := unix.Linkat(unix.AT_FDCWD, "/proc/self/fd/"+strconv.Itoa(fd), unix.AT_FDCWD, path, unix.AT_SYMLINK_FOLLOW)
	if err == nil {
		emptyPath.CompareAndSwap(emptyPathUntried, emptyPathRefused)
	}
	return err
}

func procMounted() bool {
	_, err := os.Stat("/proc/self/fd")
	return err == nil
}
