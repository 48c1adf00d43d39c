package vdir

import (
	"cmp"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
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

// formatEtag is the etag of a file version: its modification time in nanoseconds, its
// inode (0 where the platform has none) and its size, which any rewrite changes.
func formatEtag(mtimeNanos int64, ino uint64, size int64) string {
	return strconv.FormatInt(mtimeNanos, 10) + ";" + strconv.FormatUint(ino, 10) + ";" + strconv.FormatInt(size, 10)
}

// errFollow: readDirect met a symbolic link, which resolve vets before it is read.
var errFollow = errors.New("symbolic link")

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
	data, err := readSized(f.Read, fi.Size(), limit)
	if err != nil {
		return nil, "", err
	}
	return data, etagOf(fi), nil
}

// readSized reads to the end with read, into a buffer of the size stat gave and one
// byte more to see the end: a file that grew meanwhile is read on, up to limit. (A
// bytes.Buffer would grow its buffer to twice the size first, for every item.)
func readSized(read func([]byte) (int, error), size, limit int64) ([]byte, error) {
	buf := make([]byte, size+1)
	n := 0
	for {
		if n == len(buf) {
			if int64(n) > limit {
				return nil, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, limit)
			}
			buf = append(buf, make([]byte, min(int64(len(buf)), limit+1-int64(n)))...)
		}
		m, err := read(buf[n:])
		n += m
		if err == io.EOF || err == nil && m == 0 {
			return buf[:n:n], nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// writeTemp writes data to a new temporary file next to name in dir, makes it durable
// (syncData) and returns its path and the etag the file keeps once linked or renamed
// into place (neither changes its inode, mtime or size). perm is applied as given when
// nonzero, else the new file gets 0666 less the umask, as any new file would.
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
	var seq uint64
	for range 100 {
		var rnd [6]byte
		if _, err := rand.Read(rnd[:]); err != nil {
			return "", "", err
		}
		tmp = filepath.Join(dir, stem+"."+hex.EncodeToString(rnd[:])+".tmp")
		seq = opened.Add(1)
		f, err = os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o666)
		if !errors.Is(err, fs.ErrExist) {
			break
		}
	}
	if err != nil {
		return "", "", err
	}
	etag, err = fill(dir, f, seq, data, perm)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp)
		return "", "", err
	}
	return tmp, etag, nil
}

// fill writes data to f, a new file in dir opened as the seq'th, and makes it durable,
// returning its etag.
func fill(dir string, f *os.File, seq uint64, data []byte, perm fs.FileMode) (string, error) {
	if perm != 0 {
		if err := f.Chmod(perm); err != nil {
			return "", err
		}
	}
	if _, err := f.Write(data); err != nil {
		return "", err
	}
	if err := syncData(dir, f, seq); err != nil {
		return "", err
	}
	fi, err := f.Stat()
	if err != nil {
		return "", err
	}
	return etagOf(fi), nil
}

// writeNew writes data as a new file at path in dir, never replacing an existing one,
// and returns its etag. Where the system can, the data goes to an unnamed file that is
// linked into place once durable (one directory change instead of three for a named
// temporary file: create, link, remove); elsewhere through writeTemp and linkNew.
func writeNew(dir, path string, data []byte) (string, error) {
	seq := opened.Add(1)
	if f := openUnnamed(dir); f != nil {
		defer f.Close()
		etag, err := fill(dir, f, seq, data, 0)
		if err != nil {
			return "", err
		}
		if err := linkUnnamed(f, path); err != errNoUnnamed {
			return etag, err
		}
	}
	tmp, etag, err := writeTemp(dir, filepath.Base(path), data, 0)
	if err != nil {
		return "", err
	}
	if err := linkNew(tmp, path); err != nil {
		return "", err
	}
	return etag, nil
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
// returns once a flush that started after the call has finished (an fsync of the
// directory, or on Linux a syncfs shared with syncData). Concurrent callers share
// flushes (see flushGroup). Some file systems cannot sync directories; that is not
// worth failing a write for.
func syncDir(dir string) {
	dirSyncs.group(dir).flush(nil, 0)
}

// syncData makes the data of f, a file just written in dir, durable, before it is
// linked or renamed into place: a crash must never leave an item name pointing at a
// partly written file. Concurrent callers share one flush of the file system (syncfs
// where there is one), so a sync writing thousands of items pays a few hundred flushes
// instead of an fsync each, which on ext4 also syncs the directory. seq orders the
// files by when they were opened (see flushFS).
func syncData(dir string, f *os.File, seq uint64) error {
	return dataSyncs.group(dir).flush(f, seq)
}

// noUnnamed is set once the system has refused an unnamed file (writeNew), so later
// writes do not ask again; tests set it to take the other way.
var noUnnamed atomic.Bool

// opened numbers temporary files in the order they are opened.
var opened atomic.Uint64

// groups holds one flushGroup per flushKey, all flushing with fn.
type groups struct {
	fn    func(dir string, files []*os.File) error
	mu    sync.Mutex
	m     map[string]*flushGroup // by flushKey
	byDir map[string]*flushGroup // the group of each directory asked for so far
}

func newGroups(fn func(dir string, files []*os.File) error) *groups {
	return &groups{fn: fn, m: map[string]*flushGroup{}, byDir: map[string]*flushGroup{}}
}

// group returns dir's flushGroup. A directory's group is looked up once: flushKey
// stats the directory, and a write asks twice (data, then name), thousands of times
// in a sync.
func (gs *groups) group(dir string) *flushGroup {
	gs.mu.Lock()
	g := gs.byDir[dir]
	gs.mu.Unlock()
	if g != nil {
		return g
	}
	key := flushKey(dir)
	gs.mu.Lock()
	defer gs.mu.Unlock()
	g = gs.m[key]
	if g == nil {
		g = &flushGroup{dir: dir, fn: gs.fn}
		gs.m[key] = g
	}
	gs.byDir[dir] = g
	return g
}

// flushGroup is a group commit: while one flush runs, the callers that arrive wait,
// and the next flush serves them all. Each caller still returns only after a flush
// that started after it called, so none loses its guarantee.
type flushGroup struct {
	dir     string
	fn      func(dir string, files []*os.File) error
	mu      sync.Mutex
	running bool
	waiting []*waiter
}

type waiter struct {
	f    *os.File // nil for directory syncs
	seq  uint64
	done chan error
}

func (g *flushGroup) flush(f *os.File, seq uint64) error {
	w := &waiter{f: f, seq: seq, done: make(chan error, 1)}
	g.mu.Lock()
	g.waiting = append(g.waiting, w)
	if !g.running {
		g.running = true
		go g.loop()
	}
	g.mu.Unlock()
	return <-w.done
}

// loop flushes for the callers waiting, again while new ones arrived during a flush,
// and stops when none are left.
func (g *flushGroup) loop() {
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
		// The oldest file first: flushFS relies on it.
		slices.SortFunc(batch, func(a, b *waiter) int { return cmp.Compare(a.seq, b.seq) })
		var files []*os.File
		for _, w := range batch {
			if w.f != nil {
				files = append(files, w.f)
			}
		}
		err := g.fn(g.dir, files)
		for _, w := range batch {
			w.done <- err
		}
	}
}

// fsyncDir fsyncs dir; files, if any, have been synced by their callers.
func fsyncDir(dir string, _ []*os.File) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// fsyncEach fsyncs each file.
func fsyncEach(_ string, files []*os.File) error {
	var errs []error
	for _, f := range files {
		if err := f.Sync(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
