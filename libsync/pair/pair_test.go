package pair

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/pimsync-go/libsync/config"
)

// fakeHome answers the PROPFINDs that find a home set and list its one calendar,
// "work", and records the User-Agent and credentials it was sent.
type fakeHome struct {
	mu    sync.Mutex
	agent string
	user  string
}

func (f *fakeHome) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	user, _, _ := r.BasicAuth()
	f.mu.Lock()
	f.agent, f.user = r.UserAgent(), user
	f.mu.Unlock()
	if r.Method != "PROPFIND" {
		http.Error(w, "no", http.StatusMethodNotAllowed)
		return
	}
	w.WriteHeader(http.StatusMultiStatus)
	if r.URL.Path != "/cal/" {
		io.WriteString(w, `<multistatus xmlns="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><response><href>`+r.URL.Path+`</href><propstat><prop><C:calendar-home-set><href>/cal/</href></C:calendar-home-set></prop><status>HTTP/1.1 200 OK</status></propstat></response></multistatus>`)
		return
	}
	io.WriteString(w, `<multistatus xmlns="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><response><href>/cal/work/</href><propstat><prop><resourcetype><collection/><C:calendar/></resourcetype></prop><status>HTTP/1.1 200 OK</status></propstat></response></multistatus>`)
}

// TestOpenDAV: a caldav storage's connection directives, parsed from a configuration,
// reach the client: tls_fingerprint (and its absence), tls_root, auth_cert, a
// unix:// url and socket, user_agent.
func TestOpenDAV(t *testing.T) {
	home := &fakeHome{}
	srv := httptest.NewUnstartedServer(home)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the handshakes refused on purpose
	srv.StartTLS()
	defer srv.Close()
	sum := sha256.Sum256(srv.Certificate().Raw)
	fp := strings.ToUpper(hex.EncodeToString(sum[:]))
	var colons []string
	for i := 0; i < len(fp); i += 2 {
		colons = append(colons, fp[i:i+2])
	}
	dir := t.TempDir()
	root := filepath.Join(dir, "root.pem")
	if err := os.WriteFile(root, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	sock := unixServer(t, home)

	tests := []struct {
		name      string
		lines     string // directives of storage remote beyond its type and credentials
		wantAgent string
		wantErr   []string
	}{
		{"tls_fingerprint", "url " + srv.URL + "/\n\ttls_fingerprint " + strings.Join(colons, ":"), "pimsync-go", nil},
		{"wrong tls_fingerprint", "url " + srv.URL + "/\n\ttls_fingerprint " + strings.Repeat("00", 32),
			"", []string{"pimsync.conf:6)", "tls_fingerprint", strings.Join(colons, ":")}},
		{"no tls directive", "url " + srv.URL + "/", "", []string{"unknown authority", "tls_root"}},
		{"tls_root", "url " + srv.URL + "/\n\ttls_root " + root + "\n\tuser_agent test/1", "test/1", nil},
		{"tls_root relative to the config file", "url " + srv.URL + "/\n\ttls_root root.pem", "pimsync-go", nil},
		{"auth_cert missing", "url " + srv.URL + "/\n\ttls_root " + root + "\n\tauth_cert " + dir + "/no.crt " + dir + "/no.key",
			"", []string{"auth_cert", dir + "/no.crt"}},
		{"unix url", "url unix://" + sock, "pimsync-go", nil},
		{"socket", "url http://dav.example/\n\tsocket " + sock, "pimsync-go", nil},
		{"unix url and socket", "url unix://" + sock + "\n\tsocket " + sock, "", []string{"socket"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conf := fmt.Sprintf("status_path %s\nstorage local {\n\ttype vdir/icalendar\n\tpath %s\n}\nstorage remote {\n\ttype caldav\n\tusername tester\n\tpassword secret\n\t%s\n}\npair p {\n\tstorage_a local\n\tstorage_b remote\n\tcollections all\n}\n",
				dir, dir, tt.lines)
			cfg, err := config.Parse(filepath.Join(dir, "pimsync.conf"), strings.NewReader(conf))
			if err != nil {
				t.Fatalf("%v\n%s", err, conf)
			}
			st, err := OpenStorage(context.Background(), cfg, cfg.Storages["remote"])
			if len(tt.wantErr) > 0 {
				if err == nil {
					t.Fatal("opened")
				}
				for _, w := range tt.wantErr {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q lacks %q", err, w)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			cols, err := st.Collections(context.Background())
			if err != nil || len(cols) != 1 || cols[0].ID != "work" {
				t.Fatalf("Collections = %v, %v", cols, err)
			}
			home.mu.Lock()
			defer home.mu.Unlock()
			if home.agent != tt.wantAgent || home.user != "tester" {
				t.Errorf("server saw User-Agent %q and user %q, want %q and tester", home.agent, home.user, tt.wantAgent)
			}
		})
	}
}

// unixServer serves h over a Unix socket and returns its path.
func unixServer(t *testing.T, h http.Handler) string {
	dir, err := os.MkdirTemp("", "pair") // t.TempDir() may be too long for sun_path
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	sock := filepath.Join(dir, "dav.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	srv := &httptest.Server{Listener: l, Config: &http.Server{Handler: h}}
	srv.Start()
	t.Cleanup(srv.Close)
	return sock
}

// TestOpenLimits: a storage's concurrency and multiget_size reach the sync, per side.
func TestOpenLimits(t *testing.T) {
	dir := t.TempDir()
	srv := httptest.NewServer(&fakeHome{})
	defer srv.Close()
	conf := fmt.Sprintf("status_path %s/status\nstorage local {\n\ttype vdir/icalendar\n\tpath %s\n\tconcurrency 32\n}\nstorage remote {\n\ttype caldav\n\turl %s/\n\tconcurrency 2\n\tmultiget_size 25\n}\npair p {\n\tstorage_a local\n\tstorage_b remote\n\tcollections all\n}\n",
		dir, dir, srv.URL)
	cfg, err := config.Parse(filepath.Join(dir, "pimsync.conf"), strings.NewReader(conf))
	if err != nil {
		t.Fatal(err)
	}
	p, err := Open(context.Background(), cfg, "p", Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if p.Writes != [2]int{32, 2} || p.FetchSize != [2]int{config.DefaultMultigetSize, 25} {
		t.Errorf("Writes %v, FetchSize %v", p.Writes, p.FetchSize)
	}
}

// TestOpenIDSegment: collection_id_segment reaches the storage: fakeHome's calendar
// at /cal/work/ is "work" by default and "cal" by its second-last segment.
func TestOpenIDSegment(t *testing.T) {
	dir := t.TempDir()
	srv := httptest.NewServer(&fakeHome{})
	defer srv.Close()
	for _, tt := range []struct{ line, want string }{{"", "work"}, {"collection_id_segment last", "work"}, {"collection_id_segment second-last", "cal"}} {
		conf := fmt.Sprintf("status_path %s/status\nstorage remote {\n\ttype caldav\n\turl %s/\n\t%s\n}\n", dir, srv.URL, tt.line)
		cfg, err := config.Parse(filepath.Join(dir, "pimsync.conf"), strings.NewReader(conf))
		if err != nil {
			t.Fatal(err)
		}
		st, err := OpenStorage(context.Background(), cfg, cfg.Storages["remote"])
		if err != nil {
			t.Fatal(err)
		}
		cols, err := st.Collections(context.Background())
		if err != nil || len(cols) != 1 || cols[0].ID != tt.want {
			t.Errorf("%q: Collections = %+v, %v; want one, %s", tt.line, cols, err, tt.want)
		}
	}
}

// TestCleartextWarning: a password sent over http:// to another machine is warned
// about, naming the storage; over https://, to this machine, or without a password,
// it is not.
func TestCleartextWarning(t *testing.T) {
	var logged bytes.Buffer
	defer slog.SetDefault(slog.Default())
	slog.SetDefault(slog.New(slog.NewTextHandler(&logged, nil)))
	for _, tt := range []struct {
		url, password string
		warn          bool
	}{
		{"http://dav.example.com/feed.ics", "\tpassword s3cret\n", true},
		{"https://dav.example.com/feed.ics", "\tpassword s3cret\n", false},
		{"http://127.0.0.1:5232/feed.ics", "\tpassword s3cret\n", false},
		{"http://dav.example.com/feed.ics", "", false},
	} {
		logged.Reset()
		conf := fmt.Sprintf("status_path /tmp/st\nstorage feed {\n\ttype webcal\n\turl %s\n\tcollection_id f\n\tusername u\n%s}\n", tt.url, tt.password)
		cfg, err := config.Parse("pimsync.conf", strings.NewReader(conf))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := OpenStorage(context.Background(), cfg, cfg.Storages["feed"]); err != nil {
			t.Fatal(err)
		}
		got := logged.String()
		if warned := strings.Contains(got, "unencrypted") && strings.Contains(got, "storage=feed"); warned != tt.warn {
			t.Errorf("%s with password %v: warned %v: %q", tt.url, tt.password != "", warned, got)
		}
		if strings.Contains(got, "s3cret") {
			t.Errorf("the password is in the log: %q", got)
		}
	}
}
