package davstore

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/pimsync-go/libsync/dav"
	"github.com/pimsync-go/libsync/discover"
)

// movingServer serves one calendar in the home set at home; its principal at /p/ names
// that home set, and every other path is 404.
type movingServer struct {
	mu       sync.Mutex
	home     string
	gone     bool // the principal is 404 too
	requests []string
}

func (m *movingServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	m.mu.Lock()
	home, gone := m.home, m.gone
	m.requests = append(m.requests, r.Method+" "+r.URL.Path)
	m.mu.Unlock()
	w.Header().Set("Content-Type", "application/xml")
	switch {
	case r.Method == "PROPFIND" && r.URL.Path == "/p/" && !gone:
		w.WriteHeader(http.StatusMultiStatus)
		fmt.Fprintf(w, `<multistatus xmlns="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><response><href>/p/</href><propstat><prop><current-user-principal><href>/p/</href></current-user-principal><C:calendar-home-set><href>%s</href></C:calendar-home-set></prop><status>HTTP/1.1 200 OK</status></propstat></response></multistatus>`, home)
	case r.Method == "PROPFIND" && r.URL.Path == home:
		w.WriteHeader(http.StatusMultiStatus)
		fmt.Fprintf(w, `<multistatus xmlns="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><response><href>%[1]s</href><propstat><prop><resourcetype><collection/></resourcetype></prop><status>HTTP/1.1 200 OK</status></propstat></response><response><href>%[1]swork/</href><propstat><prop><resourcetype><collection/><C:calendar/></resourcetype><getctag>"7"</getctag></prop><status>HTTP/1.1 200 OK</status></propstat></response></multistatus>`, home)
	default:
		http.NotFound(w, r)
	}
}

func (m *movingServer) take() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	r := m.requests
	m.requests = nil
	return r
}

// TestKnown: a home set found before lists collections in one request; when the
// account has moved, the storage finds the new home set from the configured URL.
func TestKnown(t *testing.T) {
	ctx := context.Background()
	srv := &movingServer{home: "/cal/"}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	c := &dav.Client{}

	s, err := Open(ctx, c, dav.Calendars, hs.URL+"/p/")
	if err != nil {
		t.Fatal(err)
	}
	if s.Home() != hs.URL+"/cal/" {
		t.Fatalf("Home = %s", s.Home())
	}
	srv.take()

	tests := []struct {
		name       string
		serverHome string
		gone       bool
		want       []string // requests of the first Collections
		wantHref   string   // the collection it lists; "" for an error
	}{
		{"unchanged", "/cal/", false, []string{"PROPFIND /cal/"}, "/cal/work/"},
		{"moved", "/moved/", false, []string{"PROPFIND /cal/", "PROPFIND /p/", "PROPFIND /moved/"}, "/moved/work/"},
		{"gone", "/elsewhere/", true, []string{"PROPFIND /cal/", "PROPFIND /p/"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv.mu.Lock()
			srv.home, srv.gone = tt.serverHome, tt.gone
			srv.mu.Unlock()
			s, err := Known(c, dav.Calendars, hs.URL+"/p/", hs.URL+"/cal/", false)
			if err != nil {
				t.Fatal(err)
			}
			cols, err := s.Collections(ctx)
			if got := srv.take(); strings.Join(got, ", ") != strings.Join(tt.want, ", ") {
				t.Errorf("requests %q, want %q", got, tt.want)
			}
			if tt.wantHref == "" {
				if err == nil || !strings.Contains(err.Error(), "finding the home set again from "+hs.URL+"/p/") {
					t.Errorf("Collections on a vanished account: %v, %v", cols, err)
				}
				return
			}
			if err != nil || len(cols) != 1 || cols[0].Href != tt.wantHref {
				t.Errorf("Collections = %+v, %v; want %s", cols, err, tt.wantHref)
			}
			// Once found again, the home set is not looked for again.
			s.Collections(ctx)
			if got := srv.take(); len(got) != 1 {
				t.Errorf("second Collections: %q", got)
			}
		})
	}
}

