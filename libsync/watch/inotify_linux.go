package watch

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"unsafe"

	"golang.org/x/sys/unix"
)

// mask is what changes a directory's items: a file written and closed, created,
// removed, renamed in or out, or touched (the vdir etag includes the modification
// time), and the directory itself going away.
const mask = unix.IN_CLOSE_WRITE | unix.IN_CREATE | unix.IN_DELETE | unix.IN_MOVED_FROM |
	unix.IN_MOVED_TO | unix.IN_ATTRIB | unix.IN_DELETE_SELF | unix.IN_MOVE_SELF | unix.IN_ONLYDIR

type inotify struct {
	f    *os.File // non-blocking, so Close wakes the reader
	send func(Event)
	done chan struct{}

	mu   sync.Mutex
	dirs map[int32]string // by watch descriptor
	wds  map[string]int32
}

func newImpl(send func(Event)) (impl, error) {
	fd, err := unix.InotifyInit1(unix.IN_NONBLOCK | unix.IN_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("inotify: %w", err)
	}
	in := &inotify{f: os.NewFile(uintptr(fd), "inotify"), send: send, done: make(chan struct{}),
		dirs: map[int32]string{}, wds: map[string]int32{}}
	go in.read()
	return in, nil
}

func (in *inotify) add(dir string) error {
	in.mu.Lock()
	defer in.mu.Unlock()
	if _, ok := in.wds[dir]; ok {
		return nil
	}
	rc, err := in.f.SyscallConn()
	if err != nil {
		return err
	}
	var wd int
	var aerr error
	if err := rc.Control(func(fd uintptr) { wd, aerr = unix.InotifyAddWatch(int(fd), dir, mask) }); err != nil {
		return err
	}
	if aerr != nil {
		if errors.Is(aerr, unix.ENOSPC) {
			return fmt.Errorf("watch %s: the limit of inotify watches is reached (fs.inotify.max_user_watches): %w", dir, aerr)
		}
		return fmt.Errorf("watch %s: %w", dir, aerr)
	}
	in.dirs[int32(wd)] = dir
	in.wds[dir] = int32(wd)
	return nil
}

func (in *inotify) remove(dir string) {
	in.mu.Lock()
	defer in.mu.Unlock()
	wd, ok := in.wds[dir]
	if !ok {
		return
	}
	delete(in.wds, dir)
	delete(in.dirs, wd)
	if rc, err := in.f.SyscallConn(); err == nil {
		rc.Control(func(fd uintptr) { unix.InotifyRmWatch(int(fd), uint32(wd)) })
	}
}

func (in *inotify) close() error {
	err := in.f.Close()
	<-in.done
	return err
}

// read turns the kernel's events into Events, one per directory and read.
func (in *inotify) read() {
	defer close(in.done)
	buf := make([]byte, 64*(unix.SizeofInotifyEvent+unix.NAME_MAX+1))
	for {
		n, err := in.f.Read(buf)
		if err != nil {
			return // closed
		}
		seen := map[string]bool{}
		all := false
		for off := 0; off+unix.SizeofInotifyEvent <= n; {
			ev := (*unix.InotifyEvent)(unsafe.Pointer(&buf[off]))
			off += unix.SizeofInotifyEvent + int(ev.Len)
			if ev.Mask&unix.IN_Q_OVERFLOW != 0 {
				all = true
				continue
			}
			in.mu.Lock()
			dir, ok := in.dirs[ev.Wd]
			if ev.Mask&unix.IN_IGNORED != 0 && ok {
				// The directory is gone (or moved): its watch with it.
				delete(in.dirs, ev.Wd)
				delete(in.wds, dir)
			}
			in.mu.Unlock()
			if ok && !seen[dir] {
				seen[dir] = true
			}
		}
		if all {
			in.send(Event{All: true})
			continue
		}
		for dir := range seen {
			in.send(Event{Dir: dir})
		}
	}
}
