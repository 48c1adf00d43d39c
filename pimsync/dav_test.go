package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/pimsync-go/libsync/cli/clitest"
	"github.com/pimsync-go/libsync/dav"
	"github.com/pimsync-go/libsync/storage"
	"github.com/pimsync-go/libsync/testserver"
	vdir "github.com/pimsync-go/libvdir"
	"github.com/pimsync-go/libvdir/item"
)

// davStorage is a storage block for a real test server (typ caldav or carddav).
func davStorage(name, typ, url string, srv testserver.Server) string {
	auth := ""
	if srv.User != "" {
		auth = fmt.Sprintf("\tusername %q\n\tpassword %q\n", srv.User, srv.Password)
	}
	return fmt.Sprintf("storage %s {\n\ttype %s\n\turl %q\n%s}\n", name, typ, url, auth)
}

// relay writes items (and meta files) into collection id of a new vdir a, syncs them up
// to the server over typ (caldav or carddav: pair "up", a ↔ server) and down into a new
// vdir b (pair "down", server ↔ b), and checks that each item arrives with its content.
func relay(t *testing.T, srv testserver.Server, typ, url, id string, items, meta map[string]string) *env {
	t.Helper()
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	os.MkdirAll(b, 0o755)
	for name, data := range items {
		write(t, filepath.Join(a, id, name), data)
	}
	for name, data := range meta {
		write(t, filepath.Join(a, id, name), data)
	}
	vtype, ext := "vdir/icalendar", "ics"
	if typ == "carddav" {
		vtype, ext = "vdir/vcard", "vcf"
	}
	conf := fmt.Sprintf("status_path %q\n", filepath.Join(dir, "status")) +
		fmt.Sprintf("storage a {\n\ttype %s\n\tpath %q\n}\nstorage b {\n\ttype %s\n\tpath %q\n}\n", vtype, a, vtype, b) +
		davStorage("server", typ, url, srv) +
		fmt.Sprintf("pair up {\n\tstorage_a a\n\tstorage_b server\n\tcollection %q\n}\n", id) +
		fmt.Sprintf("pair down {\n\tstorage_a server\n\tstorage_b b\n\tcollection %q\n}\n", id)
	e := &env{t: t, dir: dir, a: a, b: b, conf: filepath.Join(dir, "pimsync.conf")}
	write(t, e.conf, conf)
	if lines := e.sync(0, "up"); total(lines, "created_b") != len(items) {
		t.Fatalf("upload: %v", lines)
	}
	if lines := e.sync(0, "down"); total(lines, "created_b") != len(items) {
		t.Fatalf("download: %v", lines)
	}
	for name, data := range items {
		got := read(t, filepath.Join(b, id, vdir.SafeName(item.UID([]byte(data)), ext)))
		if item.Hash([]byte(got)) != item.Hash([]byte(data)) {
			t.Errorf("%s came back from %s different:\n%q\nsent\n%q", name, srv.Name, got, data)
		}
	}
	return e
}

const recurring = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//pimsync test//EN\r\nBEGIN:VEVENT\r\nUID:weekly-ü@example.org\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260105T100000Z\r\nDURATION:PT1H\r\nRRULE:FREQ=WEEKLY;COUNT=10;BYDAY=MO\r\nSUMMARY:Weekly\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:weekly-ü@example.org\r\nDTSTAMP:20260101T000000Z\r\nRECURRENCE-ID:20260112T100000Z\r\nDTSTART:20260112T110000Z\r\nDURATION:PT1H\r\nSUMMARY:Weekly (moved)\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"

const todo = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//pimsync test//EN\r\nBEGIN:VTODO\r\nUID:todo-1\r\nDTSTAMP:20260101T000000Z\r\nSUMMARY:Buy milk\r\nSTATUS:NEEDS-ACTION\r\nEND:VTODO\r\nEND:VCALENDAR\r\n"

