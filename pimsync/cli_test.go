package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pimsync-go/libsync/cli/clitest"
	"github.com/pimsync-go/libsync/status"
)

// binary is the pimsync built for these tests: they run it as a user would.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "pimsync-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "pimsync")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go build: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// env is one test's world: two vdir storage roots, a status directory and a config.
type env struct {
	t    *testing.T
	dir  string
	a, b string
	conf string
}

const confTemplate = `status_path "%s/status"
storage local {
	type vdir/icalendar
	path "%s"
}
storage other {
	type vdir/icalendar
	path "%s"
}
pair cal {
	storage_a local
	storage_b other
	collections all
%s}
`

// newEnv makes the world; extra is added inside the pair block.
func newEnv(t *testing.T, extra string) *env {
	dir := t.TempDir()
	e := &env{t: t, dir: dir, a: filepath.Join(dir, "a"), b: filepath.Join(dir, "b"), conf: filepath.Join(dir, "pimsync.conf")}
	os.Mkdir(e.a, 0o755)
	os.Mkdir(e.b, 0o755)
	e.config(extra)
	return e
}

func (e *env) config(extra string) {
	e.t.Helper()
	text := fmt.Sprintf(confTemplate, e.dir, e.a, e.b, extra)
	if err := os.WriteFile(e.conf, []byte(text), 0o600); err != nil {
		e.t.Fatal(err)
	}
}

