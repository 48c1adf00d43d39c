package dav

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// scripted is a fake server that answers the nth request with replies[n] (the last
// one repeating) and records the bodies it was sent.
type scripted struct {
	mu      sync.Mutex
	replies []int
	header  http.Header // sent with every non-2xx reply
	bodies  []string
}

func (s *scripted) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	n := len(s.bodies)
	s.bodies = append(s.bodies, string(b))
	code := s.replies[min(n, len(s.replies)-1)]
	s.mu.Unlock()
	if code >= 300 {
		for k, v := range s.header {
			w.Header()[k] = v
		}
	}
	w.WriteHeader(code)
}

func (s *scripted) tries() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.bodies)
}

// recordSleeps makes c record its waits instead of waiting.
func recordSleeps(c *Client) *[]time.Duration {
	var waits []time.Duration
	c.sleep = func(_ context.Context, d time.Duration) error {
		waits = append(waits, d)
		return nil
	}
	return &waits
}

func TestRetryStatus(t *testing.T) {
	tests := []struct {
		name       string
		method     string
		replies    []int
		retryAfter string
		retries    int
		wantTries  int
		wantCode   int
		wantWaits  []time.Duration // exact waits; nil means exponential backoff
	}{
		{"GET through two 503s", "GET", []int{503, 503, 200}, "", 0, 3, 200, nil},
		{"PROPFIND 500 then 207", "PROPFIND", []int{500, 207}, "", 0, 2, 207, nil},
		{"REPORT 502 504", "REPORT", []int{502, 504, 207}, "", 0, 3, 207, nil},
		{"OPTIONS 500", "OPTIONS", []int{500, 200}, "", 0, 2, 200, nil},
		{"gives up after the default", "GET", []int{503}, "", 0, 1 + DefaultRetries, 503, nil},
		{"Retries 1", "GET", []int{500}, "", 1, 2, 500, nil},
		{"Retries negative", "GET", []int{503, 200}, "", -1, 1, 503, nil},
		{"PUT never", "PUT", []int{503, 201}, "", 0, 1, 503, nil},
		{"DELETE never", "DELETE", []int{502, 204}, "", 0, 1, 502, nil},
		{"PROPPATCH never", "PROPPATCH", []int{500, 207}, "", 0, 1, 500, nil},
		{"MKCALENDAR never", "MKCALENDAR", []int{503, 201}, "", 0, 1, 503, nil},
		{"MKCOL never", "MKCOL", []int{503, 201}, "", 0, 1, 503, nil},
		{"404 is an answer", "GET", []int{404, 200}, "", 0, 1, 404, nil},
		{"501 is an answer", "PROPFIND", []int{501, 207}, "", 0, 1, 501, nil},
		{"429 Retry-After seconds", "GET", []int{429, 200}, "7", 0, 2, 200, []time.Duration{7 * time.Second}},
		{"429 Retry-After capped", "GET", []int{429, 200}, "3600", 0, 2, 200, []time.Duration{maxRetryAfter}},
		{"503 Retry-After", "REPORT", []int{503, 503, 207}, "2", 0, 3, 207, []time.Duration{2 * time.Second, 2 * time.Second}},
		{"429 Retry-After garbage", "GET", []int{429, 200}, "soon", 0, 2, 200, nil},
		{"429 without Retry-After", "GET", []int{429, 429, 200}, "", 0, 3, 200, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &scripted{replies: tt.replies, header: http.Header{}}
			if tt.retryAfter != "" {
				s.header.Set("Retry-After", tt.retryAfter)
			}
			srv := httptest.NewServer(s)
			defer srv.Close()
			c := &Client{Retries: tt.retries, Log: slog.New(slog.DiscardHandler)}
			waits := recordSleeps(c)
			body := []byte("<propfind/>")
			resp, _, err := c.do(context.Background(), request{method: tt.method, url: srv.URL + "/x", body: body})
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tt.wantCode || s.tries() != tt.wantTries {
				t.Errorf("%d after %d tries, want %d after %d", resp.StatusCode, s.tries(), tt.wantCode, tt.wantTries)
			}
			for i, b := range s.bodies {
				if b != string(body) {
					t.Errorf("try %d sent body %q, want %q", i+1, b, body)
				}
			}
			if len(*waits) != tt.wantTries-1 {
				t.Fatalf("waited %v, want %d waits", *waits, tt.wantTries-1)
			}
			for i, w := range *waits {
				if tt.wantWaits != nil {
					if w != tt.wantWaits[i] {
						t.Errorf("wait %d = %v, want %v", i+1, w, tt.wantWaits[i])
					}
				} else if top := firstBackoff << i; w < top/2 || w > top {
					t.Errorf("wait %d = %v, want within [%v, %v]", i+1, w, top/2, top)
				}
			}
		})
	}
}