// TestRealServers syncs a vdir up to each real server, down into a second vdir, edits
// and deletes on the far side, and back; then server to server, Radicale to Xandikos.
func TestRealServers(t *testing.T) {
	servers := testserver.All(t)
	var b [4]byte
	rand.Read(b[:])
	id := "pimsync test ü " + hex.EncodeToString(b[:])
	for _, srv := range servers {
		t.Cleanup(func() { removeCollection(srv, id) })
	}
	for _, srv := range servers {
		t.Run(srv.Name, func(t *testing.T) {
			items := map[string]string{"weekly.ics": recurring, "todo.ics": todo, "plain.ics": event("plain", "Plain")}
			e := relay(t, srv, "caldav", srv.CalendarHome, id, items, map[string]string{"displayname": "Test ü"})
			a, b, conf := e.a, e.b, read(t, e.conf)
			if got := read(t, filepath.Join(b, id, "displayname")); got != "Test ü" {
				t.Errorf("displayname through %s: %q", srv.Name, got)
			}
			// Nothing changed: both pairs are no-ops.
			for _, p := range []string{"up", "down"} {
				for _, f := range []string{"created_a", "created_b", "updated_a", "updated_b", "deleted_a", "deleted_b"} {
					if n := total(e.sync(0, p), f); n != 0 {
						t.Errorf("no-op sync of %s: %s = %d", p, f, n)
					}
				}
			}
			// Edit and delete on the far vdir; both travel through the server.
			write(t, filepath.Join(b, id, "todo-1.ics"), strings.Replace(todo, "NEEDS-ACTION", "COMPLETED", 1))
			os.Remove(filepath.Join(b, id, "plain.ics"))
			if lines := e.sync(0, "down"); total(lines, "updated_a") != 1 || total(lines, "deleted_a") != 1 {
				t.Fatalf("far edits to the server: %v", lines)
			}
			if lines := e.sync(0, "up"); total(lines, "updated_a") != 1 || total(lines, "deleted_a") != 1 {
				t.Fatalf("far edits back: %v", lines)
			}
			if got := read(t, filepath.Join(a, id, "todo.ics")); !strings.Contains(got, "COMPLETED") {
				t.Errorf("the todo's edit did not arrive: %q", got)
			}
			if exists(filepath.Join(a, id, "plain.ics")) {
				t.Error("the delete did not arrive")
			}
			// The same event edited differently on both vdirs: the first to reach the
			// server wins there, the other is a conflict that names both hrefs and
			// changes nothing; keep b on the pair settles it.
			write(t, filepath.Join(a, id, "weekly.ics"), strings.Replace(recurring, "SUMMARY:Weekly\r\n", "SUMMARY:Weekly (a)\r\n", 1))
			farWeekly := filepath.Join(b, id, vdir.SafeName("weekly-ü@example.org", "ics"))
			write(t, farWeekly, strings.Replace(recurring, "SUMMARY:Weekly\r\n", "SUMMARY:Weekly (b)\r\n", 1))
			e.sync(0, "down")
			code, out, errOut := e.run("sync", "up")
			if code != 1 || total(clitest.JSONLines(t, out), "conflicts") != 1 || !strings.Contains(errOut, "weekly.ics") {
				t.Fatalf("conflict through %s: exit %d\n%s\n%s", srv.Name, code, out, errOut)
			}
			if !strings.Contains(read(t, filepath.Join(a, id, "weekly.ics")), "Weekly (a)") {
				t.Error("the conflict changed a's version")
			}
			conf += "pair settle {\n\tstorage_a a\n\tstorage_b server\n\tcollection " + fmt.Sprintf("%q", id) + "\n\tconflict_resolution keep b\n}\n"
			write(t, e.conf, conf)
			e.sync(0, "settle")
			if !strings.Contains(read(t, filepath.Join(a, id, "weekly.ics")), "Weekly (b)") {
				t.Error("keep b did not bring the server's version")
			}
		})
	}

	// Server to server: Radicale's copy goes to Xandikos, and a second sync is a no-op.
	dir := t.TempDir()
	conf := fmt.Sprintf("status_path %q\n", filepath.Join(dir, "status")) +
		davStorage("radicale", "caldav", servers[0].CalendarHome, servers[0]) + davStorage("xandikos", "caldav", servers[1].CalendarHome, servers[1]) +
		fmt.Sprintf("pair s2s {\n\tstorage_a radicale\n\tstorage_b xandikos\n\tcollection %q\n}\n", id)
	e := &env{t: t, dir: dir, conf: filepath.Join(dir, "pimsync.conf")}
	write(t, e.conf, conf)
	lines := e.sync(0)
	if total(lines, "created_a")+total(lines, "created_b")+total(lines, "updated_a")+total(lines, "updated_b") != 0 {
		// Both servers already hold the same two items from the runs above: recorded only.
		t.Errorf("server to server, first sync: %v", lines)
	}
	for _, f := range []string{"conflicts", "errors"} {
		if n := total(lines, f); n != 0 {
			t.Errorf("server to server: %s = %d", f, n)
		}
	}

	// Changes made on each server by another client: an edit on Radicale, a delete and a
	// new event on Xandikos. One sync carries each to the other server.
	ctx := context.Background()
	rad, xan := servers[0], servers[1]
	radURL, xanURL := rad.CalendarHome+url.PathEscape(id)+"/", xan.CalendarHome+url.PathEscape(id)+"/"
	radItems, xanItems := serverItems(t, rad, radURL), serverItems(t, xan, xanURL)
	weekly, todoItem := radItems["weekly-ü@example.org"], xanItems["todo-1"]
	if weekly.href == "" || todoItem.href == "" {
		t.Fatalf("server to server: the items are not there: %v %v", radItems, xanItems)
	}
	edited := strings.Replace(recurring, "SUMMARY:Weekly\r\n", "SUMMARY:Weekly (Radicale)\r\n", 1)
	if _, err := client(rad).Put(ctx, dav.Calendars, absolute(rad, weekly.href), weekly.etag, []byte(edited)); err != nil {
		t.Fatal(err)
	}
	if err := client(xan).Delete(ctx, absolute(xan, todoItem.href), todoItem.etag); err != nil {
		t.Fatal(err)
	}
	fresh := event("s2s-ü", "Made on Xandikos")
	if _, err := client(xan).Put(ctx, dav.Calendars, xanURL+"s2s.ics", "", []byte(fresh)); err != nil {
		t.Fatal(err)
	}
	lines = e.sync(0)
	if total(lines, "updated_b") != 1 || total(lines, "deleted_a") != 1 || total(lines, "created_a") != 1 {
		t.Errorf("server to server after changes on both: %v", lines)
	}
	radItems, xanItems = serverItems(t, rad, radURL), serverItems(t, xan, xanURL)
	if got := xanItems["weekly-ü@example.org"].data; item.Hash([]byte(got)) != item.Hash([]byte(edited)) {
		t.Errorf("Radicale's edit on Xandikos: %q", got)
	}
	if _, ok := radItems["todo-1"]; ok {
		t.Error("Xandikos's delete did not reach Radicale")
	}
	if got := radItems["s2s-ü"].data; item.Hash([]byte(got)) != item.Hash([]byte(fresh)) {
		t.Errorf("Xandikos's new event on Radicale: %q", got)
	}
	lines = e.sync(0)
	for _, f := range []string{"created_a", "created_b", "updated_a", "updated_b", "deleted_a", "deleted_b"} {
		if n := total(lines, f); n != 0 {
			t.Errorf("server to server, sync after: %s = %d", f, n)
		}
	}
}

