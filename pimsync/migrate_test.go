package main

import (
	"bytes"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pimsync-go/libsync/config"
	"github.com/pimsync-go/libsync/testserver"
	"github.com/pimsync-go/libvdir/item"
)

// TestMigrateConfig: a vdirsyncer configuration of a vdir and a Radicale calendar, with
// its password from a command, synced by vdirsyncer itself; migrated, pimsync's first
// sync finds both sides equal (nothing to copy, no conflict), and later changes on
// either side go over. Warnings go to standard error with the file and line.
func TestMigrateConfig(t *testing.T) {
	srv := testserver.Radicale(t)
	vdirsyncer, err := exec.LookPath("vdirsyncer")
	if err != nil {
		t.Fatalf("vdirsyncer is not installed (scripts/test installs the Debian package): %v", err)
	}
	cal := srv.NewCalendar(t)
	id := path.Base(strings.TrimSuffix(cal, "/"))
	dir := t.TempDir()
	t.Setenv("HOME", dir) // the migrated status_path is under ~
	local := filepath.Join(dir, "calendars")
	os.MkdirAll(filepath.Join(local, id), 0o755)
	for i := range 3 {
		uid := fmt.Sprintf("server-%d", i)
		srv.Do(t, "PUT", cal+uid+".ics", []byte(event(uid, "On the server")), map[string]string{"Content-Type": "text/calendar"})
		uid = fmt.Sprintf("local-%d", i)
		write(t, filepath.Join(local, id, uid+".ics"), event(uid, "In the vdir"))
	}
	vconf := filepath.Join(dir, "vdirsyncer.conf")
	write(t, vconf, fmt.Sprintf(`[general]
status_path = %q

[pair cal]
a = "cal_local"
b = "cal_remote"
collections = [%q]
conflict_resolution = "a wins"
metadata = ["color"]

[storage cal_local]
type = "filesystem"
path = %q
fileext = ".ics"

[storage cal_remote]
type = "caldav"
url = %q
username = %q
password.fetch = ["command", "printf", "%%s", %q]
`, filepath.Join(dir, "vdirsyncer-status"), id, local, srv.URL, srv.User, srv.Password))
	for _, args := range [][]string{{"discover"}, {"sync"}} {
		cmd := exec.Command(vdirsyncer, append([]string{"-c", vconf}, args...)...)
		cmd.Stdin = strings.NewReader("")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("vdirsyncer %s: %v\n%s", args[0], err, out)
		}
	}
	before := vdirByUID(t, filepath.Join(local, id))
	if len(before) != 6 {
		t.Fatalf("vdirsyncer left %d items in the vdir, want 6", len(before))
	}

	cmd := exec.Command(binary, "migrate-config", vconf)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("migrate-config: %v\n%s", err, &stderr)
	}
	if !strings.Contains(stderr.String(), vconf+":9: ") || !strings.Contains(stderr.String(), "metadata") {
		t.Errorf("the warning about metadata does not name %s:9:\n%s", vconf, &stderr)
	}
	if !strings.Contains(stdout.String(), "\tpassword {\n\t\tcmd printf") {
		t.Errorf("the password command is not carried over:\n%s", &stdout)
	}
	conf := filepath.Join(dir, "pimsync.conf")
	write(t, conf, stdout.String())
	if _, err := config.Load(conf); err != nil {
		t.Fatalf("the migrated configuration: %v\n%s", err, &stdout)
	}
	e := &env{t: t, dir: dir, a: local, conf: conf}

	// The first sync finds both sides equal.
	lines := e.sync(0)
	for _, f := range []string{"created_a", "created_b", "updated_a", "updated_b", "deleted_a", "deleted_b", "conflicts"} {
		if total(lines, f) != 0 {
			t.Fatalf("pimsync's first sync after vdirsyncer's did something: %v", lines)
		}
	}
	if after := vdirByUID(t, filepath.Join(local, id)); !maps.Equal(before, after) {
		t.Errorf("the vdir changed")
	}
	// Then it syncs: an edit in the vdir goes up, one on the server comes down.
	write(t, filepath.Join(local, id, "local-1.ics"), event("local-1", "Edited in the vdir"))
	srv.Do(t, "PUT", cal+"server-2.ics", []byte(event("server-2", "Edited on the server")), map[string]string{"Content-Type": "text/calendar"})
	lines = e.sync(0)
	if total(lines, "updated_a") != 1 || total(lines, "updated_b") != 1 {
		t.Errorf("sync of two edits: %v", lines)
	}
	remote := serverData(t, srv, cal, false)
	if !strings.Contains(remote["local-1"], "Edited in the vdir") {
		t.Errorf("the vdir's edit is not on the server: %q", remote["local-1"])
	}
	if got := vdirByUID(t, filepath.Join(local, id))["server-2"]; !strings.Contains(got, "Edited on the server") {
		t.Errorf("the server's edit is not in the vdir: %q", got)
	}
}

// vdirByUID reads a vdir collection's items by UID. (vdirItems of the kill test wants
// CRLF line endings; vdirsyncer writes what it downloads with LF.)
func vdirByUID(t *testing.T, col string) map[string]string {
	t.Helper()
	out := map[string]string{}
	entries, _ := os.ReadDir(col)
	for _, en := range entries {
		if strings.HasSuffix(en.Name(), ".ics") {
			data := read(t, filepath.Join(col, en.Name()))
			out[item.UID([]byte(data))] = data
		}
	}
	return out
}
