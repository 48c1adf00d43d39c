package main

import (
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pimsync-go/libsync/cli/clitest"
	"github.com/pimsync-go/libsync/davtest"
	"github.com/pimsync-go/libsync/testserver"
	"github.com/pimsync-go/libvdir/item"
)

// repair runs pimsync repair ARGS… and checks its exit status and its lines against
// docs/json.md.
func (e *env) repair(want int, args ...string) ([]map[string]any, string) {
	e.t.Helper()
	code, out, errOut := e.run(append([]string{"repair"}, args...)...)
	if code != want {
		e.t.Fatalf("repair %q: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", args, code, want, out, errOut)
	}
	lines := clitest.JSONLines(e.t, out)
	clitest.CheckContract(e.t, "../docs/json.md", "pimsync repair", lines)
	return lines, errOut
}

// The corpus's UID-less and duplicate items in a vdir: a dry run changes nothing, a
// repair changes only their UID lines, a second one finds nothing, and the pair then
// syncs without errors.
func TestRepairVdir(t *testing.T) {
	e := newEnv(t, "")
	coll := filepath.Join(e.a, "bad")
	names := []string{"no-uid.ics", "dup-a.ics", "dup-b.ics", "two-uids.ics"}
	before := map[string]string{}
	for _, name := range names {
		data := read(t, filepath.Join("../testdata/bad", name))
		write(t, filepath.Join(coll, name), data)
		before[name] = data
	}
	if code, _, _ := e.run("sync"); code != 1 {
		t.Fatalf("sync before the repair: exit %d, want 1 for the duplicate UIDs", code)
	}

	dry, _ := e.repair(0, "local", "--dry-run")
	if len(dry) != 2 || dry[0]["written"] != false {
		t.Fatalf("dry run: %v", dry)
	}
	for _, name := range names {
		if read(t, filepath.Join(coll, name)) != before[name] {
			t.Fatalf("the dry run changed %s", name)
		}
	}

	lines, _ := e.repair(0, "local")
	want := map[string]struct{ problem, old, kept string }{
		"dup-b.ics":  {"duplicate-uid", "duplicated-uid", "dup-a.ics"},
		"no-uid.ics": {"no-uid", "", ""},
	}
	if len(lines) != len(want) {
		t.Fatalf("repaired %v", lines)
	}
	for _, l := range lines {
		name := l["href"].(string)
		w := want[name]
		if l["storage"] != "local" || l["collection"] != "bad" || l["problem"] != w.problem || l["old_uid"] != w.old ||
			l["kept"] != w.kept || l["written"] != true || l["etag"] == "" || l["error"] != "" {
			t.Errorf("%s: %v", name, l)
			continue
		}
		uid := l["uid"].(string)
		expect := strings.Replace(before[name], "UID:duplicated-uid\r\n", "UID:"+uid+"\r\n", 1)
		if w.problem == "no-uid" {
			expect = strings.Replace(before[name], "BEGIN:VEVENT\r\n", "BEGIN:VEVENT\r\nUID:"+uid+"\r\n", 1)
		}
		if got := read(t, filepath.Join(coll, name)); got != expect {
			t.Errorf("%s:\n got %q\nwant %q", name, got, expect)
		}
	}
	for _, name := range []string{"dup-a.ics", "two-uids.ics"} {
		if read(t, filepath.Join(coll, name)) != before[name] {
			t.Errorf("%s changed", name)
		}
	}
	if again, _ := e.repair(0, "local"); len(again) != 0 {
		t.Errorf("second repair: %v", again)
	}
	// The first sync copied the UID-less item under its content hash; with a UID it
	// is another item now, so that copy goes and the repaired one comes.
	if lines := e.sync(0); total(lines, "errors") != 0 {
		t.Errorf("sync after the repair: %v", lines)
	}
	if got, _ := filepath.Glob(filepath.Join(e.b, "bad", "*.ics")); len(got) != len(names) {
		t.Errorf("b has %q after the sync", got)
	}
}

func TestRepairUsage(t *testing.T) {
	e := newEnv(t, "")
	ro := filepath.Join(e.dir, "ro.conf")
	write(t, ro, fmt.Sprintf("status_path %q\nstorage frozen {\n\ttype vdir/icalendar\n\tpath %q\n\tread_only\n}\n", e.dir, e.a))
	tests := []struct {
		args []string
		msg  string
	}{
		{[]string{"repair", "nope"}, `no storage "nope"`},
		{[]string{"-c", ro, "repair", "frozen"}, "read_only"},
		{[]string{"repair"}, "expected"},
		// -p names pairs: repair and migrate-config refuse it rather than do more than asked.
		{[]string{"-p", "cal", "repair", "nope"}, "-p cal does not apply"},
		{[]string{"-p", "cal", "migrate-config", "-"}, "-p cal does not apply"},
	}
	for _, tt := range tests {
		code, out, errOut := e.run(tt.args...)
		if code != 2 || out != "" || !strings.Contains(errOut, tt.msg) {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want 2 and %q", tt.args, code, out, errOut, tt.msg)
		}
	}
	// A dry run of a read-only storage is fine: it writes nothing.
	write(t, filepath.Join(e.a, "c", "x.ics"), strings.Replace(event("x", "X"), "UID:x\r\n", "", 1))
	code, out, errOut := e.run("-c", ro, "repair", "frozen", "--dry-run")
	if code != 0 || !strings.Contains(out, `"problem":"no-uid"`) {
		t.Errorf("dry run of a read-only storage: exit %d\n%s\n%s", code, out, errOut)
	}
}

