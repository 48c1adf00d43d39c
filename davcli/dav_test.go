package main

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pimsync-go/libsync/cli/clitest"
	"github.com/pimsync-go/libsync/testserver"
	"github.com/pimsync-go/libvdir/item"
)

// event is a small calendar item with uid ("" for none) and summary, CRLF-terminated.
func event(uid, summary string) string {
	u := ""
	if uid != "" {
		u = "UID:" + uid + "\r\n"
	}
	return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//davcli test//EN\r\nBEGIN:VEVENT\r\n" + u +
		"DTSTAMP:20260101T000000Z\r\nDTSTART:20260301T100000Z\r\nSUMMARY:" + summary + "\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
}

const card = "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:card-1\r\nFN:Ada Lovelace\r\nN:Lovelace;Ada;;;\r\nEND:VCARD\r\n"

// rawPut stores data at u on srv without davcli, as another client would.
func rawPut(t *testing.T, srv testserver.Server, u, data string) {
	t.Helper()
	ct := "text/calendar; charset=utf-8"
	if strings.Contains(data, "BEGIN:VCARD") {
		ct = "text/vcard; charset=utf-8"
	}
	code, _, body := srv.Do(t, http.MethodPut, u, []byte(data), map[string]string{"Content-Type": ct})
	if code >= 300 {
		t.Fatalf("PUT %s on %s: %d %s", u, srv.Name, code, body)
	}
}

// rawGet returns the bytes at u on srv.
func rawGet(t *testing.T, srv testserver.Server, u string) string {
	t.Helper()
	code, _, body := srv.Do(t, http.MethodGet, u, nil, nil)
	if code != http.StatusOK {
		t.Fatalf("GET %s on %s: %d %s", u, srv.Name, code, body)
	}
	return string(body)
}

// byURL indexes JSON lines by their url field.
func byURL(objs []map[string]any) map[string]map[string]any {
	m := map[string]map[string]any{}
	for _, o := range objs {
		m[o["url"].(string)] = o
	}
	return m
}

// Every subcommand against each real server, and the conditional writes' 412s.
func TestCommands(t *testing.T) {
	for _, srv := range testserver.All(t) {
		t.Run(srv.Name, func(t *testing.T) { testCommands(t, srv) })
	}
}

