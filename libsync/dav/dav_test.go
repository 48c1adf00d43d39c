package dav

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/pimsync-go/libsync/storage"
	"github.com/pimsync-go/libsync/testserver"
)

const event = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//dav test//EN\r\nBEGIN:VEVENT\r\nUID:%s\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260105T100000Z\r\nSUMMARY:a & b <c>\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"

// TestServers: against real Radicale and Xandikos, a multiget returns the same bytes as
// a GET (carriage returns included, which an XML parser would otherwise drop), writes are
// conditional, and a 412 is storage.ErrPrecondition.
func TestServers(t *testing.T) {
	ctx := context.Background()
	for _, srv := range testserver.All(t) {
		t.Run(srv.Name, func(t *testing.T) {
			c := &Client{User: srv.User, Password: srv.Password}
			home, err := c.HomeSet(ctx, Calendars, srv.URL)
			if err != nil {
				t.Fatal(err)
			}
			if home != srv.CalendarHome {
				t.Errorf("home set from %s: %s, want %s", srv.URL, home, srv.CalendarHome)
			}
			var b [6]byte
			rand.Read(b[:])
			col := home + "dav-test-" + hex.EncodeToString(b[:]) + "/"
			if err := c.MakeCollection(ctx, Calendars, col); err != nil {
				t.Fatal(err)
			}
			defer c.DeleteCollection(ctx, col)

			token := syncToken(t, c, home, col)
			data := []byte(fmt.Sprintf(event, "dav-1"))
			etag, err := c.Put(ctx, Calendars, col+"dav-1.ics", "", data)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.Put(ctx, Calendars, col+"dav-1.ics", "", data); !errors.Is(err, storage.ErrPrecondition) {
				t.Errorf("create over an existing item: %v, want ErrPrecondition", err)
			}
			if _, err := c.Put(ctx, Calendars, col+"dav-1.ics", `"wrong"`, data); !errors.Is(err, storage.ErrPrecondition) {
				t.Errorf("update with a wrong etag: %v, want ErrPrecondition", err)
			}
			list, err := c.List(ctx, col)
			if err != nil || len(list) != 1 || list[0].Etag != etag {
				t.Fatalf("List = %+v, %v; want one item with etag %s", list, err, etag)
			}
			got, err := c.Multiget(ctx, Calendars, col, []string{list[0].Href, list[0].Href + "x"})
			if err != nil {
				t.Fatal(err)
			}
			body, getEtag, err := c.Get(ctx, col+"dav-1.ics")
			if err != nil {
				t.Fatal(err)
			}
			if got[0].Err != nil || string(got[0].Data) != string(body) || got[0].Etag != getEtag {
				t.Errorf("multiget %q (etag %s) differs from GET %q (etag %s)", got[0].Data, got[0].Etag, body, getEtag)
			}
			if !strings.Contains(string(got[0].Data), "\r\n") {
				t.Errorf("multiget lost the CRLFs: %q", got[0].Data)
			}
			if !errors.Is(got[1].Err, storage.ErrNotFound) {
				t.Errorf("multiget of a missing href: %v, want ErrNotFound", got[1].Err)
			}
			if err := c.Delete(ctx, col+"dav-1.ics", `"wrong"`); !errors.Is(err, storage.ErrPrecondition) {
				t.Errorf("delete with a wrong etag: %v", err)
			}
			// What changed since the empty collection's token: the new item.
			ch, err := c.SyncCollection(ctx, col, token)
			if err != nil || len(ch.Changed) != 1 || ch.Changed[0].Etag != etag || len(ch.Deleted) != 0 || ch.Token == token {
				t.Fatalf("SyncCollection = %+v, %v", ch, err)
			}
			if err := c.Delete(ctx, col+"dav-1.ics", etag); err != nil {
				t.Error(err)
			}
			ch2, err := c.SyncCollection(ctx, col, ch.Token)
			if err != nil || len(ch2.Changed) != 0 || len(ch2.Deleted) != 1 {
				t.Errorf("SyncCollection after a delete = %+v, %v", ch2, err)
			}
			// Radicale says 403 valid-sync-token; Xandikos 0.2.8 fails with 500. Either
			// way the caller lists in full.
			_, err = c.SyncCollection(ctx, col, "http://example.com/bogus-token")
			if srv.Name == "radicale" && !errors.Is(err, ErrInvalidToken) || err == nil {
				t.Errorf("SyncCollection with an unknown token: %v, want ErrInvalidToken", err)
			}
		})
	}
}

