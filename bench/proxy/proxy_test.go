package proxy

import (
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// backend answers each method with the status in codes and remembers what it saw.
type backend struct {
	mu    sync.Mutex
	seen  []string // method path host body
	codes map[string]int
}

func (b *backend) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	b.mu.Lock()
	b.seen = append(b.seen, r.Method+" "+r.URL.Path+" "+r.Host+" "+string(body))
	b.mu.Unlock()
	code := b.codes[r.Method]
	if code == 0 {
		code = http.StatusOK
	}
	w.WriteHeader(code)
	io.WriteString(w, "answer to "+r.Method)
}

func TestCounter(t *testing.T) {
	type req struct{ method, path string }
	tests := []struct {
		name   string
		reqs   []req
		counts string // what /__count answers afterwards
	}{
		{"nothing", nil, "total 0\n"},
		{"one PROPFIND", []req{{"PROPFIND", "/u/"}},
			"method PROPFIND 1\nstatus 207 1\ntotal 1\n"},
		{"an upload", []req{{"MKCALENDAR", "/u/c/"}, {"PUT", "/u/c/1.ics"}, {"PUT", "/u/c/2.ics"}, {"PUT", "/u/c/3.ics"}},
			"method MKCALENDAR 1\nmethod PUT 3\nstatus 201 4\ntotal 4\n"},
		{"statuses apart", []req{{"GET", "/u/c/1.ics"}, {"DELETE", "/u/c/1.ics"}, {"REPORT", "/u/c/"}},
			"method DELETE 1\nmethod GET 1\nmethod REPORT 1\nstatus 200 1\nstatus 207 1\nstatus 412 1\ntotal 3\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := &backend{codes: map[string]int{"PROPFIND": 207, "REPORT": 207, "MKCALENDAR": 201, "PUT": 201, "DELETE": 412}}
			srv := httptest.NewServer(b)
			defer srv.Close()
			u, _ := url.Parse(srv.URL)
			px := httptest.NewServer(New(u))
			defer px.Close()
			for _, r := range tc.reqs {
				hr, _ := http.NewRequest(r.method, px.URL+r.path, strings.NewReader("body of "+r.path))
				resp, err := http.DefaultClient.Do(hr)
				if err != nil {
					t.Fatal(err)
				}
				got, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if string(got) != "answer to "+r.method {
					t.Errorf("%s %s: answer %q", r.method, r.path, got)
				}
			}
			if got := get(t, px.URL+CountPath+"?reset=1"); got != tc.counts {
				t.Errorf("counts:\n%s\nwant:\n%s", got, tc.counts)
			}
			if got := get(t, px.URL+CountPath); got != "total 0\n" {
				t.Errorf("after reset: %q", got)
			}
			if len(b.seen) != len(tc.reqs) {
				t.Fatalf("the server saw %d requests, want %d: %q", len(b.seen), len(tc.reqs), b.seen)
			}
			pu, _ := url.Parse(px.URL)
			for i, r := range tc.reqs {
				want := r.method + " " + r.path + " " + pu.Host + " body of " + r.path
				if b.seen[i] != want {
					t.Errorf("the server saw %q, want %q", b.seen[i], want)
				}
			}
		})
	}
}

func TestCounterKeepsCountingWithoutReset(t *testing.T) {
	srv := httptest.NewServer(&backend{})
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	c := New(u)
	px := httptest.NewServer(c)
	defer px.Close()
	for range 3 {
		get(t, px.URL+"/x")
		get(t, px.URL+CountPath)
	}
	if got := c.Snapshot(false); got.Total() != 3 || got.Methods["GET"] != 3 || got.Statuses[200] != 3 {
		t.Errorf("snapshot %+v, want 3 GETs answered 200", got)
	}
	resp, err := http.Post(px.URL+CountPath, "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST %s: %d", CountPath, resp.StatusCode)
	}
}

func get(t *testing.T, u string) string {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// TestLog: a line per request, with the time to the server's header and to the end.
func TestLog(t *testing.T) {
	slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(30 * time.Millisecond)
		w.WriteHeader(http.StatusMultiStatus)
		w.(http.Flusher).Flush()
		time.Sleep(20 * time.Millisecond)
		io.WriteString(w, "<multistatus/>")
	})
	srv := httptest.NewServer(slow)
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	c := New(u)
	var buf strings.Builder
	c.Log = log.New(&buf, "", 0)
	front := httptest.NewServer(c)
	defer front.Close()
	req, _ := http.NewRequest("PROPFIND", front.URL+"/home/", nil)
	req.Header.Set("Depth", "1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	var header, total float64
	line := strings.TrimSpace(buf.String())
	if _, err := fmt.Sscanf(line, "PROPFIND /home/ depth=\"1\" 207 header=%fms total=%fms", &header, &total); err != nil {
		t.Fatalf("log line %q: %v", line, err)
	}
	if header < 30 || total < header+20 {
		t.Errorf("header after %.1f ms, total %.1f ms; want at least 30 and 50", header, total)
	}
}
