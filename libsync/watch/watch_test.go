package watch

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// next waits for an event about dir (or All), skipping others.
func next(t *testing.T, w *Watcher, dir, what string) {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case e, ok := <-w.Events:
			if !ok {
				t.Fatalf("%s: Events closed", what)
			}
			if e.All || e.Dir == dir {
				return
			}
		case <-deadline:
			t.Fatalf("%s: no event for %s", what, dir)
		}
	}
}

// quiet fails when an event arrives within d.
func quiet(t *testing.T, w *Watcher, d time.Duration, what string) {
	t.Helper()
	select {
	case e := <-w.Events:
		t.Errorf("%s: unexpected event %+v", what, e)
	case <-time.After(d):
	}
}

// TestWatch: each way an editor or a sync changes a collection's items is reported for
// its directory, and an unwatched directory is not.
func TestWatch(t *testing.T) {
	Poll = 100 * time.Millisecond
	root := t.TempDir()
	col, other := filepath.Join(root, "work"), filepath.Join(root, "other")
	os.Mkdir(col, 0o755)
	os.Mkdir(other, 0o755)
	w, err := New()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	for _, d := range []string{root, col} {
		if err := w.Add(d); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Add(col); err != nil {
		t.Errorf("adding a directory twice: %v", err)
	}
	item := filepath.Join(col, "a.ics")
	steps := []struct {
		what string
		do   func() error
		dir  string
	}{
		{"a new file", func() error { return os.WriteFile(item, []byte("one"), 0o644) }, col},
		{"a file rewritten in place", func() error { return os.WriteFile(item, []byte("two"), 0o644) }, col},
		{"a file renamed over another", func() error {
			tmp := filepath.Join(col, "a.ics.tmp")
			if err := os.WriteFile(tmp, []byte("three"), 0o644); err != nil {
				return err
			}
			return os.Rename(tmp, item)
		}, col},
		{"a file touched", func() error {
			return os.Chtimes(item, time.Now().Add(time.Hour), time.Now().Add(time.Hour))
		}, col},
		{"a file removed", func() error { return os.Remove(item) }, col},
		{"a new collection", func() error { return os.Mkdir(filepath.Join(root, "new"), 0o755) }, root},
	}
	for _, s := range steps {
		if err := s.do(); err != nil {
			t.Fatalf("%s: %v", s.what, err)
		}
		next(t, w, s.dir, s.what)
		// Let the burst settle, then drain it.
		time.Sleep(300 * time.Millisecond)
		for len(w.Events) > 0 {
			<-w.Events
		}
	}
	os.WriteFile(filepath.Join(other, "x.ics"), []byte("x"), 0o644)
	quiet(t, w, 500*time.Millisecond, "a file in an unwatched directory")

	w.Remove(col)
	os.WriteFile(item, []byte("four"), 0o644)
	quiet(t, w, 500*time.Millisecond, "a file in a directory no longer watched")

	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if _, ok := <-w.Events; ok {
		t.Error("Events still open after Close")
	}
	if err := w.Add(col); err != ErrClosed {
		t.Errorf("Add after Close: %v", err)
	}
}