// syncToken returns the sync token the home set lists for the collection col.
func syncToken(t *testing.T, c *Client, home, col string) string {
	t.Helper()
	cols, err := c.Collections(context.Background(), Calendars, home)
	if err != nil {
		t.Fatal(err)
	}
	for _, cc := range cols {
		if u, _ := url.Parse(col); cc.Href == u.Path {
			if cc.SyncToken == "" {
				t.Fatalf("no sync token for %s", col)
			}
			return cc.SyncToken
		}
	}
	t.Fatalf("collection %s not listed in %s: %+v", col, home, cols)
	return ""
}

func TestKeepCR(t *testing.T) {
	tests := []struct{ in, want string }{
		{"<a>x\r\ny</a>", "<a>x&#13;\ny</a>"},
		{"<a\r\nb='\r>'>\r</a>", "<a\r\nb='\r>'>&#13;</a>"},
		{"<!-- \r --><![CDATA[\r]]>\r", "<!-- \r --><![CDATA[]]>&#13;<![CDATA[]]>&#13;"},
		{"no cr", "no cr"},
	}
	for _, tt := range tests {
		if got := string(keepCR([]byte(tt.in))); got != tt.want {
			t.Errorf("keepCR(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestWithin(t *testing.T) {
	base, _ := url.Parse("http://h/cal/work/")
	tests := []struct {
		href       string
		inside, ok bool
	}{
		{"/cal/work/a.ics", true, true},
		{"http://h/cal/work/a%20b.ics", true, true},
		{"/cal/work/", false, true},
		{"/cal/work", false, true},
		{"/cal/other/a.ics", true, false},
		{"/cal/work/../other/a.ics", true, false},
		{"/cal/work/%2e%2e/x.ics", false, false},
		{"http://evil/cal/work/a.ics", false, false},
	}
	for _, tt := range tests {
		_, inside, ok := within(base, "/cal/work/", tt.href)
		if ok != tt.ok || ok && inside != tt.inside {
			t.Errorf("within(%q) = inside %v ok %v, want %v %v", tt.href, inside, ok, tt.inside, tt.ok)
		}
	}
}

// TestHostileReplies: a fake server answers what real ones will not on demand.
func TestHostileReplies(t *testing.T) {
	ctx := context.Background()
	reply := ""
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == "PROPFIND" && r.URL.Path == "/old/":
			http.Redirect(w, r, "/cal/", http.StatusMovedPermanently)
		case r.Method == "PUT" && r.Header.Get("If-None-Match") == "*":
			w.WriteHeader(http.StatusCreated) // and no ETag: the client must ask
		case r.Method == "GET" && r.URL.Path == "/cal/b.ics":
			w.Header().Set("ETag", `"b1"`)
			fmt.Fprint(w, "BEGIN:VCALENDAR\r\nUID:b\r\nEND:VCALENDAR\r\n")
		case r.Method == "GET":
			http.NotFound(w, r)
		default:
			w.WriteHeader(http.StatusMultiStatus)
			fmt.Fprint(w, reply)
		}
	}))
	defer srv.Close()
	c := &Client{}

	reply = `<multistatus xmlns="DAV:"><response><href>/cal/../etc/passwd</href><propstat><prop><getetag>"1"</getetag></prop><status>HTTP/1.1 200 OK</status></propstat></response></multistatus>`
	if _, err := c.List(ctx, srv.URL+"/cal/"); err == nil || !strings.Contains(err.Error(), "outside the collection") {
		t.Errorf("href outside the collection: %v", err)
	}
	// A 301 to a PROPFIND is followed as a PROPFIND, not turned into a GET.
	reply = `<multistatus xmlns="DAV:"><response><href>/cal/a.ics</href><propstat><prop><getetag>W/"weak"</getetag></prop><status>HTTP/1.1 200 OK</status></propstat></response></multistatus>`
	list, err := c.List(ctx, srv.URL+"/old/")
	if err != nil || len(list) != 1 || list[0].Etag != `W/"weak"` {
		t.Fatalf("List through a redirect = %+v, %v", list, err)
	}
	if _, err := c.Put(ctx, Calendars, srv.URL+"/cal/a.ics", list[0].Etag, []byte("x")); !errors.Is(err, ErrWeakEtag) {
		t.Errorf("update with a weak etag: %v, want ErrWeakEtag", err)
	}
	reply = `<multistatus xmlns="DAV:"><response><href>/cal/b.ics</href><propstat><prop><getetag>"from-propfind"</getetag></prop><status>HTTP/1.1 200 OK</status></propstat></response></multistatus>`
	if etag, err := c.Put(ctx, Calendars, srv.URL+"/cal/b.ics", "", []byte("x")); err != nil || etag != `"from-propfind"` {
		t.Errorf("PUT without an ETag header: %q, %v", etag, err)
	}
	// A multiget that leaves out hrefs: each is fetched on its own (GET keeps the CRs);
	// one that is gone by then fails alone.
	reply = `<multistatus xmlns="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><response><href>/cal/a.ics</href><propstat><prop><getetag>"1"</getetag><C:calendar-data>BEGIN:VCALENDAR</C:calendar-data></prop><status>HTTP/1.1 200 OK</status></propstat></response></multistatus>`
	got, err := c.Multiget(ctx, Calendars, srv.URL+"/cal/", []string{"/cal/a.ics", "/cal/b.ics", "/cal/c.ics"})
	if err != nil || got[0].Err != nil || string(got[0].Data) != "BEGIN:VCALENDAR" ||
		got[1].Err != nil || string(got[1].Data) != "BEGIN:VCALENDAR\r\nUID:b\r\nEND:VCALENDAR\r\n" || got[1].Etag != `"b1"` ||
		!errors.Is(got[2].Err, storage.ErrNotFound) {
		t.Errorf("multiget with omitted hrefs: %+v, %v", got, err)
	}
	// Hrefs to ask for that lead out of the collection (a tampered status file) are
	// refused before anything is sent.
	for _, h := range []string{"/etc/passwd", "/cal/../other/x.ics", "http://elsewhere.example/cal/x.ics"} {
		if _, err := c.Multiget(ctx, Calendars, srv.URL+"/cal/", []string{"/cal/a.ics", h}); err == nil || !strings.Contains(err.Error(), "outside the collection") {
			t.Errorf("multiget of %s: %v", h, err)
		}
	}
	for _, bad := range []string{`<multistatus`, `<!DOCTYPE x [<!ENTITY a "aaaa">]><multistatus xmlns="DAV:">&a;</multistatus>`} {
		reply = bad
		if _, err := c.List(ctx, srv.URL+"/cal/"); err == nil {
			t.Errorf("invalid XML %q accepted", bad)
		}
	}
}

