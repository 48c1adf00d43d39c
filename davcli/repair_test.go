package main

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/pimsync-go/libsync/testserver"
	"github.com/pimsync-go/libvdir/item"
)

// recorder sits between davcli and a server and keeps the body of every PUT, so that a
// test sees the exact bytes davcli wrote, whatever the server makes of them.
type recorder struct {
	next http.Handler
	mu   sync.Mutex
	puts map[string][]byte // by path
	// beforePut, when set, runs before a PUT goes on: a test edits the item there, as
	// another client would between davcli's read and its write.
	beforePut func(path string)
}

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if req.Method == http.MethodPut {
		body, _ := io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(body))
		r.mu.Lock()
		r.puts[req.URL.Path] = body
		hook := r.beforePut
		r.mu.Unlock()
		if hook != nil {
			hook(req.URL.Path)
		}
	}
	r.next.ServeHTTP(w, req)
}

// recording returns srv as reached through a new recorder.
func recording(t *testing.T, srv testserver.Server) (*recorder, testserver.Server) {
	t.Helper()
	target, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{next: httputil.NewSingleHostReverseProxy(target), puts: map[string][]byte{}}
	ps := httptest.NewServer(rec)
	t.Cleanup(ps.Close)
	via := srv
	via.URL = ps.URL + "/"
	via.CalendarHome = ps.URL + strings.TrimPrefix(srv.CalendarHome, strings.TrimSuffix(srv.URL, "/"))
	via.AddressBookHome = ps.URL + strings.TrimPrefix(srv.AddressBookHome, strings.TrimSuffix(srv.URL, "/"))
	return rec, via
}