// run runs pimsync -c CONF ARGS… and returns its exit status, stdout and stderr.
func (e *env) run(args ...string) (int, string, string) {
	e.t.Helper()
	cmd := exec.Command(binary, append([]string{"-c", e.conf}, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		e.t.Fatal(err)
	}
	return code, stdout.String(), stderr.String()
}

// sync runs a sync that must exit with want.
func (e *env) sync(want int, args ...string) []map[string]any {
	e.t.Helper()
	code, out, errOut := e.run(append([]string{"sync"}, args...)...)
	if code != want {
		e.t.Fatalf("sync %q: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", args, code, want, out, errOut)
	}
	return clitest.JSONLines(e.t, out)
}

func event(uid, summary string) string {
	return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:" + uid +
		"\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260105T100000Z\r\nSUMMARY:" + summary + "\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
}

func write(t *testing.T, path, data string) {
	t.Helper()
	os.MkdirAll(filepath.Dir(path), 0o755)
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// total adds up a field over sync's summary lines.
func total(lines []map[string]any, field string) int {
	n := 0
	for _, l := range lines {
		v, _ := l[field].(float64)
		n += int(v)
	}
	return n
}

func TestSyncRoundTrip(t *testing.T) {
	e := newEnv(t, "")
	write(t, filepath.Join(e.a, "work", "one.ics"), event("one", "first"))
	write(t, filepath.Join(e.a, "work", "displayname"), "Work")
	write(t, filepath.Join(e.b, "home", "two.ics"), event("two", "second"))
	// A second item in each, so that the deletes below do not empty a collection (which
	// on_empty protects).
	write(t, filepath.Join(e.a, "work", "keep.ics"), event("keep-work", "stays"))
	write(t, filepath.Join(e.b, "home", "keep.ics"), event("keep-home", "stays"))

	lines := e.sync(0)
	clitest.CheckContract(t, "../docs/json.md", "pimsync sync", lines)
	if total(lines, "created_a") != 2 || total(lines, "created_b") != 2 {
		t.Fatalf("first sync: %v", lines)
	}
	if got := read(t, filepath.Join(e.b, "work", "one.ics")); got != event("one", "first") {
		t.Errorf("b/work/one.ics = %q", got)
	}
	if got := read(t, filepath.Join(e.b, "work", "displayname")); got != "Work" {
		t.Errorf("displayname on b = %q", got)
	}
	if got := read(t, filepath.Join(e.a, "home", "two.ics")); got != event("two", "second") {
		t.Errorf("a/home/two.ics = %q", got)
	}
	fi, err := os.Stat(filepath.Join(e.dir, "status", "cal.db"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("status file: %v %v", fi, err)
	}

	// Edits both ways, then deletes both ways.
	write(t, filepath.Join(e.b, "work", "one.ics"), event("one", "first, edited on b"))
	write(t, filepath.Join(e.a, "home", "two.ics"), event("two", "second, edited on a"))
	lines = e.sync(0)
	if total(lines, "updated_a") != 1 || total(lines, "updated_b") != 1 {
		t.Fatalf("edit sync: %v", lines)
	}
	if got := read(t, filepath.Join(e.a, "work", "one.ics")); got != event("one", "first, edited on b") {
		t.Errorf("a/work/one.ics = %q", got)
	}
	if got := read(t, filepath.Join(e.b, "home", "two.ics")); got != event("two", "second, edited on a") {
		t.Errorf("b/home/two.ics = %q", got)
	}
	write(t, filepath.Join(e.a, "work", "three.ics"), event("three", "third"))
	e.sync(0)
	os.Remove(filepath.Join(e.a, "work", "one.ics"))
	os.Remove(filepath.Join(e.b, "home", "two.ics"))
	lines = e.sync(0)
	if total(lines, "deleted_a") != 1 || total(lines, "deleted_b") != 1 {
		t.Fatalf("delete sync: %v", lines)
	}
	if exists(filepath.Join(e.b, "work", "one.ics")) || exists(filepath.Join(e.a, "home", "two.ics")) {
		t.Error("deleted items came back")
	}
	// Nothing left to do.
	lines = e.sync(0)
	for _, f := range []string{"created_a", "created_b", "updated_a", "updated_b", "deleted_a", "deleted_b", "conflicts", "errors"} {
		if total(lines, f) != 0 {
			t.Errorf("sync in sync: %s = %d", f, total(lines, f))
		}
	}
}

func TestConflict(t *testing.T) {
	e := newEnv(t, "")
	write(t, filepath.Join(e.a, "c", "x.ics"), event("x", "original"))
	e.sync(0)
	write(t, filepath.Join(e.a, "c", "x.ics"), event("x", "edited on a"))
	write(t, filepath.Join(e.b, "c", "x.ics"), event("x", "edited on b"))
	code, out, errOut := e.run("sync")
	if code != 1 {
		t.Fatalf("conflict: exit %d, want 1\n%s\n%s", code, out, errOut)
	}
	if lines := clitest.JSONLines(t, out); total(lines, "conflicts") != 1 {
		t.Errorf("conflicts reported: %v", lines)
	}
	if !strings.Contains(errOut, "uid=x") || !strings.Contains(errOut, "href_a=x.ics") || !strings.Contains(errOut, "href_b=x.ics") {
		t.Errorf("conflict message does not name the item: %s", errOut)
	}
	if read(t, filepath.Join(e.a, "c", "x.ics")) != event("x", "edited on a") || read(t, filepath.Join(e.b, "c", "x.ics")) != event("x", "edited on b") {
		t.Fatal("an unresolved conflict changed an item")
	}

	// keep a settles it on the next sync.
	e.config("\tconflict_resolution keep a\n")
	e.sync(0)
	if got := read(t, filepath.Join(e.b, "c", "x.ics")); got != event("x", "edited on a") {
		t.Errorf("keep a: b has %q", got)
	}
}

func TestResolveConflicts(t *testing.T) {
	e := newEnv(t, "")
	write(t, filepath.Join(e.a, "c", "x.ics"), event("x", "original"))
	write(t, filepath.Join(e.a, "c", "y.ics"), event("y", "original"))
	e.sync(0)
	for _, uid := range []string{"x", "y"} {
		write(t, filepath.Join(e.a, "c", uid+".ics"), event(uid, "edited on a"))
		write(t, filepath.Join(e.b, "c", uid+".ics"), event(uid, "edited on b"))
	}
	// The resolver merges x (both files get a third version) and gives up on y.
	script := filepath.Join(e.dir, "merge.sh")
	write(t, script, "#!/bin/sh\ncase \"$1\" in\n*x.ics) sed 's/SUMMARY:edited on a/SUMMARY:merged/' \"$1\" > \"$1.new\" && mv \"$1.new\" \"$1\" && cp \"$1\" \"$2\" ;;\n*) exit 3 ;;\nesac\n")
	os.Chmod(script, 0o755)
	e.config(fmt.Sprintf("\tconflict_resolution cmd %s\n", script))

	code, out, errOut := e.run("-v", "debug", "resolve-conflicts")
	if code != 1 {
		t.Fatalf("resolve-conflicts with one failure: exit %d, want 1\n%s\n%s", code, out, errOut)
	}
	merged := event("x", "merged")
	if read(t, filepath.Join(e.a, "c", "x.ics")) != merged || read(t, filepath.Join(e.b, "c", "x.ics")) != merged {
		t.Errorf("x not merged on both sides:\n%s", errOut)
	}
	if read(t, filepath.Join(e.a, "c", "y.ics")) != event("y", "edited on a") || read(t, filepath.Join(e.b, "c", "y.ics")) != event("y", "edited on b") {
		t.Error("y changed although its resolver failed")
	}
	if !strings.Contains(errOut, "uid=y") {
		t.Errorf("y's conflict not reported: %s", errOut)
	}
	// x stays settled: the next sync finds only y's conflict.
	code, out, _ = e.run("sync")
	if lines := clitest.JSONLines(t, out); code != 1 || total(lines, "conflicts") != 1 {
		t.Errorf("after resolving: exit %d, %v", code, lines)
	}
}

func TestDryRun(t *testing.T) {
	e := newEnv(t, "")
	write(t, filepath.Join(e.a, "c", "x.ics"), event("x", "one"))
	lines := e.sync(0, "--dry-run")
	clitest.CheckContract(t, "../docs/json.md", "pimsync sync --dry-run", lines)
	var ops []string
	for _, l := range lines {
		ops = append(ops, fmt.Sprint(l["op"], " ", l["side"], " ", l["uid"]))
	}
	if want := []string{"collection  ", "create b x"}; fmt.Sprint(ops) != fmt.Sprint(want) {
		t.Errorf("dry run plan %q, want %q", ops, want)
	}
	if exists(filepath.Join(e.b, "c")) || exists(filepath.Join(e.dir, "status")) {
		t.Error("a dry run changed something")
	}
}

func TestOnEmptyProtection(t *testing.T) {
	e := newEnv(t, "")
	for _, uid := range []string{"x", "y"} {
		write(t, filepath.Join(e.a, "c", uid+".ics"), event(uid, uid))
	}
	e.sync(0)
	// Every item gone from a at once (an unmounted disk looks like this): b is kept.
	for _, uid := range []string{"x", "y"} {
		os.Remove(filepath.Join(e.a, "c", uid+".ics"))
	}
	code, out, errOut := e.run("sync")
	if code != 1 || !strings.Contains(out, "is empty") {
		t.Fatalf("emptied side: exit %d\n%s\n%s", code, out, errOut)
	}
	if !exists(filepath.Join(e.b, "c", "x.ics")) || !exists(filepath.Join(e.b, "c", "y.ics")) {
		t.Fatal("on_empty skip deleted items")
	}
	e.config("\ton_empty sync\n")
	e.sync(0)
	if exists(filepath.Join(e.b, "c", "x.ics")) {
		t.Error("on_empty sync did not delete")
	}
}

func TestLock(t *testing.T) {
	e := newEnv(t, "")
	write(t, filepath.Join(e.a, "c", "x.ics"), event("x", "one"))
	db, err := status.Open(filepath.Join(e.dir, "status"), "cal")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	start := time.Now()
	code, _, errOut := e.run("sync")
	if code != 1 || !strings.Contains(errOut, "pair cal is being synced by another process") {
		t.Fatalf("locked pair: exit %d, stderr %s", code, errOut)
	}
	if d := time.Since(start); d > 4*time.Second {
		t.Errorf("gave up after %v, want about 2s", d)
	}
	if exists(filepath.Join(e.b, "c")) {
		t.Error("a locked sync touched storage b")
	}
}

func TestSelectCollection(t *testing.T) {
	e := newEnv(t, "")
	write(t, filepath.Join(e.a, "c1", "x.ics"), event("x", "one"))
	write(t, filepath.Join(e.a, "c2", "y.ics"), event("y", "two"))
	e.sync(0, "cal/c1")
	if !exists(filepath.Join(e.b, "c1", "x.ics")) || exists(filepath.Join(e.b, "c2")) {
		t.Error("cal/c1 synced more or less than c1")
	}
	if code, _, errOut := e.run("sync", "nope"); code != 2 || !strings.Contains(errOut, `no pair "nope"`) {
		t.Errorf("unknown pair: exit %d, %s", code, errOut)
	}
}

func TestBadConfigs(t *testing.T) {
	tests := []struct {
		name, text, want string
	}{
		{"syntax", "status_path \"x\nstorage a {\n", ":1:13: "},
		{"unknown directive", "status_path x\nstorage a {\n\ttype vdir/icalendar\n\tpath /tmp\n\treadonly\n}\n", ":5:2: unknown directive readonly"},
		{"missing status_path", "storage a {\n\ttype vdir/icalendar\n\tpath /tmp\n}\n", "status_path"},
		{"kinds", "status_path x\nstorage a {\n\ttype vdir/icalendar\n\tpath /tmp\n}\nstorage b {\n\ttype vdir/vcard\n\tpath /tmp\n}\npair p {\n\tstorage_a a\n\tstorage_b b\n\tcollections all\n}\n", ":12:"},
		{"undefined storage", "status_path x\npair p {\n\tstorage_a a\n\tstorage_b b\n\tcollections all\n}\n", ":3:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, "")
			write(t, e.conf, tt.text)
			code, _, errOut := e.run("sync")
			if code != 2 || !strings.Contains(errOut, e.conf+tt.want) && !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d, stderr %q; want exit 2 and %q", code, errOut, tt.want)
			}
			if !strings.Contains(errOut, e.conf) {
				t.Errorf("message does not name the file: %q", errOut)
			}
		})
	}
	e := newEnv(t, "")
	if code, _, errOut := e.run("-c", filepath.Join(e.dir, "missing.conf"), "sync"); code != 2 || !strings.Contains(errOut, "missing.conf") {
		t.Errorf("missing config: exit %d, %q", code, errOut)
	}
}

func TestCheckAndDiscover(t *testing.T) {
	e := newEnv(t, "")
	write(t, filepath.Join(e.a, "c", "x.ics"), event("x", "one"))
	code, out, errOut := e.run("check")
	if code != 0 {
		t.Fatalf("check: exit %d\n%s", code, errOut)
	}
	clitest.CheckContract(t, "../docs/json.md", "pimsync check", clitest.JSONLines(t, out))
	code, out, errOut = e.run("discover")
	lines := clitest.JSONLines(t, out)
	if code != 0 || len(lines) != 1 || lines[0]["action"] != "create on b" || lines[0]["href_a"] != filepath.Join(e.a, "c") {
		t.Fatalf("discover: exit %d %v\n%s", code, lines, errOut)
	}
	clitest.CheckContract(t, "../docs/json.md", "pimsync discover", lines)
	if exists(filepath.Join(e.b, "c")) {
		t.Error("discover created a collection")
	}
	os.RemoveAll(e.b)
	if code, out, _ := e.run("check"); code != 1 || !strings.Contains(out, "not a directory") {
		t.Errorf("check with a missing directory: exit %d %s", code, out)
	}
}

// TestStatusReset: deleting a pair's status file makes the next sync a first sync: what
// is equal on both sides is recorded, what differs is a conflict, nothing is deleted.
func TestStatusReset(t *testing.T) {
	e := newEnv(t, "")
	for _, uid := range []string{"x", "y", "z"} {
		write(t, filepath.Join(e.a, "c", uid+".ics"), event(uid, uid))
	}
	e.sync(0)
	os.Remove(filepath.Join(e.b, "c", "y.ics"))
	write(t, filepath.Join(e.b, "c", "z.ics"), event("z", "changed on b"))
	if err := os.Remove(filepath.Join(e.dir, "status", "cal.db")); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := e.run("sync")
	lines := clitest.JSONLines(t, out)
	// y is only on a now: with no status it is new there, so it is copied back, not deleted.
	if code != 1 || total(lines, "created_b") != 1 || total(lines, "conflicts") != 1 || total(lines, "deleted_a") != 0 {
		t.Fatalf("first sync after reset: exit %d %v\n%s", code, lines, errOut)
	}
	if !exists(filepath.Join(e.b, "c", "y.ics")) || read(t, filepath.Join(e.a, "c", "z.ics")) != event("z", "z") {
		t.Error("the first sync after a reset lost or overwrote something")
	}
}

// TestDefaultConfigPath: without -c, the configuration is found under
// $XDG_CONFIG_HOME/pimsync/, and a missing one is a usage error naming the path.
func TestDefaultConfigPath(t *testing.T) {
	e := newEnv(t, "")
	xdg := filepath.Join(e.dir, "xdg")
	run := func() (int, string) {
		cmd := exec.Command(binary, "check")
		cmd.Env = append(os.Environ(), "XDG_CONFIG_HOME="+xdg)
		out, err := cmd.CombinedOutput()
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode(), string(out)
		}
		return 0, string(out)
	}
	if code, out := run(); code != 2 || !strings.Contains(out, filepath.Join(xdg, "pimsync", "pimsync.conf")) {
		t.Errorf("no config: exit %d, %s", code, out)
	}
	write(t, filepath.Join(xdg, "pimsync", "pimsync.conf"), read(t, e.conf))
	if code, out := run(); code != 0 || !strings.Contains(out, `"storage":"local"`) {
		t.Errorf("config under XDG_CONFIG_HOME: exit %d, %s", code, out)
	}
}