// TestEmailURL: a storage whose url is an email address finds its home set through
// RFC 6764 discovery, and again through it when the home set it remembered fails.
func TestEmailURL(t *testing.T) {
	ctx := context.Background()
	srv := &movingServer{home: "/cal/"}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	var asked []string
	find = func(ctx context.Context, o discover.Options) ([]discover.Service, error) {
		asked = append(asked, o.Input+" "+strings.Join(o.Services, ","))
		srv.mu.Lock()
		defer srv.mu.Unlock()
		return []discover.Service{{Service: discover.CalDAV, HomeSet: hs.URL + srv.home}}, nil
	}
	defer func() { find = discover.Find }()
	c := &dav.Client{}
	s, err := Open(ctx, c, dav.Calendars, "me@example.test")
	if err != nil {
		t.Fatal(err)
	}
	if s.Home() != hs.URL+"/cal/" || len(asked) != 1 || asked[0] != "me@example.test caldav" {
		t.Fatalf("Home %s after asking %q", s.Home(), asked)
	}
	srv.mu.Lock()
	srv.home = "/moved/"
	srv.mu.Unlock()
	k, err := Known(c, dav.Calendars, "me@example.test", hs.URL+"/cal/", false)
	if err != nil {
		t.Fatal(err)
	}
	if cols, err := k.Collections(ctx); err != nil || len(cols) != 1 || cols[0].Href != "/moved/work/" || len(asked) != 2 {
		t.Errorf("Collections after the account moved: %+v, %v (asked %q)", cols, err, asked)
	}
}

// TestTokensOnly: a home set whose collections all have sync tokens is listed without
// ctags the next time (Radicale works each one out from every item); one collection
// without a sync token brings the ctags back.
func TestTokensOnly(t *testing.T) {
	ctx := context.Background()
	var mu sync.Mutex
	var bodies []string
	token := `<sync-token>http://example.test/t/1</sync-token>`
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, string(b))
		tok := token
		mu.Unlock()
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusMultiStatus)
		fmt.Fprintf(w, `<multistatus xmlns="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav" xmlns:CS="http://calendarserver.org/ns/"><response><href>/cal/work/</href><propstat><prop><resourcetype><collection/><C:calendar/></resourcetype><CS:getctag>"7"</CS:getctag>%s</prop><status>HTTP/1.1 200 OK</status></propstat></response></multistatus>`, tok)
	}))
	defer hs.Close()
	c := &dav.Client{}
	asked := func() (ctag bool) {
		mu.Lock()
		defer mu.Unlock()
		last := bodies[len(bodies)-1]
		return strings.Contains(last, "getctag")
	}

	s, err := Known(c, dav.Calendars, hs.URL+"/cal/", hs.URL+"/cal/", false)
	if err != nil {
		t.Fatal(err)
	}
	cols, err := s.Collections(ctx)
	if err != nil || len(cols) != 1 || cols[0].Version != "http://example.test/t/1" {
		t.Fatalf("Collections = %+v, %v", cols, err)
	}
	if !asked() || !s.Tokens() {
		t.Fatalf("first listing: asked for ctags %v, Tokens %v; want true, true", asked(), s.Tokens())
	}

	s, _ = Known(c, dav.Calendars, hs.URL+"/cal/", hs.URL+"/cal/", true)
	mu.Lock()
	token = "" // the server stops giving sync tokens
	mu.Unlock()
	if _, err := s.Collections(ctx); err != nil {
		t.Fatal(err)
	}
	if asked() || s.Tokens() {
		t.Fatalf("listing with tokens known: asked for ctags %v, Tokens %v; want false, false", asked(), s.Tokens())
	}
	cols, err = s.Collections(ctx)
	if err != nil || !asked() || len(cols) != 1 || cols[0].Version != `"7"` {
		t.Fatalf("after a collection without a token: asked for ctags %v, %+v, %v", asked(), cols, err)
	}
}
