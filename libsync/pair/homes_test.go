package pair

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/pimsync-go/libsync/config"
	"github.com/pimsync-go/libsync/status"
)

// movingHome is a server whose principal /p/ names the calendar home set at home, which
// holds one calendar, "work"; it records the requests.
type movingHome struct {
	mu       sync.Mutex
	home     string
	requests []string
}

func (m *movingHome) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	m.mu.Lock()
	home := m.home
	m.requests = append(m.requests, r.Method+" "+r.URL.Path)
	m.mu.Unlock()
	switch r.URL.Path {
	case "/p/":
		w.WriteHeader(http.StatusMultiStatus)
		io.WriteString(w, `<multistatus xmlns="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><response><href>/p/</href><propstat><prop><C:calendar-home-set><href>`+home+`</href></C:calendar-home-set></prop><status>HTTP/1.1 200 OK</status></propstat></response></multistatus>`)
	case home:
		w.WriteHeader(http.StatusMultiStatus)
		io.WriteString(w, `<multistatus xmlns="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><response><href>`+home+`work/</href><propstat><prop><resourcetype><collection/><C:calendar/></resourcetype></prop><status>HTTP/1.1 200 OK</status></propstat></response></multistatus>`)
	default:
		http.NotFound(w, r)
	}
}

func (m *movingHome) take() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	r := strings.Join(m.requests, ", ")
	m.requests = nil
	return r
}

// TestRememberedHomes: the status remembers where a DAV storage's home set is, so a
// pair opened again lists its collections with one request; a home set that moved, or
// another account, is found again; a dry run writes nothing, and discover refreshes.
func TestRememberedHomes(t *testing.T) {
	ctx := context.Background()
	srv := &movingHome{home: "/cal/"}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	dir := t.TempDir()
	local := filepath.Join(dir, "local")
	os.Mkdir(local, 0o700)
	parse := func(t *testing.T, user string) *config.Config {
		conf := fmt.Sprintf("status_path %s/status\nstorage local {\n\ttype vdir/icalendar\n\tpath %s\n}\nstorage remote {\n\ttype caldav\n\turl %s/p/\n\tusername %s\n\tpassword secret\n}\npair p {\n\tstorage_a local\n\tstorage_b remote\n\tcollections all\n}\n",
			dir, local, hs.URL, user)
		cfg, err := config.Parse(filepath.Join(dir, "pimsync.conf"), strings.NewReader(conf))
		if err != nil {
			t.Fatal(err)
		}
		return cfg
	}
	remembered := func(t *testing.T) string {
		t.Helper()
		db, err := status.OpenReadOnly(filepath.Join(dir, "status"), "p")
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		v, _, err := db.PairState("home b")
		if err != nil {
			t.Fatal(err)
		}
		_, home, _ := strings.Cut(v, "\n")
		return home
	}

	steps := []struct {
		name       string
		user       string
		serverHome string
		opt        Options
		want       string // the requests of Open and Collections
		remembered string // the home set the status holds afterwards
	}{
		{"first sync discovers", "tester", "/cal/", Options{}, "PROPFIND /p/, PROPFIND /cal/", "/cal/"},
		{"then one request", "tester", "/cal/", Options{}, "PROPFIND /cal/", "/cal/"},
		{"another account discovers", "other", "/cal/", Options{}, "PROPFIND /p/, PROPFIND /cal/", "/cal/"},
		{"a moved home set is found again", "other", "/moved/", Options{}, "PROPFIND /cal/, PROPFIND /p/, PROPFIND /moved/", "/moved/"},
		{"and remembered", "other", "/moved/", Options{}, "PROPFIND /moved/", "/moved/"},
		{"a dry run writes nothing", "other", "/cal/", Options{DryRun: true}, "PROPFIND /moved/, PROPFIND /p/, PROPFIND /cal/", "/moved/"},
		{"discover looks again and remembers", "other", "/cal/", Options{DryRun: true, Rediscover: true}, "PROPFIND /p/, PROPFIND /cal/", "/cal/"},
		{"after discover, one request", "other", "/cal/", Options{}, "PROPFIND /cal/", "/cal/"},
	}
	for _, s := range steps {
		srv.mu.Lock()
		srv.home = s.serverHome
		srv.mu.Unlock()
		p, err := Open(ctx, parse(t, s.user), "p", s.opt)
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if _, err := p.Storage[1].Collections(ctx); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if err := p.Close(); err != nil {
			t.Fatalf("%s: Close: %v", s.name, err)
		}
		if got := srv.take(); got != s.want {
			t.Errorf("%s: requests %s, want %s", s.name, got, s.want)
		}
		if got := remembered(t); got != hs.URL+s.remembered {
			t.Errorf("%s: status remembers %s, want %s", s.name, got, hs.URL+s.remembered)
		}
	}
}