// TestStatus: pimsync status reports each pair from its status file: never synced, then
// a conflict (exit 1, with the item's UID and hrefs), then in sync again, then a pair
// whose storage went missing (failed, with the error, kept as the last error after).
func TestStatus(t *testing.T) {
	e := newEnv(t, "")
	report := func(want int) map[string]any {
		t.Helper()
		code, out, errOut := e.run("status")
		if code != want {
			t.Fatalf("status: exit %d, want %d\n%s\n%s", code, want, out, errOut)
		}
		lines := clitest.JSONLines(t, out)
		clitest.CheckContract(t, "../docs/json.md", "pimsync status", lines)
		if len(lines) != 1 {
			t.Fatalf("status printed %d lines", len(lines))
		}
		return lines[0]
	}
	if s := report(0); s["state"] != "never synced" || s["daemon"] != false || len(s["collections"].([]any)) != 0 {
		t.Errorf("before any sync: %v", s)
	}
	write(t, filepath.Join(e.a, "c", "x.ics"), event("x", "original"))
	write(t, filepath.Join(e.a, "c", "y.ics"), event("y", "other"))
	e.sync(0)
	write(t, filepath.Join(e.a, "c", "x.ics"), event("x", "edited on a"))
	write(t, filepath.Join(e.b, "c", "x.ics"), event("x", "edited on b"))
	e.sync(1)
	s := report(1)
	cols := s["collections"].([]any)
	if s["state"] != "conflicts" || len(cols) != 1 {
		t.Fatalf("after a conflict: %v", s)
	}
	col := cols[0].(map[string]any)
	conflicts := col["conflicts"].([]any)
	if col["collection"] != "c" || col["items"] != float64(2) || len(conflicts) != 1 {
		t.Fatalf("collection after a conflict: %v", col)
	}
	if c := conflicts[0].(map[string]any); c["uid"] != "x" || c["href_a"] != "x.ics" || c["href_b"] != "x.ics" {
		t.Errorf("conflict: %v", c)
	}
	if s["last_start"] == "" || s["last_end"] == "" || s["error"] != "" {
		t.Errorf("times and error after a conflict: %v", s)
	}

	e.config("\tconflict_resolution keep a\n")
	e.sync(0)
	if s := report(0); s["state"] != "ok" || len(s["collections"].([]any)[0].(map[string]any)["conflicts"].([]any)) != 0 {
		t.Errorf("after keep a: %v", s)
	}

	os.Rename(e.b, e.b+".away")
	e.sync(1)
	s = report(1)
	if s["state"] != "failed" || !strings.Contains(s["error"].(string), e.b) || s["last_error"] != s["error"] {
		t.Errorf("a pair whose storage is missing: %v", s)
	}
	os.Rename(e.b+".away", e.b)
	e.sync(0)
	if s := report(0); s["state"] != "ok" || s["error"] != "" || !strings.Contains(s["last_error"].(string), e.b) || s["last_error_at"] == "" {
		t.Errorf("in sync again, the last error kept: %v", s)
	}
}
