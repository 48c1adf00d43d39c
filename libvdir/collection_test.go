package vdir

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

const ev1 = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:one\r\nSUMMARY:One\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"

// newCollection makes an empty collection "cal" in a fresh storage root.
func newCollection(t *testing.T) (*Storage, *Collection) {
	t.Helper()
	s, err := Open(t.TempDir(), "ics")
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.CreateCollection(context.Background(), "cal")
	if err != nil {
		t.Fatal(err)
	}
	return s, c
}

// noTempFiles fails when a write left a .tmp file behind.
func noTempFiles(t *testing.T, dir string) {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(dir, "*.tmp"))
	if len(m) > 0 {
		t.Errorf("temporary files left behind: %q", m)
	}
}

// TestItemLifecycle runs twice: creating through unnamed files where the system has
// them, and through named temporary files as elsewhere.
func TestItemLifecycle(t *testing.T) {
	t.Run("unnamed", testItemLifecycle)
	t.Run("named", func(t *testing.T) {
		was := noUnnamed.Swap(true)
		defer noUnnamed.Store(was)
		testItemLifecycle(t)
	})
}

func testItemLifecycle(t *testing.T) {
	ctx := context.Background()
	_, c := newCollection(t)
	data := []byte(ev1)

	etag, err := c.Create(ctx, "one.ics", data)
	if err != nil {
		t.Fatal(err)
	}
	it, err := c.Get(ctx, "one.ics")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(it.Data, data) || it.Etag != etag || it.Name != "one.ics" {
		t.Fatalf("Get = %q etag %q, want the bytes written and etag %q", it.Data, it.Etag, etag)
	}
	if _, err := c.Create(ctx, "one.ics", []byte("other")); !errors.Is(err, ErrExists) {
		t.Fatalf("second Create: %v, want ErrExists", err)
	}
	if got, _ := os.ReadFile(filepath.Join(c.Path(), "one.ics")); !bytes.Equal(got, data) {
		t.Fatal("a failed Create changed the file")
	}

	// Same size, so only the inode and mtime tell the versions apart.
	data2 := bytes.Replace(data, []byte("One"), []byte("Two"), 1)
	etag2, err := c.Update(ctx, "one.ics", etag, data2)
	if err != nil {
		t.Fatal(err)
	}
	if etag2 == etag {
		t.Fatal("Update kept the etag")
	}
	if _, err := c.Update(ctx, "one.ics", etag, data); !errors.Is(err, ErrEtagMismatch) {
		t.Fatalf("Update with a stale etag: %v, want ErrEtagMismatch", err)
	}
	if it, _ := c.Get(ctx, "one.ics"); !bytes.Equal(it.Data, data2) || it.Etag != etag2 {
		t.Fatalf("after Update: %q %q", it.Data, it.Etag)
	}
	if err := c.Delete(ctx, "one.ics", etag); !errors.Is(err, ErrEtagMismatch) {
		t.Fatalf("Delete with a stale etag: %v, want ErrEtagMismatch", err)
	}
	if err := c.Delete(ctx, "one.ics", etag2); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Get(ctx, "one.ics"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get after Delete: %v", err)
	}
	if err := c.Delete(ctx, "one.ics", etag2); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second Delete: %v, want ErrNotFound", err)
	}
	if _, err := c.Update(ctx, "one.ics", etag2, data); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Update of a deleted item: %v, want ErrNotFound", err)
	}
	noTempFiles(t, c.Path())
}

func TestInvalidItemNames(t *testing.T) {
	ctx := context.Background()
	_, c := newCollection(t)
	for _, name := range []string{"", ".", "..", "../escape.ics", "a/b.ics", "nul\x00.ics", "x.vcf", "x.ics.tmp", ".ics", strings.Repeat("a", 252) + ".ics"} {
		if _, err := c.Create(ctx, name, []byte(ev1)); !errors.Is(err, ErrInvalidName) {
			t.Errorf("Create(%q): %v, want ErrInvalidName", name, err)
		}
		if _, err := c.Get(ctx, name); !errors.Is(err, ErrInvalidName) {
			t.Errorf("Get(%q): %v, want ErrInvalidName", name, err)
		}
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(c.Path()), "escape.ics")); err == nil {
		t.Fatal("a name escaped the collection")
	}
}

