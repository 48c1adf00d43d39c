package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pimsync-go/libsync/testserver"
	"github.com/pimsync-go/libvdir/item"
)

// TestInterop: the programs that read the vdir (khal, khard and todoman, from Debian)
// see what pimsync downloads from Radicale, and what they make goes up to the server
// with its content unchanged.
func TestInterop(t *testing.T) {
	srv := testserver.Radicale(t)
	progs := map[string]string{}
	for _, p := range []string{"khal", "khard", "todoman"} {
		bin, err := exec.LookPath(p)
		if err != nil {
			t.Fatalf("%s is not installed (scripts/test installs the Debian package): %v", p, err)
		}
		progs[p] = bin
	}
	cal, book := srv.NewCalendar(t), srv.NewAddressBook(t)
	calID, bookID := path.Base(strings.TrimSuffix(cal, "/")), path.Base(strings.TrimSuffix(book, "/"))
	put := func(url, typ, data string) {
		if code, _, body := srv.Do(t, "PUT", url, []byte(data), map[string]string{"Content-Type": typ}); code >= 300 {
			t.Fatalf("PUT %s: %d %s", url, code, body)
		}
	}
	put(cal+"standup.ics", "text/calendar", "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:standup\r\n"+
		"DTSTAMP:20260101T000000Z\r\nDTSTART:20260105T100000Z\r\nDTEND:20260105T110000Z\r\nSUMMARY:Standup from the server\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
	put(cal+"plants.ics", "text/calendar", "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VTODO\r\nUID:plants\r\n"+
		"DTSTAMP:20260101T000000Z\r\nSUMMARY:Water the plants\r\nSTATUS:NEEDS-ACTION\r\nEND:VTODO\r\nEND:VCALENDAR\r\n")
	put(book+"grace.vcf", "text/vcard", "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:grace\r\nFN:Grace Hopper\r\nN:Hopper;Grace;;;\r\n"+
		"EMAIL:grace@example.com\r\nEND:VCARD\r\n")

	dir := t.TempDir()
	t.Setenv("HOME", dir) // where khal and todoman keep their caches
	cals, books := filepath.Join(dir, "calendars"), filepath.Join(dir, "contacts")
	os.Mkdir(cals, 0o755)
	os.Mkdir(books, 0o755)
	e := &env{t: t, dir: dir, a: cals, conf: filepath.Join(dir, "pimsync.conf")}
	write(t, e.conf, fmt.Sprintf("status_path %q\n", filepath.Join(dir, "status"))+
		fmt.Sprintf("storage cals {\n\ttype vdir/icalendar\n\tpath %q\n}\n", cals)+davStorage("cal_remote", "caldav", srv.URL, srv)+
		fmt.Sprintf("storage books {\n\ttype vdir/vcard\n\tpath %q\n}\n", books)+davStorage("book_remote", "carddav", srv.URL, srv)+
		fmt.Sprintf("pair cal {\n\tstorage_a cals\n\tstorage_b cal_remote\n\tcollection %q\n}\n", calID)+
		fmt.Sprintf("pair book {\n\tstorage_a books\n\tstorage_b book_remote\n\tcollection %q\n}\n", bookID))
	if lines := e.sync(0); total(lines, "created_a") != 3 {
		t.Fatalf("download: %v", lines)
	}
	calDir, bookDir := filepath.Join(cals, calID), filepath.Join(books, bookID)

	khalConf := filepath.Join(dir, "khal.conf")
	write(t, khalConf, fmt.Sprintf("[calendars]\n[[work]]\npath = %s\ntype = calendar\n[locale]\ntimeformat = %%H:%%M\n"+
		"dateformat = %%Y-%%m-%%d\nlongdateformat = %%Y-%%m-%%d\ndatetimeformat = %%Y-%%m-%%d %%H:%%M\n"+
		"longdatetimeformat = %%Y-%%m-%%d %%H:%%M\nlocal_timezone = UTC\ndefault_timezone = UTC\n[default]\ndefault_calendar = work\n", calDir))
	khardConf := filepath.Join(dir, "khard.conf")
	write(t, khardConf, fmt.Sprintf("[addressbooks]\n[[friends]]\npath = %s\n[general]\ndebug = no\ndefault_action = list\n"+
		"editor = /bin/true\nmerge_editor = /bin/true\n[contact table]\ndisplay = formatted_name\n", bookDir))
	// todoman names a list by its display name, which pimsync brought from the server.
	listName := strings.TrimSpace(read(t, filepath.Join(calDir, "displayname")))
	todoConf := filepath.Join(dir, "todoman.py")
	write(t, todoConf, fmt.Sprintf("path = %q\ndate_format = \"%%Y-%%m-%%d\"\ntime_format = \"%%H:%%M\"\ndefault_list = %q\n"+
		"cache_path = %q\n", calDir, listName, filepath.Join(dir, "todoman.sqlite3")))
	newContact := filepath.Join(dir, "ada.yaml")
	write(t, newContact, "First name : Ada\nLast name : Lovelace\nEmail :\n    home : ada@example.com\n")

	run := func(prog string, args ...string) string {
		t.Helper()
		cmd := exec.Command(progs[prog], args...)
		cmd.Stdin = strings.NewReader("")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s %q: %v\n%s", prog, args, err, out)
		}
		return string(out)
	}
	// What pimsync downloaded, each program shows.
	for _, c := range []struct {
		prog string
		args []string
		want string
	}{
		{"khal", []string{"-c", khalConf, "list", "2026-01-01", "2026-01-31"}, "10:00-11:00 Standup from the server"},
		{"khard", []string{"-c", khardConf, "list"}, "Grace Hopper"},
		{"todoman", []string{"--config", todoConf, "list"}, "Water the plants"},
	} {
		if out := run(c.prog, c.args...); !strings.Contains(out, c.want) {
			t.Errorf("%s %q does not show %q:\n%s", c.prog, c.args, c.want, out)
		}
	}

	// What each program makes goes up unchanged.
	before := map[string]bool{}
	for _, d := range []string{calDir, bookDir} {
		entries, _ := os.ReadDir(d)
		for _, en := range entries {
			before[filepath.Join(d, en.Name())] = true
		}
	}
	run("khal", "-c", khalConf, "new", "2026-01-10", "09:00", "10:00", "Made with khal")
	run("khard", "-c", khardConf, "new", "-a", "friends", "-i", newContact)
	run("todoman", "--config", todoConf, "new", "-l", listName, "Made with todoman")
	made := map[string]string{} // UID → the file's content
	for _, d := range []string{calDir, bookDir} {
		entries, _ := os.ReadDir(d)
		for _, en := range entries {
			p := filepath.Join(d, en.Name())
			if before[p] || strings.HasPrefix(en.Name(), ".") {
				continue
			}
			data := read(t, p)
			made[item.UID([]byte(data))] = data
		}
	}
	if len(made) != 3 {
		t.Fatalf("the programs made %d items, want 3: %v", len(made), made)
	}
	if lines := e.sync(0); total(lines, "created_b") != 3 || total(lines, "conflicts") != 0 {
		t.Fatalf("upload: %v", lines)
	}
	remote := serverData(t, srv, cal, false)
	cards, err := client(srv).List(context.Background(), book)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range cards { // GET: serverData's multiget is calendar-multiget
		_, _, data := srv.Do(t, "GET", absolute(srv, r.Href), nil, nil)
		remote[item.UID(data)] = string(data)
	}
	for uid, data := range made {
		got, ok := remote[uid]
		switch {
		case !ok:
			t.Errorf("%s is not on the server", uid)
		case item.Hash([]byte(got)) != item.Hash([]byte(data)):
			t.Errorf("%s changed on its way up:\n%q\nwas\n%q", uid, got, data)
		}
	}
	if lines := e.sync(0); total(lines, "created_a")+total(lines, "updated_a")+total(lines, "updated_b") != 0 {
		t.Errorf("a sync after the upload still did something: %v", lines)
	}
}
