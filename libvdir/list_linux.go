package vdir

import (
	"os"

	"golang.org/x/sys/unix"
)

// statEtag is etagOf for what a stat system call filled in.
func statEtag(st *unix.Stat_t) string {
	return formatEtag(st.Mtim.Sec*1e9+st.Mtim.Nsec, st.Ino, st.Size)
}

// statIn is the lstat of the regular file name in the directory open as dir, for the
// listing of thousands of items: relative to the directory's descriptor, the kernel
// does not walk the whole path again for each. ok is false for anything but a regular
// file, which the caller resolves by its path. The etag is etagOf's.
func statIn(dir *os.File, name string) (etag string, size int64, ok bool) {
	rc, err := dir.SyscallConn()
	if err != nil {
		return "", 0, false
	}
	var st unix.Stat_t
	var serr error
	if err := rc.Control(func(fd uintptr) {
		serr = unix.Fstatat(int(fd), name, &st, unix.AT_SYMLINK_NOFOLLOW)
	}); err != nil || serr != nil || st.Mode&unix.S_IFMT != unix.S_IFREG {
		return "", 0, false
	}
	return statEtag(&st), st.Size, true
}