// TestMaxResponse: a response larger than the client's MaxResponse is not read past
// it, and the error names the limit and the directive that sets it.
func TestMaxResponse(t *testing.T) {
	ctx := context.Background()
	body := `<multistatus xmlns="DAV:"><response><href>/cal/a.ics</href><propstat><prop><getetag>"1"</getetag></prop><status>HTTP/1.1 200 OK</status></propstat></response>` +
		strings.Repeat(" ", 2000) + `</multistatus>`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusMultiStatus)
		fmt.Fprint(w, body)
	}))
	defer srv.Close()
	for _, tt := range []struct {
		limit int64
		ok    bool
	}{{0, true}, {int64(len(body)), true}, {1024, false}} {
		c := &Client{MaxResponse: tt.limit}
		_, err := c.List(ctx, srv.URL+"/cal/")
		switch {
		case tt.ok && err != nil:
			t.Errorf("limit %d: %v", tt.limit, err)
		case !tt.ok && (!errors.Is(err, storage.ErrTooLarge) || !strings.Contains(err.Error(), "larger than 1 KiB (max_size)")):
			t.Errorf("limit %d: %v, want ErrTooLarge naming 1 KiB and max_size", tt.limit, err)
		}
	}
}

// TestScrubAuth: a server's error body that echoes the request's Authorization header
// does not carry the credentials into a message.
func TestScrubAuth(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"Authorization: Basic dXNlcjpodW50ZXIy\r\nHost: x", "Authorization: Basic ***\r\nHost: x"},
		{"<p>authorization=BASIC dXNlcjpodW50ZXIy</p>", "<p>authorization=BASIC ***</p>"},
		{`Authorization: Digest username="u", realm="r", response="abc"` + "\nnext", "Authorization: Digest ***\nnext"},
		{"Authorization: Bearer eyJhbGciOi.x-y_z", "Authorization: Bearer ***"},
		{"basic auth failed", "basic auth failed"},
		{"", ""},
	} {
		if got := scrubAuth(tt.in); got != tt.want {
			t.Errorf("scrubAuth(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprintf(w, "forbidden; you sent Authorization: %s", r.Header.Get("Authorization"))
	}))
	defer srv.Close()
	c := &Client{User: "u", Password: "hunter2hunter2"}
	_, err := c.List(context.Background(), srv.URL+"/cal/")
	if err == nil || strings.Contains(err.Error(), "dTpodW50ZXIyaHVudGVyMg") || !strings.Contains(err.Error(), "Basic ***") {
		t.Errorf("error: %v", err)
	}
}

