package dav

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// unixServer serves h on a Unix socket, over TLS if tlsToo, and records the host and
// path of each request.
func unixServer(t *testing.T, tlsToo bool, h http.HandlerFunc) (sock string, srv *httptest.Server, seen func() []string) {
	t.Helper()
	dir := t.TempDir()
	if len(dir) > 90 { // sun_path holds 108 bytes
		var err error
		if dir, err = os.MkdirTemp("", "dav"); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.RemoveAll(dir) })
	}
	sock = filepath.Join(dir, "dav.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var log []string
	srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		log = append(log, r.Method+" "+r.Host+r.URL.Path)
		mu.Unlock()
		h(w, r)
	}))
	srv.Listener.Close()
	srv.Listener = l
	if tlsToo {
		srv.StartTLS()
	} else {
		srv.Start()
	}
	t.Cleanup(srv.Close)
	return sock, srv, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), log...)
	}
}

// TestUnixURL: unix:///path discovers the home set from "/" over the socket.
func TestUnixURL(t *testing.T) {
	ctx := context.Background()
	sock, _, seen := unixServer(t, false, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusMultiStatus)
		if r.URL.Path == "/" {
			io.WriteString(w, `<multistatus xmlns="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><response><href>/</href><propstat><prop><C:calendar-home-set><href>/cal/</href></C:calendar-home-set></prop><status>HTTP/1.1 200 OK</status></propstat></response></multistatus>`)
			return
		}
		io.WriteString(w, `<multistatus xmlns="DAV:"><response><href>/cal/a.ics</href><propstat><prop><getetag>"1"</getetag></prop><status>HTTP/1.1 200 OK</status></propstat></response></multistatus>`)
	})
	base, socket, err := UnixURL("unix://" + sock)
	if err != nil || socket != sock {
		t.Fatalf("UnixURL = %s, %s, %v", base, socket, err)
	}
	hc, err := NewHTTPClient(HTTPOptions{Socket: socket})
	if err != nil {
		t.Fatal(err)
	}
	c := &Client{HTTP: hc}
	home, err := c.HomeSet(ctx, Calendars, base)
	if err != nil || home != "http://localhost/cal/" {
		t.Fatalf("HomeSet = %s, %v", home, err)
	}
	if list, err := c.List(ctx, home); err != nil || len(list) != 1 {
		t.Errorf("List = %v, %v", list, err)
	}
	if got, want := strings.Join(seen(), ", "), "PROPFIND localhost/, PROPFIND localhost/cal/"; got != want {
		t.Errorf("server saw %s, want %s", got, want)
	}
}

// TestSocket: with a socket, the URL's host and path are what the server is asked
// for, in clear or over TLS.
func TestSocket(t *testing.T) {
	for _, tlsToo := range []bool{false, true} {
		t.Run(fmt.Sprint("tls ", tlsToo), func(t *testing.T) {
			sock, srv, seen := unixServer(t, tlsToo, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "hi") })
			o := HTTPOptions{Socket: sock}
			u := "http://dav.example:8080/cal/a.ics"
			if tlsToo {
				sum := sha256.Sum256(srv.Certificate().Raw)
				o.TLSFingerprint = hex.EncodeToString(sum[:])
				u = "https://example.com/cal/a.ics"
			}
			body, err := get(t, o, u)
			if err != nil || body != "hi" {
				t.Fatalf("%q, %v", body, err)
			}
			want := "GET dav.example:8080/cal/a.ics"
			if tlsToo {
				want = "GET example.com/cal/a.ics"
			}
			if got := strings.Join(seen(), ", "); got != want {
				t.Errorf("server saw %s, want %s", got, want)
			}
		})
	}
	missing := filepath.Join(t.TempDir(), "none.sock")
	if _, err := get(t, HTTPOptions{Socket: missing}, "http://localhost/"); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("missing socket: %v", err)
	}
}

func TestUnixURLForms(t *testing.T) {
	tests := []struct {
		in, url, socket string
		ok              bool
	}{
		{"unix:///run/dav.sock", "http://localhost/", "/run/dav.sock", true},
		{"unix:///run/my%20dav.sock", "http://localhost/", "/run/my dav.sock", true},
		{"unix://run/dav.sock", "", "", false},
		{"unix://", "", "", false},
		{"http://localhost/", "", "", false},
	}
	for _, tt := range tests {
		u, s, err := UnixURL(tt.in)
		if u != tt.url || s != tt.socket || (err == nil) != tt.ok {
			t.Errorf("UnixURL(%q) = %q, %q, %v", tt.in, u, s, err)
		}
	}
}
