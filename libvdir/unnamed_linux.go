package vdir

import (
	"errors"
	"os"
	"strconv"

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
// the name is taken. It goes through /proc, since linking a descriptor directly
// (AT_EMPTY_PATH) needs a capability; without /proc it returns errNoUnnamed.
func linkUnnamed(f *os.File, path string) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var lerr error
	err = rc.Control(func(fd uintptr) {
		lerr = unix.Linkat(unix.AT_FDCWD, "/proc/self/fd/"+strconv.Itoa(int(fd)), unix.AT_FDCWD, path, unix.AT_SYMLINK_FOLLOW)
	})
	switch {
	case err != nil:
		return err
	case errors.Is(lerr, unix.EEXIST):
		return ErrExists
	case errors.Is(lerr, unix.ENOENT) && !procMounted():
		noUnnamed.Store(true)
		return errNoUnnamed
	}
	return lerr
}

func procMounted() bool {
	_, err := os.Stat("/proc/self/fd")
	return err == nil
}