func TestCleartext(t *testing.T) {
	for u, want := range map[string]bool{
		"http://dav.example.com/":   true,
		"http://192.0.2.1:8080/":    true,
		"https://dav.example.com/":  false,
		"http://127.0.0.1:5232/":    false,
		"http://[::1]:5232/":        false,
		"http://localhost:5232/dav": false,
	} {
		if got := Cleartext(u); got != want {
			t.Errorf("Cleartext(%s) = %v, want %v", u, got, want)
		}
	}
}

// TestRedirectOtherHost: credentials follow a redirect on the same host, but not one to
// another host, which gets the request without them.
func TestRedirectOtherHost(t *testing.T) {
	ctx := context.Background()
	var mu sync.Mutex
	auth := map[string]string{} // path → the Authorization header it got
	ms := `<multistatus xmlns="DAV:"><response><href>%s</href><propstat><prop><getetag>"1"</getetag></prop><status>HTTP/1.1 200 OK</status></propstat></response></multistatus>`
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		auth[r.URL.Path] = r.Header.Get("Authorization")
		mu.Unlock()
		w.WriteHeader(http.StatusMultiStatus)
		fmt.Fprintf(w, ms, r.URL.Path+"a.ics")
	}))
	defer other.Close()
	port := other.URL[strings.LastIndex(other.URL, ":")+1:]
	first := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/away/": // the same server, named by another host name
			http.Redirect(w, r, "http://localhost:"+port+"/there/", http.StatusMovedPermanently)
		case "/near/": // another port, the same host name
			http.Redirect(w, r, "http://127.0.0.1:"+port+"/here/", http.StatusMovedPermanently)
		}
	}))
	defer first.Close()
	c := &Client{User: "u", Password: "p"}
	if _, err := c.List(ctx, first.URL+"/away/"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.List(ctx, first.URL+"/near/"); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if auth["/there/"] != "" {
		t.Errorf("credentials sent to another host after a redirect: %q", auth["/there/"])
	}
	if auth["/here/"] == "" {
		t.Error("no credentials after a redirect on the same host")
	}
	for _, tt := range []struct {
		first, host string
		want        bool
	}{{"example.com", "example.com", true}, {"example.com", "caldav.Example.com", true},
		{"example.com", "badexample.com", false}, {"caldav.example.com", "example.com", false}} {
		if got := sameDomain(tt.first, tt.host); got != tt.want {
			t.Errorf("sameDomain(%s, %s) = %v", tt.first, tt.host, got)
		}
	}
}
