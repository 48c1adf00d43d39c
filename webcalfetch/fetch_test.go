package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/pimsync-go/libsync/webcal/webcaltest"
	"github.com/pimsync-go/libvdir/item"
)

// run runs webcalfetch with args and returns its exit status and JSON lines.
func run(t *testing.T, args ...string) (int, []map[string]string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := tool.Run(context.Background(), &grammar{}, append([]string{"--json"}, args...), &stdout, &stderr)
	var lines []map[string]string
	for _, l := range strings.Split(strings.TrimSpace(stdout.String()), "\n") {
		if l == "" {
			continue
		}
		m := map[string]string{}
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("output line %q: %v", l, err)
		}
		lines = append(lines, m)
	}
	return code, lines, stderr.String()
}

// files returns the collection's file names.
func files(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names
}

func TestPrint(t *testing.T) {
	srv := webcaltest.New(t)
	code, lines, stderr := run(t, srv.URL+"/overrides.ics")
	if code != 0 || len(lines) != 3 {
		t.Fatalf("exit %d, %d lines, stderr %s", code, len(lines), stderr)
	}
	first := lines[0]
	if first["uid"] != "weekly@example.com" || first["component"] != "VEVENT" || first["summary"] != "Weekly sync" ||
		!strings.Contains(first["data"], "RECURRENCE-ID") || strings.Contains(first["data"], "America/New_York") {
		t.Errorf("first line %v", first)
	}
	if item.UID([]byte(lines[2]["data"])) != lines[2]["uid"] || !strings.HasPrefix(lines[2]["uid"], "hash-") {
		t.Errorf("item without UID: %v", lines[2])
	}

	code, _, stderr = run(t, srv.URL+"/malformed.ics")
	if code != 1 || !strings.Contains(stderr, "missing END:VEVENT") {
		t.Errorf("malformed: exit %d, stderr %s", code, stderr)
	}
	code, _, _ = run(t, "ftp://example.com/x.ics")
	if code == 0 {
		t.Error("ftp URL accepted")
	}
}

func TestCache(t *testing.T) {
	srv := webcaltest.New(t)
	cache := filepath.Join(t.TempDir(), "cache.json")
	for i, want := range []int{3, 0} {
		code, lines, stderr := run(t, srv.URL+"/overrides.ics", "--cache", cache)
		if code != 0 || len(lines) != want {
			t.Fatalf("run %d: exit %d, %d lines (want %d), %s", i, code, len(lines), want, stderr)
		}
	}
	if all, not := srv.Requests("/overrides.ics"); all != 2 || not != 1 {
		t.Errorf("%d requests, %d answered 304", all, not)
	}
}

func TestMirror(t *testing.T) {
	srv := webcaltest.New(t)
	dir := t.TempDir()
	srv.Set("/feed.ics", webcaltest.Overrides)

	code, lines, stderr := run(t, srv.URL+"/feed.ics", "--vdir", dir)
	if code != 0 || len(lines) != 3 || lines[0]["action"] != "create" {
		t.Fatalf("exit %d, %v, %s", code, lines, stderr)
	}
	before := files(t, dir)
	if len(before) != 3 || before[2] != "weekly@example.com.ics" {
		t.Fatalf("files %v", before)
	}
	// Unchanged feed: nothing written.
	if code, lines, _ := run(t, srv.URL+"/feed.ics", "--vdir", dir); code != 0 || len(lines) != 0 {
		t.Fatalf("second run: exit %d, %v", code, lines)
	}
	// A malformed feed: an error, and the collection as it was.
	srv.Set("/feed.ics", webcaltest.Malformed)
	if code, lines, stderr := run(t, srv.URL+"/feed.ics", "--vdir", dir); code != 1 || len(lines) != 0 || !strings.Contains(stderr, "cut short") {
		t.Fatalf("malformed: exit %d, %v, %s", code, lines, stderr)
	}
	if got := files(t, dir); strings.Join(got, " ") != strings.Join(before, " ") {
		t.Fatalf("files after a malformed feed: %v", got)
	}
	// The feed loses two items and changes one.
	srv.Set("/feed.ics", strings.Replace(webcaltest.Large(1), "Event 0", "Event zero", 1))
	code, lines, stderr = run(t, srv.URL+"/feed.ics", "--vdir", dir)
	if code != 0 || len(lines) != 4 {
		t.Fatalf("exit %d, %v, %s", code, lines, stderr)
	}
	if got := files(t, dir); len(got) != 1 || got[0] != "large-00000@example.com.ics" {
		t.Errorf("files %v", got)
	}
}

func TestMirrorLarge(t *testing.T) {
	srv := webcaltest.New(t)
	dir := t.TempDir()
	code, lines, stderr := run(t, srv.URL+"/large.ics", "--vdir", dir)
	if code != 0 || len(lines) != 10000 || len(files(t, dir)) != 10000 {
		t.Fatalf("exit %d, %d lines, %s", code, len(lines), stderr)
	}
	// UIDs that change every fetch: the old item goes, the new one comes.
	dir = t.TempDir()
	run(t, srv.URL+"/changing.ics", "--vdir", dir)
	code, lines, _ = run(t, srv.URL+"/changing.ics", "--vdir", dir)
	if code != 0 || len(lines) != 2 || len(files(t, dir)) != 1 || files(t, dir)[0] != "fetch-2@example.com.ics" {
		t.Errorf("exit %d, %v, files %v", code, lines, files(t, dir))
	}
}