// Another program rewriting an item must change the etag even when it keeps the size
// and the modification time.
func TestEtagSeesForeignRewrites(t *testing.T) {
	ctx := context.Background()
	_, c := newCollection(t)
	etag, err := c.Create(ctx, "one.ics", []byte(ev1))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(c.Path(), "one.ics")
	fi, _ := os.Stat(path)

	// An editor's save: new file, renamed over the old one, same mtime and size.
	other := filepath.Join(c.Path(), "editor-swap")
	if err := os.WriteFile(other, []byte(strings.Replace(ev1, "One", "Eno", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	os.Chtimes(other, fi.ModTime(), fi.ModTime())
	if err := os.Rename(other, path); err != nil {
		t.Fatal(err)
	}
	l, _ := c.List(ctx)
	if len(l.Items) != 1 || l.Items[0].Etag == etag {
		t.Fatalf("listing %+v kept etag %q after a rename-over", l.Items, etag)
	}
	if _, err := c.Update(ctx, "one.ics", etag, []byte(ev1)); !errors.Is(err, ErrEtagMismatch) {
		t.Fatalf("Update over a foreign write: %v, want ErrEtagMismatch", err)
	}

	// An in-place rewrite of the same size one nanosecond later.
	etag = l.Items[0].Etag
	fi, _ = os.Stat(path)
	if err := os.WriteFile(path, []byte(strings.Replace(ev1, "One", "Oen", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	os.Chtimes(path, fi.ModTime(), fi.ModTime().Add(time.Nanosecond))
	if err := c.Delete(ctx, "one.ics", etag); !errors.Is(err, ErrEtagMismatch) {
		t.Fatalf("Delete over an in-place rewrite: %v, want ErrEtagMismatch", err)
	}
}

func TestUpdateKeepsPermissions(t *testing.T) {
	ctx := context.Background()
	_, c := newCollection(t)
	etag, _ := c.Create(ctx, "one.ics", []byte(ev1))
	path := filepath.Join(c.Path(), "one.ics")
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(path)
	etag = etagOf(fi)
	if _, err := c.Update(ctx, "one.ics", etag, []byte(ev1+"\r\n")); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v after Update, want 0600", fi.Mode().Perm())
	}
}

func TestList(t *testing.T) {
	ctx := context.Background()
	s, c := newCollection(t)
	dir := c.Path()
	write := func(name, content string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("b.ics", ev1)
	write("a.ics", ev1)
	write("a.ics.1234.tmp", "BEGIN:VCAL")
	write("c.vcf", "BEGIN:VCARD")
	write("displayname", "Cal")
	write("notes.txt", "x")
	os.Mkdir(filepath.Join(dir, "sub.ics"), 0o755)
	outside := filepath.Join(t.TempDir(), "secret.ics")
	os.WriteFile(outside, []byte("secret"), 0o600)
	os.Symlink(outside, filepath.Join(dir, "out.ics"))
	os.Symlink("a.ics", filepath.Join(dir, "in.ics"))
	other, _ := s.CreateCollection(ctx, "other")
	os.WriteFile(filepath.Join(other.Path(), "x.ics"), []byte(ev1), 0o644)
	os.Symlink("../other/x.ics", filepath.Join(dir, "sibling.ics"))
	os.Symlink("missing.ics", filepath.Join(dir, "dangling.ics"))
	noFifo := mkfifo(filepath.Join(dir, "fifo.ics")) // named pipes are a Unix thing
	if noFifo != nil && !errors.Is(noFifo, errors.ErrUnsupported) {
		t.Fatal(noFifo)
	}

	l, err := c.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range l.Items {
		names = append(names, e.Name)
		if e.Etag == "" || e.Size != int64(len(ev1)) {
			t.Errorf("entry %+v", e)
		}
	}
	if want := []string{"a.ics", "b.ics", "in.ics", "sibling.ics"}; !reflect.DeepEqual(names, want) {
		t.Errorf("listed %q, want %q", names, want)
	}
	// A listing's etag is the one Get and the writes give, whichever way it was read.
	for _, e := range l.Items {
		if it, err := c.Get(ctx, e.Name); err != nil || it.Etag != e.Etag {
			t.Errorf("%s: listed etag %q, Get %q, %v", e.Name, e.Etag, it.Etag, err)
		}
	}
	skipped := map[string]string{}
	for _, p := range l.Skipped {
		skipped[filepath.Base(p.Path)] = p.Code
	}
	want := map[string]string{"out.ics": ProblemSymlinkOutside, "sub.ics": ProblemNotAFile,
		"fifo.ics": ProblemNotAFile, "dangling.ics": ProblemNotAFile}
	if noFifo != nil {
		delete(want, "fifo.ics")
	}
	if !reflect.DeepEqual(skipped, want) {
		t.Errorf("skipped %v, want %v", skipped, want)
	}

	// Reading a named pipe would block forever; it must fail at once.
	if _, err := c.Get(ctx, "fifo.ics"); noFifo == nil && !errors.Is(err, ErrNotRegular) {
		t.Errorf("Get of a named pipe: %v, want ErrNotRegular", err)
	}
	if _, err := c.Get(ctx, "sub.ics"); !errors.Is(err, ErrNotRegular) {
		t.Errorf("Get of a directory: %v, want ErrNotRegular", err)
	}
	if _, err := c.Get(ctx, "dangling.ics"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get of a dangling link: %v, want ErrNotFound", err)
	}
	if it, err := c.Get(ctx, "in.ics"); err != nil || string(it.Data) != ev1 {
		t.Errorf("Get of a link inside: %q, %v", it.Data, err)
	}
}

// TestReadSized: a file read to its end whatever stat said of its size, and never past
// the limit.
func TestReadSized(t *testing.T) {
	tests := []struct {
		name        string
		content     string
		size, limit int64
		wantErr     error
	}{
		{"as stat said", "BEGIN:VCALENDAR", 15, 100, nil},
		{"grew since stat", strings.Repeat("x", 50), 3, 100, nil},
		{"shrank since stat", "abc", 10, 100, nil},
		{"empty", "", 0, 100, nil},
		{"at the limit", strings.Repeat("x", 20), 5, 20, nil},
		{"grew past the limit", strings.Repeat("x", 21), 5, 20, ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// A reader that hands out a few bytes at a time, as a slow disk may.
			r := strings.NewReader(tt.content)
			read := func(b []byte) (int, error) { return r.Read(b[:min(len(b), 7)]) }
			got, err := readSized(read, tt.size, tt.limit)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err %v, want %v", err, tt.wantErr)
			}
			if err == nil && string(got) != tt.content {
				t.Errorf("read %q, want %q", got, tt.content)
			}
		})
	}
}

// A planted symbolic link must not leak a file from elsewhere nor let a write land there.
func TestSymlinkOutside(t *testing.T) {
	ctx := context.Background()
	_, c := newCollection(t)
	outside := filepath.Join(t.TempDir(), "secret.ics")
	os.WriteFile(outside, []byte("secret"), 0o600)
	link := filepath.Join(c.Path(), "planted.ics")
	os.Symlink(outside, link)
	fi, _ := os.Stat(outside)

	if _, err := c.Get(ctx, "planted.ics"); !errors.Is(err, ErrSymlinkOutside) {
		t.Errorf("Get: %v, want ErrSymlinkOutside", err)
	}
	if _, err := c.Update(ctx, "planted.ics", etagOf(fi), []byte("overwritten")); !errors.Is(err, ErrSymlinkOutside) {
		t.Errorf("Update: %v, want ErrSymlinkOutside", err)
	}
	if err := c.Delete(ctx, "planted.ics", etagOf(fi)); !errors.Is(err, ErrSymlinkOutside) {
		t.Errorf("Delete: %v, want ErrSymlinkOutside", err)
	}
	if got, _ := os.ReadFile(outside); string(got) != "secret" {
		t.Fatalf("the outside file became %q", got)
	}
	if _, err := os.Lstat(link); err != nil {
		t.Fatal("the link was removed")
	}
	os.Symlink(outside, filepath.Join(c.Path(), "color"))
	if v, err := c.Meta(ctx, Color); v != "" || !errors.Is(err, ErrSymlinkOutside) {
		t.Errorf("Meta through an outside link: %q, %v", v, err)
	}
}

// An item that is a link to another file inside the storage is updated at its target
// and deleted as a link.
func TestSymlinkInside(t *testing.T) {
	ctx := context.Background()
	_, c := newCollection(t)
	if _, err := c.Create(ctx, "real.ics", []byte(ev1)); err != nil {
		t.Fatal(err)
	}
	os.Symlink("real.ics", filepath.Join(c.Path(), "link.ics"))
	it, err := c.Get(ctx, "link.ics")
	if err != nil || string(it.Data) != ev1 {
		t.Fatalf("Get through the link: %q, %v", it.Data, err)
	}
	if _, err := c.Update(ctx, "link.ics", it.Etag, []byte(ev1+"X:1\r\n")); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(filepath.Join(c.Path(), "link.ics")); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatal("Update replaced the link")
	}
	real, _ := os.ReadFile(filepath.Join(c.Path(), "real.ics"))
	if string(real) != ev1+"X:1\r\n" {
		t.Fatalf("target holds %q", real)
	}
	it, _ = c.Get(ctx, "link.ics")
	if err := c.Delete(ctx, "link.ics", it.Etag); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(c.Path(), "real.ics")); err != nil {
		t.Fatal("Delete of the link removed its target")
	}
}

func TestCollections(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	for _, d := range []string{"work", "personal", ".hidden", "b"} {
		os.Mkdir(filepath.Join(root, d), 0o755)
	}
	os.WriteFile(filepath.Join(root, "stray.ics"), []byte(ev1), 0o644)
	elsewhere := t.TempDir()
	os.Symlink(elsewhere, filepath.Join(root, "linked"))
	os.Symlink(filepath.Join(root, "stray.ics"), filepath.Join(root, "filelink"))

	s, err := Open(root, "ics")
	if err != nil {
		t.Fatal(err)
	}
	cols, err := s.Collections(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, c := range cols {
		ids = append(ids, c.ID())
	}
	if want := []string{"b", "linked", "personal", "work"}; !reflect.DeepEqual(ids, want) {
		t.Errorf("collections %q, want %q", ids, want)
	}
	if _, err := s.CreateCollection(ctx, "work"); !errors.Is(err, ErrExists) {
		t.Errorf("CreateCollection of an existing one: %v", err)
	}
	for _, bad := range []string{"", "..", "a/b", ".dot"} {
		if _, err := s.CreateCollection(ctx, bad); !errors.Is(err, ErrInvalidName) {
			t.Errorf("CreateCollection(%q): %v, want ErrInvalidName", bad, err)
		}
	}
	if _, err := s.Collection("nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Collection(nope): %v", err)
	}
	if _, err := Open(filepath.Join(root, "missing"), "ics"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Open(missing): %v", err)
	}
	for _, ext := range []string{"", "tmp", ".ics", "a/b"} {
		if _, err := Open(root, ext); err == nil {
			t.Errorf("Open with extension %q succeeded", ext)
		}
	}
	// An item in a collection reached through a linked directory is readable: the link
	// is the collection, not the item.
	c, _ := s.Collection("linked")
	if _, err := c.Create(ctx, "x.ics", []byte(ev1)); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Get(ctx, "x.ics"); err != nil {
		t.Fatal(err)
	}
}

func TestIsCollectionAndDetectExt(t *testing.T) {
	const td = "../testdata"
	tests := []struct {
		dir  string
		coll bool
		ext  string
	}{
		{"calendars", false, "ics"},
		{"calendars/personal", true, "ics"},
		{"contacts", false, "vcf"},
		{"contacts/friends", true, "vcf"},
		{"bad", true, "ics"},
	}
	for _, tt := range tests {
		dir := filepath.Join(td, tt.dir)
		got, err := IsCollection(dir, "ics")
		if err != nil || got != tt.coll {
			t.Errorf("IsCollection(%s) = %v, %v; want %v", tt.dir, got, err, tt.coll)
		}
		if ext := DetectExt(dir); ext != tt.ext {
			t.Errorf("DetectExt(%s) = %q, want %q", tt.dir, ext, tt.ext)
		}
	}
	if got, _ := IsCollection(t.TempDir(), "ics"); !got {
		t.Error("an empty directory should count as an (empty) collection")
	}
	if ext := DetectExt(t.TempDir()); ext != "" {
		t.Errorf("DetectExt(empty) = %q", ext)
	}
}

func TestDeleteCollection(t *testing.T) {
	ctx := context.Background()
	s, c := newCollection(t)
	if err := c.SetMeta(ctx, DisplayName, "Work"); err != nil {
		t.Fatal(err)
	}
	etag, err := c.Create(ctx, "a.ics", []byte(ev1))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteCollection(ctx, c.ID()); !errors.Is(err, ErrNotEmpty) {
		t.Fatalf("deleting a collection with an item: %v, want ErrNotEmpty", err)
	}
	if err := c.Delete(ctx, "a.ics", etag); err != nil {
		t.Fatal(err)
	}
	// A file that is neither an item nor metadata also keeps it: it is not ours to remove.
	stray := filepath.Join(c.Path(), "notes.txt")
	os.WriteFile(stray, []byte("x"), 0o644)
	if err := s.DeleteCollection(ctx, c.ID()); !errors.Is(err, ErrNotEmpty) {
		t.Fatalf("deleting a collection with a stray file: %v, want ErrNotEmpty", err)
	}
	os.Remove(stray)
	if err := s.DeleteCollection(ctx, c.ID()); err != nil {
		t.Fatalf("deleting an empty collection: %v", err)
	}
	if _, err := os.Stat(c.Path()); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("collection directory still there: %v", err)
	}
	if err := s.DeleteCollection(ctx, c.ID()); !errors.Is(err, ErrNotFound) {
		t.Errorf("deleting a missing collection: %v, want ErrNotFound", err)
	}
}

// TestFlushGroup: callers that arrive while a flush runs share the next one, and each
// returns only after a flush that started after it called, with that flush's error.
func TestFlushGroup(t *testing.T) {
	release := make(chan struct{})
	var calls []int // files per flush
	var mu sync.Mutex
	boom := errors.New("boom")
	g := &flushGroup{dir: t.TempDir(), fn: func(_ string, files []*os.File) error {
		mu.Lock()
		calls = append(calls, len(files))
		first := len(calls) == 1
		mu.Unlock()
		if first {
			<-release // hold the first flush until everyone else is waiting
			return nil
		}
		return boom
	}}
	f, err := os.CreateTemp(t.TempDir(), "f")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	const n = 50
	errs := make(chan error, n+1)
	go func() { errs <- g.flush(nil, 0) }()
	for {
		mu.Lock()
		started := len(calls) == 1
		mu.Unlock()
		if started {
			break
		}
		time.Sleep(time.Millisecond)
	}
	for i := range n {
		go func() { errs <- g.flush(f, uint64(i+1)) }()
	}
	for {
		g.mu.Lock()
		waiting := len(g.waiting)
		g.mu.Unlock()
		if waiting == n {
			break
		}
		time.Sleep(time.Millisecond)
	}
	close(release)
	var failed int
	for range n + 1 {
		if err := <-errs; errors.Is(err, boom) {
			failed++
		} else if err != nil {
			t.Fatal(err)
		}
	}
	if !reflect.DeepEqual(calls, []int{0, n}) || failed != n {
		t.Errorf("flushes of %v files, %d callers got the second one's error; want [0 %d] and %d", calls, failed, n, n)
	}
}