// TestRetryConnection: a connection that breaks is tried again, for idempotent
// requests only.
func TestRetryConnection(t *testing.T) {
	breakers := map[string]func(net.Conn){
		"closed": func(c net.Conn) { c.Close() },
		"reset":  func(c net.Conn) { c.(*net.TCPConn).SetLinger(0); c.Close() },
		"truncated": func(c net.Conn) {
			io.WriteString(c, "HTTP/1.1 207 Multi-Status\r\nContent-Length: 100\r\n\r\n<multi")
			c.Close()
		},
	}
	for name, breakIt := range breakers {
		for _, method := range []string{"GET", "PROPFIND", "PUT"} {
			t.Run(name+"/"+method, func(t *testing.T) {
				var mu sync.Mutex
				tries := 0
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					mu.Lock()
					tries++
					first := tries == 1
					mu.Unlock()
					if first {
						conn, _, err := w.(http.Hijacker).Hijack()
						if err != nil {
							t.Error(err)
							return
						}
						breakIt(conn)
						return
					}
					w.WriteHeader(http.StatusOK)
				}))
				defer srv.Close()
				c := &Client{Log: slog.New(slog.DiscardHandler)}
				recordSleeps(c)
				resp, _, err := c.do(context.Background(), request{method: method, url: srv.URL + "/x", body: []byte("b")})
				srv.Close() // waits for the handlers
				if method == "PUT" {
					if err == nil || tries != 1 {
						t.Errorf("PUT over a broken connection: %v after %d tries; want an error after 1", err, tries)
					}
					return
				}
				if err != nil || resp.StatusCode != 200 || tries != 2 {
					t.Errorf("%v after %d tries, want 200 after 2", err, tries)
				}
			})
		}
	}
}

// TestRetryCancel: a cancelled context ends the waiting, and is itself never retried.
func TestRetryCancel(t *testing.T) {
	s := &scripted{replies: []int{503}}
	srv := httptest.NewServer(s)
	defer srv.Close()
	c := &Client{Log: slog.New(slog.DiscardHandler)}
	ctx, cancel := context.WithCancel(context.Background())
	start := time.Now()
	time.AfterFunc(50*time.Millisecond, cancel) // during the first real wait (≥ 250 ms)
	_, _, err := c.do(ctx, request{method: "GET", url: srv.URL})
	if !errors.Is(err, context.Canceled) || s.tries() != 1 || time.Since(start) > 5*time.Second {
		t.Errorf("cancelled while waiting: %v after %d tries and %v", err, s.tries(), time.Since(start))
	}
	waits := recordSleeps(c)
	if _, _, err := c.do(ctx, request{method: "GET", url: srv.URL}); !errors.Is(err, context.Canceled) || len(*waits) != 0 {
		t.Errorf("cancelled before: %v after waits %v", err, *waits)
	}
}

// TestRetryLog: each retry is logged at info, without the URL's credentials.
func TestRetryLog(t *testing.T) {
	s := &scripted{replies: []int{503, 200}}
	srv := httptest.NewServer(s)
	defer srv.Close()
	var buf bytes.Buffer
	c := &Client{User: "tester", Password: "hunter2", Log: slog.New(slog.NewTextHandler(&buf, nil))}
	recordSleeps(c)
	u := strings.Replace(srv.URL, "http://", "http://tester:hunter2@", 1) + "/cal/"
	if _, _, err := c.do(context.Background(), request{method: "GET", url: u}); err != nil {
		t.Fatal(err)
	}
	log := buf.String()
	for _, want := range []string{"level=INFO", "retrying", "method=GET", "url=" + srv.URL + "/cal/", "status=503", "attempt=1", "wait="} {
		if !strings.Contains(log, want) {
			t.Errorf("log %q lacks %q", log, want)
		}
	}
	if strings.Contains(log, "hunter2") || strings.Count(log, "\n") != 1 {
		t.Errorf("log %q: want one line without the password", log)
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"0", 0, true},
		{" 12 ", 12 * time.Second, true},
		{"61", maxRetryAfter, true},
		{"99999999999999999", maxRetryAfter, true},
		{"-1", 0, false},
		{"", 0, false},
		{"1.5", 0, false},
		{now.Add(30 * time.Second).Format(http.TimeFormat), 30 * time.Second, true},
		{now.Add(time.Hour).Format(http.TimeFormat), maxRetryAfter, true},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
		{"Sunday, 01-Mar-26 12:00:05 GMT", 5 * time.Second, true}, // RFC 850, still valid
	}
	for _, tt := range tests {
		got, ok := retryAfter(tt.in, now)
		if got != tt.want || ok != tt.ok {
			t.Errorf("retryAfter(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestBackoff(t *testing.T) {
	for attempt := 0; attempt < 70; attempt++ {
		top := maxBackoff
		if attempt < 10 {
			top = min(firstBackoff<<attempt, maxBackoff)
		}
		for range 20 {
			if d := backoff(attempt); d < top/2 || d > top {
				t.Fatalf("backoff(%d) = %v, want within [%v, %v]", attempt, d, top/2, top)
			}
		}
	}
}

func TestTransient(t *testing.T) {
	tests := []struct {
		err  error
		want bool
	}{
		{fmt.Errorf("GET x: %w", &net.OpError{Op: "read", Err: syscall.ECONNRESET}), true},
		{fmt.Errorf("GET x: %w", &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}), true},
		{fmt.Errorf("reading: %w", io.ErrUnexpectedEOF), true},
		{errors.New(`Get "x": net/http: HTTP/1.x transport connection broken: x`), true},
		{fmt.Errorf("GET x: %w", context.Canceled), false},
		{fmt.Errorf("GET x: %w", context.DeadlineExceeded), false},
		{errors.New("x509: certificate signed by unknown authority"), false},
		{&net.DNSError{Err: "no such host", Name: "x"}, false},
	}
	for _, tt := range tests {
		if got := transient(tt.err); got != tt.want {
			t.Errorf("transient(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}
