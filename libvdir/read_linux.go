package vdir

import (
	"errors"
	"fmt"
	"io"
	"io/fs"

	"golang.org/x/sys/unix"
)

// readDirect reads the regular file at path, at most limit bytes, with the etag of
// exactly the version read, in four system calls (open, fstat, read, close) where
// resolve and an os.File take eight: an initial sync reads every item. It fails with
// errFollow when path is a symbolic link, which resolve must vet first.
func readDirect(path string, limit int64) ([]byte, string, error) {
	fd, err := openRetry(path)
	switch {
	case errors.Is(err, unix.ELOOP):
		return nil, "", errFollow
	case errors.Is(err, unix.ENOENT):
		return nil, "", ErrNotFound
	case err != nil:
		return nil, "", &fs.PathError{Op: "open", Path: path, Err: err}
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return nil, "", &fs.PathError{Op: "stat", Path: path, Err: err}
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		return nil, "", ErrNotRegular
	}
	if st.Size > limit {
		return nil, "", fmt.Errorf("%w: %d bytes, the limit is %d", ErrTooLarge, st.Size, limit)
	}
	got := int64(0)
	data, err := readSized(func(b []byte) (int, error) {
		for {
			m, err := unix.Read(fd, b)
			if errors.Is(err, unix.EINTR) {
				continue
			}
			m = max(m, 0)
			got += int64(m)
			// A read that stopped short of the byte asked beyond the size fstat gave,
			// having read exactly that size, is at the end: the read that would return
			// 0 is skipped. A file that grew or shrank meanwhile reads on to its end.
			if err == nil && m > 0 && m < len(b) && got == st.Size {
				return m, io.EOF
			}
			return m, err
		}
	}, st.Size, limit)
	if err != nil {
		return nil, "", &fs.PathError{Op: "read", Path: path, Err: err}
	}
	return data, statEtag(&st), nil
}

// openRetry opens path for reading, without following a final symbolic link or
// blocking on a named pipe, again when a signal interrupts it.
func openRetry(path string) (int, error) {
	for {
		fd, err := unix.Open(path, unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
		if !errors.Is(err, unix.EINTR) {
			return fd, err
		}
	}
}
