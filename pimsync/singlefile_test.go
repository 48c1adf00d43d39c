package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const singleConfTemplate = `status_path "%s/status"
storage local {
	type vdir/icalendar
	path "%s"
}
storage file {
	type singlefile/icalendar
	path "%s/%%s.ics"
}
pair cal {
	storage_a local
	storage_b file
	collections all
}
`

// calendar is a feed holding events, with the header event() gives each item, so the
// items split from it are byte for byte what event() makes.
func calendar(events ...string) string {
	var b strings.Builder
	b.WriteString("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n")
	for _, e := range events {
		start := strings.Index(e, "BEGIN:VEVENT")
		end := strings.Index(e, "END:VCALENDAR")
		b.WriteString(e[start:end])
	}
	b.WriteString("END:VCALENDAR\r\n")
	return b.String()
}

// TestSingleFileRoundTrip syncs a vdir with a singlefile storage both ways: creations,
// a display name, an edit and a deletion made in the file, and a calendar file made by
// hand becoming a vdir collection.
func TestSingleFileRoundTrip(t *testing.T) {
	e := newEnv(t, "")
	files := filepath.Join(e.dir, "files")
	os.Mkdir(files, 0o755)
	conf := fmt.Sprintf(singleConfTemplate, e.dir, e.a, files)
	write(t, e.conf, conf)
	write(t, filepath.Join(e.a, "work", "one.ics"), event("one", "first"))
	write(t, filepath.Join(e.a, "work", "two.ics"), event("two", "second"))
	write(t, filepath.Join(e.a, "work", "three.ics"), event("three", "third"))
	write(t, filepath.Join(e.a, "work", "displayname"), "Work")
	write(t, filepath.Join(files, "home.ics"), calendar(event("four", "fourth")))

	lines := e.sync(0)
	if total(lines, "created_b") != 3 || total(lines, "created_a") != 1 {
		t.Fatalf("first sync: %v", lines)
	}
	work := filepath.Join(files, "work.ics")
	// The sync's order of creations is its own; each event must be there once.
	got := read(t, work)
	for _, uid := range []string{"one", "two", "three"} {
		if strings.Count(got, "\r\nUID:"+uid+"\r\n") != 1 {
			t.Errorf("work.ics holds UID %s %d times: %q", uid, strings.Count(got, "UID:"+uid+"\r\n"), got)
		}
	}
	if !strings.HasPrefix(got, "BEGIN:VCALENDAR\r\n") || strings.Count(got, "BEGIN:VCALENDAR") != 1 {
		t.Errorf("work.ics is not one calendar: %q", got)
	}
	if got := read(t, work+".displayname"); got != "Work" {
		t.Errorf("display name = %q", got)
	}
	if got := read(t, filepath.Join(e.a, "home", "four.ics")); got != event("four", "fourth") {
		t.Errorf("a/home/four.ics = %q", got)
	}

	// Edit one and drop two in the file, as a calendar program would.
	write(t, work, calendar(event("one", "first, edited in the file"), event("three", "third")))
	lines = e.sync(0)
	if total(lines, "updated_a") != 1 || total(lines, "deleted_a") != 1 {
		t.Fatalf("edit sync: %v", lines)
	}
	if got := read(t, filepath.Join(e.a, "work", "one.ics")); got != event("one", "first, edited in the file") {
		t.Errorf("a/work/one.ics = %q", got)
	}
	if exists(filepath.Join(e.a, "work", "two.ics")) {
		t.Error("an item deleted from the file is still in the vdir")
	}

	// An edit in the vdir reaches the file, keeping the other item's bytes.
	write(t, filepath.Join(e.a, "work", "three.ics"), event("three", "third, edited in the vdir"))
	lines = e.sync(0)
	if total(lines, "updated_b") != 1 {
		t.Fatalf("vdir edit sync: %v", lines)
	}
	if got, want := read(t, work), calendar(event("one", "first, edited in the file"), event("three", "third, edited in the vdir")); got != want {
		t.Errorf("work.ics = %q, want %q", got, want)
	}

	lines = e.sync(0)
	for _, f := range []string{"created_a", "created_b", "updated_a", "updated_b", "deleted_a", "deleted_b", "conflicts", "errors"} {
		if total(lines, f) != 0 {
			t.Errorf("sync in sync: %s = %d", f, total(lines, f))
		}
	}
}

// TestSingleFileMissingDir: a path whose directory does not exist is refused when the
// storage is opened, naming the directory, rather than created silently.
func TestSingleFileMissingDir(t *testing.T) {
	e := newEnv(t, "")
	missing := filepath.Join(e.dir, "nowhere")
	write(t, e.conf, fmt.Sprintf(singleConfTemplate, e.dir, e.a, missing))
	code, _, errOut := e.run("sync")
	if code == 0 || !strings.Contains(errOut, "directory "+missing+" of path") {
		t.Errorf("exit %d: %s", code, errOut)
	}
}