func testCommands(t *testing.T, srv testserver.Server) {
	cal, book := srv.NewCalendar(t), srv.NewAddressBook(t)

	// collections: from the server's root, both kinds.
	cols := byURL(on(t, srv, 0, "davcli collections", "", "collections", srv.URL))
	if cols[cal]["kind"] != "calendar" || cols[book]["kind"] != "addressbook" || cols[cal]["id"] != strings.Trim(cal[strings.LastIndex(strings.TrimSuffix(cal, "/"), "/"):], "/") {
		t.Fatalf("collections: %v", cols)
	}
	if cols[cal]["token"] == "" {
		t.Errorf("%s: no sync token: %v", srv.Name, cols[cal])
	}

	// The server and user from the environment instead of flags.
	t.Setenv("DAVCLI_URL", srv.URL)
	t.Setenv("DAVCLI_USERNAME", srv.User)
	t.Setenv("DAVCLI_PASSWORD", srv.Password)
	if code, out, errOut := davcli(t, "", "collections"); code != 0 || byURL(clitest.JSONLines(t, out))[cal]["kind"] != "calendar" {
		t.Errorf("collections from $DAVCLI_URL: exit %d, %s %s", code, out, errOut)
	}
	t.Setenv("DAVCLI_URL", "")

	// put --create, from standard input and from a file.
	ev := cal + "ev.ics"
	put := on(t, srv, 0, "davcli put", event("ev-1", "First"), "put", ev, "--create")
	etag1 := put[0]["etag"].(string)
	if etag1 == "" || put[0]["url"] != ev {
		t.Fatalf("put: %v", put)
	}
	file := filepath.Join(t.TempDir(), "card.vcf")
	os.WriteFile(file, []byte(card), 0o644)
	on(t, srv, 0, "davcli put", "", "put", book+"card.vcf", file, "--create")

	// A second create at the same href: 412, named.
	_, errOut := onRaw(t, srv, 1, event("ev-1", "Again"), "put", ev, "--create")
	if !strings.Contains(errOut, ev) || !strings.Contains(errOut, "412") || !strings.Contains(errOut, "exists there already") {
		t.Errorf("second create: %s", errOut)
	}

	// ls, with and without UIDs; the kind of each collection comes from its items.
	ls := on(t, srv, 0, "davcli ls", "", "ls", cal)
	if len(ls) != 1 || ls[0]["url"] != ev || ls[0]["etag"] != etag1 || ls[0]["uid"] != "" || ls[0]["collection"] != cal ||
		!strings.HasPrefix(ls[0]["content_type"].(string), "text/calendar") {
		t.Fatalf("ls: %v", ls)
	}
	ls = on(t, srv, 0, "davcli ls", "", "ls", cal, "--uid")
	if ls[0]["uid"] != "ev-1" || ls[0]["component"] != "VEVENT" {
		t.Errorf("ls --uid: %v", ls)
	}
	if ls := on(t, srv, 0, "davcli ls", "", "ls", book, "--uid"); len(ls) != 1 || ls[0]["uid"] != "card-1" || ls[0]["component"] != "VCARD" {
		t.Errorf("ls --uid of the address book: %v", ls)
	}

	// get: the bytes, not JSON. Servers may reorder properties; the content is the same.
	got, _ := onRaw(t, srv, 0, "", "get", ev)
	if item.Hash([]byte(got)) != item.Hash([]byte(event("ev-1", "First"))) {
		t.Errorf("get: %q", got)
	}

	// put --if-match: with the etag it has, then with the old one (412).
	put = on(t, srv, 0, "davcli put", event("ev-1", "Second"), "put", ev, "--if-match", etag1)
	etag2 := put[0]["etag"].(string)
	if etag2 == etag1 {
		t.Fatalf("the etag did not change: %v", put)
	}
	_, errOut = onRaw(t, srv, 1, event("ev-1", "Lost update"), "put", ev, "--if-match", etag1)
	if !strings.Contains(errOut, ev) || !strings.Contains(errOut, etag1) || !strings.Contains(errOut, "412 Precondition Failed") {
		t.Errorf("stale put: %s", errOut)
	}
	if got := rawGet(t, srv, ev); !strings.Contains(got, "Second") {
		t.Errorf("the stale put wrote: %q", got)
	}

	// props and proppatch.
	on(t, srv, 0, "davcli proppatch", "", "proppatch", cal, "displayname", "Renamed")
	on(t, srv, 0, "davcli proppatch", "", "proppatch", cal, "color", "#112233")
	props := on(t, srv, 0, "davcli props", "", "props", cal)
	if props[0]["displayname"] != "Renamed" || !strings.HasPrefix(props[0]["color"].(string), "#112233") || props[0]["kind"] != "calendar" {
		t.Errorf("props: %v", props)
	}
	on(t, srv, 0, "davcli proppatch", "", "proppatch", book, "displayname", "People")
	if props := on(t, srv, 0, "davcli props", "", "props", book); props[0]["displayname"] != "People" || props[0]["kind"] != "addressbook" {
		t.Errorf("props of the address book: %v", props)
	}

	// props - and proppatch - act on each collection that collections lists.
	var mine strings.Builder
	colsOut, _ := onRaw(t, srv, 0, "", "collections", srv.URL)
	for _, l := range strings.SplitAfter(colsOut, "\n") {
		if strings.Contains(l, `"url":"`+cal+`"`) || strings.Contains(l, `"url":"`+book+`"`) {
			mine.WriteString(l)
		}
	}
	if pp := on(t, srv, 0, "davcli proppatch", mine.String(), "proppatch", "-", "displayname", "Both kinds"); len(pp) != 2 {
		t.Errorf("proppatch -: %v", pp)
	}
	both := byURL(on(t, srv, 0, "davcli props", mine.String(), "props", "-"))
	if len(both) != 2 || both[cal]["displayname"] != "Both kinds" || both[book]["displayname"] != "Both kinds" || !strings.HasPrefix(both[cal]["color"].(string), "#112233") {
		t.Errorf("props -: %v", both)
	}

	// changes: everything, then since the token, through standard input too.
	all := on(t, srv, 0, "davcli changes", "", "changes", cal)
	last := all[len(all)-1]
	if last["change"] != "token" || last["token"] == "" || len(all) != 2 || all[0]["change"] != "changed" || all[0]["url"] != ev {
		t.Fatalf("changes: %v", all)
	}
	token := last["token"].(string)
	if since := on(t, srv, 0, "davcli changes", "", "changes", cal, "--token", token); len(since) != 1 {
		t.Errorf("changes since the latest token: %v", since)
	}
	on(t, srv, 0, "davcli put", event("ev-2", "Other"), "put", cal+"ev2.ics", "--create")

	// rm: at a stale etag (412), then at the current one.
	_, errOut = onRaw(t, srv, 1, "", "rm", ev, "--if-match", etag1)
	if !strings.Contains(errOut, ev) || !strings.Contains(errOut, etag1) || !strings.Contains(errOut, "412") {
		t.Errorf("stale rm: %s", errOut)
	}
	if rm := on(t, srv, 0, "davcli rm", "", "rm", ev, "--if-match", etag2); rm[0]["url"] != ev || rm[0]["etag"] != etag2 {
		t.Errorf("rm: %v", rm)
	}
	line := fmt.Sprintf(`{"collection":%q,"url":"","change":"token","token":%q}`, cal, token)
	since := byURL(on(t, srv, 0, "davcli changes", line+"\n", "changes", "-"))
	if since[cal+"ev2.ics"]["change"] != "changed" || since[ev]["change"] != "deleted" {
		t.Errorf("changes since %s: %v", token, since)
	}
	// changes | get -: the changed items' bytes; the deleted and token lines name none.
	changed, _ := onRaw(t, srv, 0, line+"\n", "changes", "-")
	if got, _ := onRaw(t, srv, 0, changed, "get", "-"); item.UID([]byte(got)) != "ev-2" || strings.Count(got, "BEGIN:VCALENDAR") != 1 {
		t.Errorf("changes | get -: %q", got)
	}
	if _, errOut := onRaw(t, srv, 1, "", "get", ev); !strings.Contains(errOut, "404") {
		t.Errorf("get of a deleted item: %s", errOut)
	}
	// rm --force deletes whatever is there, without an etag.
	if rm := on(t, srv, 0, "davcli rm", "", "rm", cal+"ev2.ics", "--force"); len(rm) != 1 || rm[0]["url"] != cal+"ev2.ics" {
		t.Errorf("rm --force: %v", rm)
	}
	if _, errOut := onRaw(t, srv, 1, "", "get", cal+"ev2.ics"); !strings.Contains(errOut, "404") {
		t.Errorf("get after rm --force: %s", errOut)
	}

	// mkcol: a calendar and an address book with properties; a second time fails.
	for _, mk := range []struct{ home, kind, flag string }{{srv.CalendarHome, "calendar", "--calendar"}, {srv.AddressBookHome, "addressbook", "--addressbook"}} {
		u := mk.home + "mk-" + strings.TrimPrefix(mk.flag, "--") + fmt.Sprint(os.Getpid()) + "/"
		t.Cleanup(func() { srv.Do(t, http.MethodDelete, u, nil, nil) })
		args := []string{"mkcol", u, mk.flag, "--displayname", "Made " + mk.kind}
		if mk.kind == "calendar" {
			args = append(args, "--color", "#AABBCC")
		}
		out := on(t, srv, 0, "davcli mkcol", "", args...)
		if out[0]["kind"] != mk.kind || out[0]["url"] != u {
			t.Errorf("mkcol: %v", out)
		}
		props := on(t, srv, 0, "davcli props", "", "props", u)
		if props[0]["displayname"] != "Made "+mk.kind || props[0]["kind"] != mk.kind {
			t.Errorf("props of the new %s: %v", mk.kind, props)
		}
		if color, _ := props[0]["color"].(string); mk.kind == "calendar" && !strings.HasPrefix(strings.ToUpper(color), "#AABBCC") {
			t.Errorf("mkcol --color: props %v", props)
		}
		onRaw(t, srv, 1, "", "mkcol", u, mk.flag)
	}
}