// serverItem is an item as a server holds it.
type serverItem struct{ href, etag, data string }

// serverItems reads a server collection's items by UID.
func serverItems(t *testing.T, srv testserver.Server, colURL string) map[string]serverItem {
	t.Helper()
	out := map[string]serverItem{}
	for _, g := range fetchServer(t, srv, colURL, false) {
		if g.Err != nil {
			t.Fatalf("%s: %v", g.Href, g.Err)
		}
		out[item.UID(g.Data)] = serverItem{href: g.Href, etag: g.Etag, data: string(g.Data)}
	}
	return out
}

// serverData reads a server collection's items by UID, failing the test on a UID
// found twice or an item it cannot read. With goneOK, a collection not created yet
// reads as empty, and an item listed and then gone by the multiget (a DELETE the
// server is still carrying out) is left out.
func serverData(t *testing.T, srv testserver.Server, colURL string, goneOK bool) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, g := range fetchServer(t, srv, colURL, goneOK) {
		if g.Err != nil {
			if !goneOK || !errors.Is(g.Err, storage.ErrNotFound) && !strings.Contains(g.Err.Error(), "404") {
				t.Errorf("%s on the server: %v", g.Href, g.Err)
			}
			continue
		}
		uid := item.UID(g.Data)
		if _, dup := out[uid]; dup {
			t.Errorf("%s twice on the server", uid)
		}
		out[uid] = string(g.Data)
	}
	return out
}

