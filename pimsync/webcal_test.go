package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pimsync-go/libsync/testserver"
	"github.com/pimsync-go/libsync/webcal/webcaltest"
)

// webcalEnv is a world with a feed served at /feed.ics synced into storage b.
func webcalEnv(t *testing.T, srv *webcaltest.Server, id, target string) *env {
	t.Helper()
	dir := t.TempDir()
	e := &env{t: t, dir: dir, b: filepath.Join(dir, "b"), conf: filepath.Join(dir, "pimsync.conf")}
	os.MkdirAll(e.b, 0o755)
	conf := fmt.Sprintf("status_path %q\n", filepath.Join(dir, "status")) +
		fmt.Sprintf("storage feed {\n\ttype webcal\n\turl %q\n\tcollection_id %s\n}\n", srv.URL+"/feed.ics", id) +
		target +
		fmt.Sprintf("pair p {\n\tstorage_a feed\n\tstorage_b b\n\tcollection %s\n}\n", id)
	write(t, e.conf, conf)
	return e
}

func TestWebcalToVdir(t *testing.T) {
	srv := webcaltest.New(t)
	srv.Set("/feed.ics", webcaltest.Overrides)
	dir := t.TempDir()
	e := webcalEnv(t, srv, "holidays", fmt.Sprintf("storage b {\n\ttype vdir/icalendar\n\tpath %q\n}\n", filepath.Join(dir, "b")))
	e.b = filepath.Join(dir, "b")
	os.MkdirAll(e.b, 0o755)
	col := filepath.Join(e.b, "holidays")

	if lines := e.sync(0); total(lines, "created_b") != 3 {
		t.Fatalf("first sync: %v", lines)
	}
	weekly := read(t, filepath.Join(col, "weekly@example.com.ics"))
	if !strings.Contains(weekly, "RECURRENCE-ID") || strings.Contains(weekly, "METHOD") || strings.Contains(weekly, "America/New_York") {
		t.Errorf("weekly item:\n%s", weekly)
	}
	// Unchanged feed: nothing to do.
	if lines := e.sync(0); total(lines, "created_b")+total(lines, "updated_b")+total(lines, "deleted_b") != 0 {
		t.Fatalf("second sync: %v", lines)
	}
	// A malformed feed fails the sync and leaves the vdir as it was.
	srv.Set("/feed.ics", webcaltest.Malformed)
	code, out, errOut := e.run("sync")
	if code == 0 || !strings.Contains(out+errOut, "cut short") {
		t.Fatalf("malformed feed: exit %d\n%s\n%s", code, out, errOut)
	}
	if entries, _ := os.ReadDir(col); len(entries) != 3 {
		t.Fatalf("%d files after a malformed feed", len(entries))
	}
	// The feed drops two items and changes one.
	changed := strings.Replace(webcaltest.Overrides, "SUMMARY:Weekly sync\r\n", "SUMMARY:Weekly meeting\r\n", 1)
	srv.Set("/feed.ics", changed[:strings.Index(changed, "BEGIN:VEVENT\r\nUID:ny")]+"END:VCALENDAR\r\n")
	lines := e.sync(0)
	if total(lines, "updated_b") != 1 || total(lines, "deleted_b") != 2 {
		t.Fatalf("after the feed changed: %v", lines)
	}
	// The feed's name (X-WR-CALNAME) becomes the collection's display name.
	named := strings.Replace(changed[:strings.Index(changed, "BEGIN:VEVENT\r\nUID:ny")]+"END:VCALENDAR\r\n",
		"METHOD:PUBLISH\r\n", "METHOD:PUBLISH\r\nX-WR-CALNAME:Public holidays\r\n", 1)
	srv.Set("/feed.ics", named)
	e.sync(0)
	if got := strings.TrimSpace(read(t, filepath.Join(col, "displayname"))); got != "Public holidays" {
		t.Errorf("display name %q, want the feed's X-WR-CALNAME", got)
	}
	// Writing to the feed is impossible; a local edit is reported, never sent.
	write(t, filepath.Join(col, "weekly@example.com.ics"), strings.Replace(read(t, filepath.Join(col, "weekly@example.com.ics")), "Weekly meeting", "Mine", 1))
	if code, out, errOut := e.run("sync"); code == 2 {
		t.Fatalf("sync after a local edit: exit %d\n%s\n%s", code, out, errOut)
	}
}

func TestWebcalPairOfFeeds(t *testing.T) {
	dir := t.TempDir()
	e := &env{t: t, dir: dir, conf: filepath.Join(dir, "pimsync.conf")}
	write(t, e.conf, fmt.Sprintf("status_path %q\n", dir)+
		"storage f {\n\ttype webcal\n\turl https://example.com/f.ics\n\tcollection_id f\n}\n"+
		"storage g {\n\ttype webcal\n\turl https://example.com/g.ics\n\tcollection_id f\n}\n"+
		"pair p {\n\tstorage_a f\n\tstorage_b g\n\tcollections all\n}\n")
	code, out, errOut := e.run("check")
	if code != 2 || !strings.Contains(out+errOut, "both read-only") {
		t.Errorf("exit %d\n%s\n%s", code, out, errOut)
	}
}

func TestWebcalToRadicale(t *testing.T) {
	rad := testserver.Radicale(t)
	calURL := rad.NewCalendar(t)
	id := filepath.Base(strings.TrimSuffix(calURL, "/"))
	srv := webcaltest.New(t)
	feed := webcaltest.Overrides // UIDs with @, which Radicale escapes in hrefs
	srv.Set("/feed.ics", feed)
	e := webcalEnv(t, srv, id, davStorage("b", "caldav", rad.URL, rad))
	if lines := e.sync(0); total(lines, "created_b") != 3 {
		t.Fatalf("first sync: %v", lines)
	}
	if lines := e.sync(0); total(lines, "created_b")+total(lines, "updated_b") != 0 {
		t.Fatalf("second sync: %v", lines)
	}
	srv.Set("/feed.ics", strings.Replace(feed, "SUMMARY:New York call", "SUMMARY:NYC call", 1))
	if lines := e.sync(0); total(lines, "updated_b") != 1 {
		t.Fatalf("after a change: %v", lines)
	}
}