// A relative href resolves against --url; credentials can come from pimsync.conf.
func TestStorageFlag(t *testing.T) {
	srv := testserver.Radicale(t)
	cal := srv.NewCalendar(t)
	dir := t.TempDir()
	conf := filepath.Join(dir, "pimsync.conf")
	os.WriteFile(conf, []byte(fmt.Sprintf("status_path %q\nstorage remote {\n\ttype caldav\n\turl %q\n\tusername %q\n\tpassword {\n\t\tcmd printf %%s %q\n\t}\n}\n",
		filepath.Join(dir, "status"), srv.URL, srv.User, srv.Password)), 0o644)
	t.Setenv("DAVCLI_PASSWORD", "")
	os.Unsetenv("DAVCLI_PASSWORD")
	path := strings.TrimPrefix(cal, strings.TrimSuffix(srv.URL, "/"))
	code, out, errOut := davcli(t, event("st-1", "Via the config"), "-c", conf, "--storage", "remote", "put", path+"st.ics", "--create")
	if code != 0 {
		t.Fatalf("put with --storage: exit %d: %s", code, errOut)
	}
	code, out, errOut = davcli(t, "", "-c", conf, "--storage", "remote", "ls", path, "--uid")
	if code != 0 || !strings.Contains(out, `"uid":"st-1"`) {
		t.Fatalf("ls with --storage: exit %d: %s %s", code, out, errOut)
	}
	// A wrong password from the environment wins over the configuration's, and fails.
	t.Setenv("DAVCLI_PASSWORD", "wrong")
	if code, _, errOut := davcli(t, "", "-c", conf, "--storage", "remote", "ls", path); code != 1 || !strings.Contains(errOut, "401") {
		t.Errorf("wrong password: exit %d: %s", code, errOut)
	}
}