// fetchServer lists a server collection and fetches every item with a multiget. With
// missingOK, a collection that cannot be listed (not created yet) has no items.
func fetchServer(t *testing.T, srv testserver.Server, colURL string, missingOK bool) []dav.Fetched {
	t.Helper()
	ctx := context.Background()
	c := client(srv)
	list, err := c.List(ctx, colURL)
	if err != nil {
		if missingOK {
			return nil
		}
		t.Fatal(err)
	}
	var hrefs []string
	for _, r := range list {
		hrefs = append(hrefs, r.Href)
	}
	got, err := c.Multiget(ctx, dav.Calendars, colURL, hrefs)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func client(srv testserver.Server) *dav.Client {
	return &dav.Client{User: srv.User, Password: srv.Password}
}

// absolute turns an href a server listed into a URL.
func absolute(srv testserver.Server, href string) string {
	base, _ := url.Parse(srv.URL)
	u, _ := base.Parse(href)
	return u.String()
}

// removeCollection deletes a test collection from a server.
func removeCollection(srv testserver.Server, id string) {
	c := &dav.Client{User: srv.User, Password: srv.Password}
	c.DeleteCollection(context.Background(), srv.CalendarHome+url.PathEscape(id)+"/")
}

// TestRealServersContacts: an address book goes up to each server over CardDAV and down
// into a second vdir, vCard 3.0 and 4.0 alike, and comes back with the same content.
func TestRealServersContacts(t *testing.T) {
	var rnd [4]byte
	rand.Read(rnd[:])
	id := "contacts-" + hex.EncodeToString(rnd[:])
	cards := map[string]string{
		"ada.vcf":   "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:ada\r\nFN:Ada Lovelace\r\nN:Lovelace;Ada;;;\r\nEMAIL;TYPE=INTERNET:ada@example.org\r\nTEL;TYPE=CELL:+44 20 7946 0000\r\nEND:VCARD\r\n",
		"zoë.vcf":   "BEGIN:VCARD\r\nVERSION:4.0\r\nUID:urn:uuid:0f7a2c3e-9f0e-4b4e-8a9e-1c2d3e4f5a6b\r\nFN:Zoë Ünal\r\nN:Ünal;Zoë;;;\r\nADR;TYPE=home:;;Rue de la Paix 1;Paris;;75002;France\r\nEND:VCARD\r\n",
		"plain.vcf": "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:plain\r\nFN:Plain\r\nN:Plain;;;;\r\nNOTE:semi\\;colon and comma\\, escaped\r\nEND:VCARD\r\n",
	}
	for _, srv := range testserver.All(t) {
		t.Run(srv.Name, func(t *testing.T) {
			t.Cleanup(func() {
				c := &dav.Client{User: srv.User, Password: srv.Password}
				c.DeleteCollection(context.Background(), srv.AddressBookHome+url.PathEscape(id)+"/")
			})
			relay(t, srv, "carddav", srv.URL, id, cards, nil)
		})
	}
}

// countingProxy forwards to a server and records each request's method.
type countingProxy struct {
	mu       sync.Mutex
	requests []string
	next     http.Handler
}

func (c *countingProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	c.requests = append(c.requests, r.Method)
	c.mu.Unlock()
	c.next.ServeHTTP(w, r)
}

func (c *countingProxy) take() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	slices.Sort(c.requests)
	r := strings.Join(c.requests, " ")
	c.requests = nil
	return r
}

