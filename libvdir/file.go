package vdir

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"
)

// MaxItemSize bounds how much of an item file is read into memory. It is far above any
// real calendar item (servers commonly refuse more than a few MB) and keeps a stray
// multi-gigabyte file from exhausting memory.
const MaxItemSize = 256 << 20

// resolve returns the path to open for the directory entry at path, and the file's
// information: path itself for a regular file, the link's target for a symbolic link
// that stays inside one of the directories allowed returns (absolute and free of
// symlinks). allowed is called only for links: resolving those directories costs
// several system calls that plain item files, nearly all of them, need not pay.
// Anything but a regular file is ErrNotRegular.
func resolve(path string, allowed func() []string) (string, fs.FileInfo, error) {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil, ErrNotFound
	}
	if err != nil {
		return "", nil, err
	}
	if fi.Mode()&fs.ModeSymlink != 0 {
		target, err := filepath.EvalSymlinks(path)
		if errors.Is(err, fs.ErrNotExist) {
			return "", nil, fmt.Errorf("dangling symbolic link: %w", ErrNotFound)
		}
		if err != nil {
			return "", nil, err
		}
		if !slices.ContainsFunc(allowed(), func(dir string) bool { return within(dir, target) }) {
			return "", nil, fmt.Errorf("%w (to %s)", ErrSymlinkOutside, target)
		}
		if fi, err = os.Stat(target); errors.Is(err, fs.ErrNotExist) {
			return "", nil, ErrNotFound
		} else if err != nil {
			return "", nil, err
		}
		path = target
	}
	if !fi.Mode().IsRegular() {
		return "", nil, ErrNotRegular
	}
	return path, fi, nil
}

// within reports whether path lies inside dir; both are clean absolute paths.
func within(dir, path string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, "../") && !filepath.IsAbs(rel)
}

// realDir returns dir as an absolute path with every symbolic link resolved.
func realDir(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	return filepath.EvalSymlinks(abs)
}

// readFile reads a regular file of at most limit bytes and returns its content with the
// etag of exactly the version read.
func readFile(path string, limit int64) ([]byte, string, error) {
	f, err := openNoFollow(path)
	if err != nil {
		return nil, "", err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, "", err
	}
	if !fi.Mode().IsRegular() {
		return nil, "", ErrNotRegular
	}
	if fi.Size() > limit {
		return nil, "", fmt.Errorf("%w: %d bytes, the limit is %d", ErrTooLarge, fi.Size(), limit)
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, "", err
	}
	if int64(len(data)) > limit {
		return nil, "", fmt.Errorf("%w: more than %d bytes", ErrTooLarge, limit)
	}
	return data, etagOf(fi), nil
}

// writeTemp writes data to a new temporary file next to name in dir, syncs it and
// returns its path and the etag the file keeps once linked or renamed into place
// (neither changes its inode, mtime or size). perm is applied as given when nonzero,
// else the new file gets 0666 less the umask, as any new file would.
func writeTemp(dir, name string, data []byte, perm fs.FileMode) (tmp, etag string, err error) {
	stem := name
	if len(stem) > 64 {
		n := 64
		for n > 0 && !utf8.RuneStart(stem[n]) {
			n--
		}
		stem = stem[:n]
	}
	var f *os.File
	for range 100 {
		var rnd [6]byte
		if _, err := rand.Read(rnd[:]); err != nil {
			return "", "", err
		}
		tmp = filepath.Join(dir, stem+"."+hex.EncodeToString(rnd[:])+".tmp")
		f, err = os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o666)
		if !errors.Is(err, fs.ErrExist) {
			break
		}
	}
	if err != nil {
		return "", "", err
	}
	fail := func(err error) (string, string, error) {
		f.Close()
		os.Remove(tmp)
		return "", "", err
	}
	if perm != 0 {
		if err := f.Chmod(perm); err != nil {
			return fail(err)
		}
	}
	if _, err := f.Write(data); err != nil {
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	fi, err := f.Stat()
	if err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return "", "", err
	}
	return tmp, etagOf(fi), nil
}

// linkNew puts tmp in place at path without ever replacing an existing file: a hard
// link fails when the name is taken, atomically. File systems without hard links get
// a check followed by a rename, which a concurrent writer could race.
func linkNew(tmp, path string) error {
	err := os.Link(tmp, path)
	if err == nil {
		return os.Remove(tmp)
	}
	if errors.Is(err, fs.ErrExist) {
		os.Remove(tmp)
		return ErrExists
	}
	if _, serr := os.Lstat(path); serr == nil {
		os.Remove(tmp)
		return ErrExists
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

// syncDir makes a directory's entries durable after a link, rename or removal, and
// returns once an fsync of the directory that started after the call has finished.
// Concurrent callers share fsyncs (a group commit): while one runs, the callers that
// arrive wait and the next fsync serves them all, so a sync writing many items at once
// pays far fewer directory fsyncs, each caller keeping its guarantee. Some file systems
// cannot sync directories; that is not worth failing a write for.
func syncDir(dir string) {
	dirSyncs.mu.Lock()
	g := dirSyncs.m[dir]
	if g == nil {
		g = &dirGroup{}
		dirSyncs.m[dir] = g
	}
	dirSyncs.mu.Unlock()
	g.sync(dir)
}

// dirSyncs holds one group per directory being synced.
var dirSyncs = struct {
	mu sync.Mutex
	m  map[string]*dirGroup
}{m: map[string]*dirGroup{}}

// dirGroup coalesces the fsyncs of one directory.
type dirGroup struct {
	mu      sync.Mutex
	running bool
	waiting []chan struct{} // callers for the next fsync
}

func (g *dirGroup) sync(dir string) {
	done := make(chan struct{})
	g.mu.Lock()
	g.waiting = append(g.waiting, done)
	if !g.running {
		g.running = true
		go g.loop(dir)
	}
	g.mu.Unlock()
	<-done
}

// loop fsyncs the directory for the callers waiting, again while new ones arrived
// during an fsync, and stops when none are left.
func (g *dirGroup) loop(dir string) {
	for {
		g.mu.Lock()
		batch := g.waiting
		g.waiting = nil
		if len(batch) == 0 {
			g.running = false
			g.mu.Unlock()
			return
		}
		g.mu.Unlock()
		if d, err := os.Open(dir); err == nil {
			d.Sync()
			d.Close()
		}
		for _, c := range batch {
			close(c)
		}
	}
}
