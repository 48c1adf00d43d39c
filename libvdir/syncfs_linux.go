package vdir

import (
	"errors"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// One syncfs makes both file data and directory entries durable, so on Linux data and
// directory syncs share one group: a write's two waits (for its data, then for its
// name) ride on the same flushes as every other write's.
var (
	dataSyncs = newGroups(flushFS)
	dirSyncs  = dataSyncs
)

// flushKey is the file system dir is on: one syncfs serves every directory there, so
// collections and pairs syncing at once share flushes rather than each flushing the
// whole file system for itself.
func flushKey(dir string) string {
	var st unix.Stat_t
	if err := unix.Stat(dir, &st); err != nil {
		return dir
	}
	return "dev " + strconv.FormatUint(st.Dev, 10)
}

// flushFS makes files and the entries of dir durable with one syncfs(2) of their file
// system, which writes back every dirty page and inode and flushes the disk's cache
// once, where an fsync per file would flush it per file. files are in the order they
// were opened: syncfs reports a write-back error (Linux 5.8 and later) to each
// descriptor opened before it happened, so asking through the oldest one reports an
// error that struck any of them. Where syncfs is not allowed, each file and the
// directory are fsynced. syncfs also writes back what other programs left dirty on
// the file system, so on a busy disk each flush takes longer; but there are few.
func flushFS(dir string, files []*os.File) error {
	var serr error
	if len(files) > 0 {
		rc, err := files[0].SyscallConn()
		if err != nil {
			return err
		}
		if err := rc.Control(func(fd uintptr) { serr = unix.Syncfs(int(fd)) }); err != nil {
			return err
		}
	} else {
		// A bare descriptor: os.Open would add four fcntl calls to each of a sync's
		// hundreds of directory flushes.
		fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
		if err != nil {
			return &os.PathError{Op: "open", Path: dir, Err: err}
		}
		serr = unix.Syncfs(fd)
		unix.Close(fd)
	}
	if errors.Is(serr, unix.ENOSYS) || errors.Is(serr, unix.EPERM) {
		return errors.Join(fsyncEach(dir, files), fsyncDir(dir, nil))
	}
	return serr
}
