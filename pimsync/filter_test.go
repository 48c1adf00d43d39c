package main

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pimsync-go/libsync/testserver"
)

// TestFilteredSync: against each real server, a caldav storage with start_date,
// end_date and item_types brings down only the events in its window; an event that
// leaves the window stays in the vdir and is neither synced nor deleted while outside;
// once back inside, the change made meanwhile goes up.
func TestFilteredSync(t *testing.T) {
	event := func(uid, start, summary string) string {
		return fmt.Sprintf("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//pimsync test//EN\r\nBEGIN:VEVENT\r\nUID:%s\r\n"+
			"DTSTAMP:20260101T000000Z\r\nDTSTART:%s\r\nDURATION:PT1H\r\nSUMMARY:%s\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n", uid, start, summary)
	}
	items := map[string]string{
		"jan.ics":  event("jan", "20260110T100000Z", "In January"),
		"old.ics":  event("old", "20240601T100000Z", "Long ago"),
		"todo.ics": strings.Replace(todo, "UID:todo-1", "UID:todo-jan", 1),
	}
	for _, srv := range testserver.All(t) {
		t.Run(srv.Name, func(t *testing.T) {
			var rnd [4]byte
			rand.Read(rnd[:])
			id := "window-" + hex.EncodeToString(rnd[:])
			defer removeCollection(srv, id)
			dir := t.TempDir()
			a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
			os.MkdirAll(b, 0o755)
			for name, data := range items {
				write(t, filepath.Join(a, id, name), data)
			}
			e := &env{t: t, dir: dir, a: a, b: b, conf: filepath.Join(dir, "pimsync.conf")}
			config := func(end string) {
				window := davStorage("window", "caldav", srv.URL, srv)
				window = strings.TrimSuffix(window, "}\n") +
					"\tstart_date 2026-01-01\n\tend_date " + end + "\n\titem_types VEVENT\n}\n"
				write(t, e.conf, fmt.Sprintf("status_path %q\n", filepath.Join(dir, "status"))+
					fmt.Sprintf("storage a {\n\ttype vdir/icalendar\n\tpath %q\n}\n", a)+
					fmt.Sprintf("storage b {\n\ttype vdir/icalendar\n\tpath %q\n}\n", b)+
					davStorage("server", "caldav", srv.URL, srv)+window+
					fmt.Sprintf("pair up {\n\tstorage_a a\n\tstorage_b server\n\tcollection %q\n}\n", id)+
					fmt.Sprintf("pair down {\n\tstorage_a window\n\tstorage_b b\n\tcollection %q\n}\n", id))
			}
			config("2026-02-01")
			if lines := e.sync(0, "up"); total(lines, "created_b") != 3 {
				t.Fatalf("upload: %v", lines)
			}
			if lines := e.sync(0, "down"); total(lines, "created_b") != 1 {
				t.Fatalf("download through the window: %v", lines)
			}
			names := func() []string {
				entries, _ := os.ReadDir(filepath.Join(b, id))
				var out []string
				for _, en := range entries {
					if strings.HasSuffix(en.Name(), ".ics") {
						out = append(out, en.Name())
					}
				}
				return out
			}
			if got := names(); len(got) != 1 || !strings.HasPrefix(got[0], "jan") {
				t.Fatalf("b holds %q, want jan only", got)
			}
			janB := filepath.Join(b, id, names()[0])

			// The window closes before January 10th: jan is outside it now.
			config("2026-01-05")
			lines := e.sync(0, "down")
			if total(lines, "deleted_a")+total(lines, "deleted_b")+total(lines, "errors") != 0 {
				t.Errorf("jan left the window: %v", lines)
			}
			if !exists(janB) {
				t.Fatal("jan was deleted from b when it left the server's window")
			}
			write(t, janB, event("jan", "20260110T100000Z", "Edited while outside"))
			if lines := e.sync(0, "down"); total(lines, "updated_a") != 0 {
				t.Errorf("an event outside the window went up: %v", lines)
			}
			if got := serverItems(t, srv, absolute(srv, srv.CalendarHome+id+"/"))["jan"].data; !strings.Contains(got, "In January") {
				t.Errorf("server's jan is %q", got)
			}

			// Back in the window: the edit goes up.
			config("2026-02-01")
			if lines := e.sync(0, "down"); total(lines, "updated_a") != 1 {
				t.Errorf("jan back in the window: %v", lines)
			}
			if got := serverItems(t, srv, absolute(srv, srv.CalendarHome+id+"/"))["jan"].data; !strings.Contains(got, "Edited while outside") {
				t.Errorf("server's jan is %q, want the edit", got)
			}
		})
	}
}