// TestRequestsPerSync counts what each sync asks of a real server: after the first,
// a sync with nothing to do is one PROPFIND of the home set, also right after a sync
// that wrote (its own writes are learned from the changes since its sync token), and
// an edit costs the PUT and that one REPORT besides.
func TestRequestsPerSync(t *testing.T) {
	for _, srv := range testserver.All(t) {
		t.Run(srv.Name, func(t *testing.T) {
			target, _ := url.Parse(srv.URL)
			proxy := &countingProxy{next: httputil.NewSingleHostReverseProxy(target)}
			ps := httptest.NewServer(proxy)
			defer ps.Close()
			var rnd [4]byte
			rand.Read(rnd[:])
			id := "requests-" + hex.EncodeToString(rnd[:])
			t.Cleanup(func() { removeCollection(srv, id) })
			dir := t.TempDir()
			a := filepath.Join(dir, "a")
			for i := range 5 {
				write(t, filepath.Join(a, id, fmt.Sprintf("%d.ics", i)), event(fmt.Sprint(i), "Event"))
			}
			home := ps.URL + strings.TrimPrefix(srv.CalendarHome, strings.TrimSuffix(srv.URL, "/"))
			conf := fmt.Sprintf("status_path %q\n", filepath.Join(dir, "status")) +
				fmt.Sprintf("storage a {\n\ttype vdir/icalendar\n\tpath %q\n}\n", a) +
				davStorage("server", "caldav", home, srv) +
				fmt.Sprintf("pair up {\n\tstorage_a a\n\tstorage_b server\n\tcollection %q\n}\n", id)
			e := &env{t: t, dir: dir, a: a, conf: filepath.Join(dir, "pimsync.conf")}
			write(t, e.conf, conf)
			if lines := e.sync(0); total(lines, "created_b") != 5 {
				t.Fatalf("upload: %v", lines)
			}
			proxy.take()
			steps := []struct {
				name string
				edit bool
				want string
			}{
				{"no-op after the upload", false, "PROPFIND"},
				{"no-op", false, "PROPFIND"},
				{"an edit", true, "PROPFIND PUT REPORT"},
				{"no-op after the edit", false, "PROPFIND"},
			}
			for _, s := range steps {
				if s.edit {
					write(t, filepath.Join(a, id, "2.ics"), event("2", "Edited"))
				}
				e.sync(0)
				if got := proxy.take(); got != s.want {
					t.Errorf("%s: requests %s, want %s", s.name, got, s.want)
				}
			}
		})
	}
}

// TestAtInUID: an item whose file name has an @ (its UID's) stays one item through
// servers that escape it in their listings (Radicale writes %40): edits travel both
// ways, through full listings and sync-collection answers, and nothing doubles.
func TestAtInUID(t *testing.T) {
	for _, srv := range testserver.All(t) {
		t.Run(srv.Name, func(t *testing.T) {
			var rnd [4]byte
			rand.Read(rnd[:])
			id := "at-" + hex.EncodeToString(rnd[:])
			t.Cleanup(func() { removeCollection(srv, id) })
			dir := t.TempDir()
			a := filepath.Join(dir, "a")
			write(t, filepath.Join(a, id, "x.ics"), event("x@example.org", "First"))
			conf := filepath.Join(dir, "pimsync.conf")
			write(t, conf, fmt.Sprintf("status_path %q\n", filepath.Join(dir, "status"))+
				fmt.Sprintf("storage a {\n\ttype vdir/icalendar\n\tpath %q\n}\n", a)+
				davStorage("server", "caldav", srv.CalendarHome, srv)+
				fmt.Sprintf("pair up {\n\tstorage_a a\n\tstorage_b server\n\tcollection %q\n}\n", id))
			e := &env{t: t, dir: dir, a: a, conf: conf}
			e.sync(0)
			// A new item in a collection that exists, then a sync reading the changes
			// since the token: the item is there once, at one href.
			write(t, filepath.Join(a, id, "y.ics"), event("y@example.org", "New"))
			e.sync(0)
			e.sync(0)
			for i, s := range []string{"Second", "Third"} {
				write(t, filepath.Join(a, id, "x.ics"), event("x@example.org", s))
				if lines := e.sync(0); total(lines, "updated_b") != 1 || total(lines, "created_b") != 0 {
					t.Fatalf("edit %d: %v", i, lines)
				}
			}
			colURL := srv.CalendarHome + url.PathEscape(id) + "/"
			items := serverItems(t, srv, colURL)
			got := items["x@example.org"]
			if len(items) != 2 || !strings.Contains(got.data, "SUMMARY:Third") {
				t.Fatalf("server holds %d items: %v", len(items), items)
			}
			edited := strings.Replace(got.data, "SUMMARY:Third", "SUMMARY:From the server", 1)
			if _, err := client(srv).Put(context.Background(), dav.Calendars, absolute(srv, got.href), got.etag, []byte(edited)); err != nil {
				t.Fatal(err)
			}
			if lines := e.sync(0); total(lines, "updated_a") != 1 || total(lines, "errors") != 0 {
				t.Fatalf("the server's edit: %v", lines)
			}
			if !strings.Contains(read(t, filepath.Join(a, id, "x.ics")), "From the server") {
				t.Error("the server's edit did not arrive")
			}
			if lines := e.sync(0); total(lines, "updated_a")+total(lines, "updated_b")+total(lines, "errors") != 0 {
				t.Errorf("the sync after: %v", lines)
			}
		})
	}
}