// A CalDAV storage (go-webdav's server in process, which takes UIDs that differ by
// white space as different): the duplicate is repaired through the DAV layer.
func TestRepairDAV(t *testing.T) {
	srv := davtest.New(t)
	cal := srv.NewCalendar(t)
	for name, uid := range map[string]string{"a.ics": "dup", "b.ics": "dup ", "c.ics": "fine"} {
		data := strings.Replace(event("x", "Item "+name), "UID:x\r\n", "UID:"+uid+"\r\n", 1)
		if code, _, body := srv.Do(t, http.MethodPut, cal+name, []byte(data), map[string]string{"Content-Type": "text/calendar"}); code >= 300 {
			t.Fatalf("PUT %s: %d %s", name, code, body)
		}
	}
	e := newEnv(t, "")
	conf := fmt.Sprintf("status_path %q\n", filepath.Join(e.dir, "status")) + davStorage("remote", "caldav", srv.URL, srv)
	if err := os.WriteFile(e.conf, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	lines, _ := e.repair(0, "remote")
	if len(lines) != 1 || !strings.HasSuffix(lines[0]["href"].(string), "/b.ics") || lines[0]["kept"] == "" || lines[0]["written"] != true {
		t.Fatalf("repair: %v", lines)
	}
	code, _, body := srv.Do(t, http.MethodGet, cal+"b.ics", nil, nil)
	if code != http.StatusOK || item.UID(body) != lines[0]["uid"] {
		t.Errorf("b.ics now: %d %q", code, body)
	}
	if again, _ := e.repair(0, "remote"); len(again) != 0 {
		t.Errorf("second repair: %v", again)
	}
}

// TestRepairServers: pimsync repair of one named collection on Radicale and Xandikos
// gives one of two items sharing a UID (and, on Xandikos, which takes one, the UID-less
// item) a new UID, keeps their content, and leaves the other collections alone.
func TestRepairServers(t *testing.T) {
	for _, srv := range []testserver.Server{testserver.Radicale(t), testserver.Xandikos(t)} {
		t.Run(srv.Name, func(t *testing.T) {
			cal, other := srv.NewCalendar(t), srv.NewCalendar(t)
			// The servers refuse a second item with a UID they hold; "dup " is another UID
			// to them and the same one to an item parser, which trims it.
			items := map[string]string{"a.ics": "dup", "b.ics": "dup ", "c.ics": "fine", "d.ics": ""}
			if srv.Name == "radicale" {
				delete(items, "d.ics") // Radicale refuses an item without UID (400)
			}
			for name, uid := range items {
				data := event("x", "Item "+name)
				if uid == "" {
					data = strings.Replace(data, "UID:x\r\n", "", 1)
				} else {
					data = strings.Replace(data, "UID:x\r\n", "UID:"+uid+"\r\n", 1)
				}
				for _, col := range []string{cal, other} {
					if code, _, body := srv.Do(t, http.MethodPut, col+name, []byte(data), map[string]string{"Content-Type": "text/calendar"}); code >= 300 {
						t.Fatalf("PUT %s: %d %s", name, code, body)
					}
				}
			}
			e := newEnv(t, "")
			conf := fmt.Sprintf("status_path %q\n", filepath.Join(e.dir, "status")) + davStorage("remote", "caldav", srv.URL, srv)
			if err := os.WriteFile(e.conf, []byte(conf), 0o600); err != nil {
				t.Fatal(err)
			}
			id := path.Base(strings.TrimSuffix(cal, "/"))
			if _, errOut := e.repair(1, "remote", id, "no-such-collection"); !strings.Contains(errOut, "no collection no-such-collection") {
				t.Errorf("an unknown collection: %s", errOut)
			}
			lines, _ := e.repair(0, "remote", id)
			got := map[string]map[string]any{}
			for _, l := range lines {
				if l["collection"] != id || l["written"] != true {
					t.Errorf("repair line %v", l)
				}
				got[path.Base(l["href"].(string))] = l
			}
			_, noUID := items["d.ics"]
			if len(lines) != len(items)-2 || noUID && (got["d.ics"] == nil || got["d.ics"]["problem"] != "no-uid") || got["a.ics"] == nil && got["b.ics"] == nil {
				t.Fatalf("repair: %v", lines)
			}
			for name, l := range got {
				// Radicale refuses to change a UID in place: the item moves.
				at := cal + name
				if moved := l["moved_to"].(string); moved != "" {
					u, _ := url.Parse(srv.URL)
					ref, _ := url.Parse(moved)
					at = u.ResolveReference(ref).String()
					if code, _, _ := srv.Do(t, http.MethodGet, cal+name, nil, nil); code != http.StatusNotFound {
						t.Errorf("%s moved to %s, but GET of the old href: %d", name, moved, code)
					}
				}
				_, _, body := srv.Do(t, http.MethodGet, at, nil, nil)
				if item.UID(body) != l["uid"] || !strings.Contains(string(body), "SUMMARY:Item "+name) {
					t.Errorf("%s now: %q, want UID %v", name, body, l["uid"])
				}
			}
			for name, uid := range items {
				if _, _, body := srv.Do(t, http.MethodGet, other+name, nil, nil); item.UID(body) != strings.TrimSpace(uid) {
					t.Errorf("%s of the other collection now has UID %q, want %q", name, item.UID(body), uid)
				}
			}
			if again, _ := e.repair(0, "remote", id); len(again) != 0 {
				t.Errorf("second repair: %v", again)
			}
		})
	}
}