// withoutUIDLines drops the lines that start with UID: what a repair must not touch.
func withoutUIDLines(data []byte) string {
	var keep []string
	for _, l := range strings.SplitAfter(string(data), "\n") {
		if !strings.HasPrefix(strings.ToUpper(l), "UID") {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "")
}

// A folded, quirky item without UID; the bytes a repair must keep.
const quirky = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//quirky//EN\r\nBEGIN:VEVENT\r\nDTSTAMP:20260101T000000Z\r\n" +
	"DTSTART;TZID=Europe/Berlin:20260301T100000\r\nSUMMARY;LANGUAGE=de:Sehr langer Titel\\, mit Komma und Umlauten äöü\r\n  und Faltung\r\n" +
	"X-EMPTY:\r\nRRULE:FREQ=WEEKLY;COUNT=3\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nDTSTAMP:20260101T000000Z\r\nRECURRENCE-ID;TZID=Europe/Berlin:20260308T100000\r\n" +
	"DTSTART;TZID=Europe/Berlin:20260308T120000\r\nSUMMARY:Verschoben\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"

// Xandikos keeps items without UID, and items whose UIDs differ only by white space,
// which Inspect (and so pimsync) takes for one UID: a repair gives each a new UID,
// sends back the bytes it read with only the UID lines changed, and a second repair
// finds nothing. An address book's UID-less card is repaired too.
func TestRepairXandikos(t *testing.T) {
	srv := testserver.Xandikos(t)
	rec, via := recording(t, srv)
	cal, book := srv.NewCalendar(t), srv.NewAddressBook(t)
	rawPut(t, srv, cal+"a-no-uid.ics", quirky)
	rawPut(t, srv, cal+"b-dup.ics", event("dup", "First copy"))
	rawPut(t, srv, cal+"c-dup.ics", strings.Replace(event("dup", "Second copy"), "UID:dup\r\n", "UID:dup \r\n", 1))
	rawPut(t, srv, cal+"d-fine.ics", event("fine", "Nothing wrong"))
	rawPut(t, srv, book+"nobody.vcf", "BEGIN:VCARD\nVERSION:3.0\nFN:No Body\nEND:VCARD\n")
	calVia := strings.Replace(cal, srv.URL, via.URL, 1)
	bookVia := strings.Replace(book, srv.URL, via.URL, 1)
	before := map[string]string{}
	for _, name := range []string{"a-no-uid.ics", "b-dup.ics", "c-dup.ics", "d-fine.ics"} {
		before[name] = rawGet(t, srv, cal+name)
	}
	before["nobody.vcf"] = rawGet(t, srv, book+"nobody.vcf")

	dry := on(t, via, 0, "davcli repair", "", "repair", calVia, "--dry-run")
	if len(dry) != 2 || len(rec.puts) != 0 || dry[0]["written"] != false {
		t.Fatalf("dry run: %v, %d PUTs", dry, len(rec.puts))
	}

	out := byURL(on(t, via, 0, "davcli repair", "", "repair", calVia))
	out2 := byURL(on(t, via, 0, "davcli repair", "", "repair", bookVia))
	for u, o := range out2 {
		out[u] = o
	}
	want := map[string]struct{ problem, old, kept string }{
		"a-no-uid.ics": {"no-uid", "", ""},
		"c-dup.ics":    {"duplicate-uid", "dup", "b-dup.ics"},
		"nobody.vcf":   {"no-uid", "", ""},
	}
	if len(out) != len(want) {
		t.Fatalf("repaired %v", out)
	}
	for u, o := range out {
		name := u[strings.LastIndex(u, "/")+1:]
		w, ok := want[name]
		if !ok || o["problem"] != w.problem || o["old_uid"] != w.old || !strings.HasSuffix(o["kept"].(string), w.kept) ||
			o["written"] != true || o["etag"] == "" || o["error"] != "" {
			t.Errorf("%s: %v", name, o)
			continue
		}
		uid := o["uid"].(string)
		sent := rec.puts[strings.TrimPrefix(u, strings.TrimSuffix(via.URL, "/"))]
		// Byte for byte: what was read, with the new UID set, and nothing else changed.
		if expect, err := item.SetUID([]byte(before[name]), uid); err != nil || !bytes.Equal(sent, expect) {
			t.Errorf("%s: sent\n%q\nwant\n%q (%v)", name, sent, expect, err)
		}
		if withoutUIDLines(sent) != withoutUIDLines([]byte(before[name])) {
			t.Errorf("%s: lines other than UID changed:\n%q\n%q", name, before[name], sent)
		}
		if item.UID(sent) != uid || strings.Count(string(sent), "UID:"+uid) != strings.Count(before[name], "BEGIN:VEVENT")+strings.Count(before[name], "BEGIN:VCARD") {
			t.Errorf("%s: the new UID is not on every component:\n%q", name, sent)
		}
		// The server has it: the same content, whatever order it keeps lines in.
		home := cal
		if strings.HasSuffix(name, ".vcf") {
			home = book
		}
		if now := rawGet(t, srv, home+name); item.Hash([]byte(now)) != item.Hash(sent) {
			t.Errorf("%s: the server has\n%q\nsent\n%q", name, now, sent)
		}
	}
	for _, name := range []string{"b-dup.ics", "d-fine.ics"} {
		if now := rawGet(t, srv, cal+name); now != before[name] {
			t.Errorf("%s changed: %q", name, now)
		}
	}
	if again := on(t, via, 0, "davcli repair", "", "repair", calVia); len(again) != 0 {
		t.Errorf("a second repair: %v", again)
	}
}

// An item edited between the repair's read and its write is not overwritten: that
// item fails (412, exit 1, the URL and the etag named) and the others are written.
func TestRepairPrecondition(t *testing.T) {
	srv := testserver.Xandikos(t)
	rec, via := recording(t, srv)
	cal := srv.NewCalendar(t)
	rawPut(t, srv, cal+"a.ics", event("", "Will be edited meanwhile"))
	rawPut(t, srv, cal+"b.ics", event("", "Repaired"))
	edited := event("", "Edited by someone else")
	rec.beforePut = func(path string) {
		if strings.HasSuffix(path, "/a.ics") {
			rawPut(t, srv, cal+"a.ics", edited)
		}
	}
	calVia := strings.Replace(cal, srv.URL, via.URL, 1)
	out, errOut := onRaw(t, via, 1, "", "repair", calVia)
	lines := byURL(on(t, srv, 0, "", "", "ls", cal, "--uid"))
	if lines[cal+"a.ics"]["uid"] != "" || lines[cal+"b.ics"]["uid"] == "" {
		t.Errorf("after: %v", lines)
	}
	if got := rawGet(t, srv, cal+"a.ics"); item.Hash([]byte(got)) != item.Hash([]byte(edited)) {
		t.Errorf("the edit was overwritten: %q", got)
	}
	if !strings.Contains(errOut, calVia+"a.ics") || !strings.Contains(errOut, "412 Precondition Failed") || !strings.Contains(errOut, "etag \"") {
		t.Errorf("stderr: %s", errOut)
	}
	if !strings.Contains(out, `"written":false`) || !strings.Contains(out, `"written":true`) {
		t.Errorf("stdout: %s", out)
	}
}

// Radicale keeps UIDs that differ by white space apart too, but refuses any change of
// an item's UID in place (409): the item moves instead, its bytes but the UID line kept,
// and the old href is gone.
func TestRepairRadicale(t *testing.T) {
	srv := testserver.Radicale(t)
	cal := srv.NewCalendar(t)
	rawPut(t, srv, cal+"a.ics", event("dup", "First"))
	second := strings.Replace(event("dup", "Second"), "UID:dup\r\n", "UID:dup \r\n", 1)
	rawPut(t, srv, cal+"b.ics", second)
	before := rawGet(t, srv, cal+"b.ics")
	rep := on(t, srv, 0, "davcli repair", "", "repair", cal)
	if len(rep) != 1 || rep[0]["url"] != cal+"b.ics" || rep[0]["written"] != true || rep[0]["error"] != "" ||
		!strings.HasPrefix(rep[0]["moved_to"].(string), cal) || rep[0]["moved_to"] == cal+"b.ics" {
		t.Fatalf("repair: %v", rep)
	}
	if code, _, _ := srv.Do(t, http.MethodGet, cal+"b.ics", nil, nil); code != http.StatusNotFound {
		t.Errorf("the old copy: GET %d, want 404", code)
	}
	now := rawGet(t, srv, rep[0]["moved_to"].(string))
	uid := rep[0]["uid"].(string)
	withoutUID := func(s string) string {
		var kept []string
		for _, l := range strings.SplitAfter(s, "\n") {
			if !strings.HasPrefix(l, "UID:") {
				kept = append(kept, l)
			}
		}
		return strings.Join(kept, "")
	}
	if item.UID([]byte(now)) != uid || item.Hash([]byte(withoutUID(now))) != item.Hash([]byte(withoutUID(before))) {
		t.Errorf("moved to %s: %q, was %q", rep[0]["moved_to"], now, before)
	}
	if again := on(t, srv, 0, "davcli repair", "", "repair", cal); len(again) != 0 {
		t.Errorf("second repair: %v", again)
	}
}
