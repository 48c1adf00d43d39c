// Package proxy is a reverse proxy that counts the requests passing through it, by method
// and by response status, so that a benchmark can tell what each phase of a sync cost.
//
// Every client under test goes through the same proxy, so its own cost (one more hop on
// loopback) is the same for all of them.
package proxy

import (
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sort"
	"sync"
	"time"
)

// CountPath is the proxy's own endpoint: GET CountPath answers the counts since the last
// reset as text (see Counts.WriteTo), and GET CountPath?reset=1 also sets them to zero.
// Requests to it are neither forwarded nor counted.
const CountPath = "/__count"

// Counts is what went through the proxy: requests by method, responses by status code.
type Counts struct {
	Methods  map[string]int
	Statuses map[int]int
}

// Total is the number of requests.
func (c Counts) Total() int {
	n := 0
	for _, v := range c.Methods {
		n += v
	}
	return n
}

// WriteTo writes one line per method ("method PUT 1000") and per status
// ("status 201 1000"), sorted, then "total N".
func (c Counts) WriteTo(w io.Writer) (int64, error) {
	var lines []string
	for m, n := range c.Methods {
		lines = append(lines, fmt.Sprintf("method %s %d\n", m, n))
	}
	for s, n := range c.Statuses {
		lines = append(lines, fmt.Sprintf("status %d %d\n", s, n))
	}
	sort.Strings(lines)
	lines = append(lines, fmt.Sprintf("total %d\n", c.Total()))
	var written int64
	for _, l := range lines {
		n, err := io.WriteString(w, l)
		written += int64(n)
		if err != nil {
			return written, err
		}
	}
	return written, nil
}

// Counter is an http.Handler that forwards every request to one server and counts it.
// It is safe for concurrent use. Create it with New.
type Counter struct {
	// Log, when set before the first request, gets a line per request: method, path,
	// Depth header, response status, and the milliseconds until the server's response
	// header and until the whole response was passed on. They split a phase's time
	// between the server and the client: the proxy sees both ends.
	Log *log.Logger

	rp *httputil.ReverseProxy

	mu     sync.Mutex
	counts Counts
}

// New returns a Counter that forwards to target (scheme and host; its path is prepended
// to each request's). The Host header is kept as the client sent it, so that a server
// that writes absolute URLs names the proxy, and clients stay behind it.
func New(target *url.URL) *Counter {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	// Clients write with several requests in flight; without enough idle connections
	// the proxy would open a new one to the server for most of them.
	tr.MaxIdleConns = 256
	tr.MaxIdleConnsPerHost = 64
	c := &Counter{counts: Counts{Methods: map[string]int{}, Statuses: map[int]int{}}}
	c.rp = &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(target)
			pr.Out.Host = pr.In.Host
		},
		Transport: tr,
	}
	return c
}

// ServeHTTP counts the request and forwards it, or answers CountPath.
func (c *Counter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == CountPath {
		c.serveCounts(w, r)
		return
	}
	// Counted before forwarding, and the status as soon as it is written: a client that
	// has its response has been counted, even if this handler has not returned yet.
	c.mu.Lock()
	c.counts.Methods[r.Method]++
	c.mu.Unlock()
	rec := &recorder{ResponseWriter: w, c: c, start: time.Now()}
	c.rp.ServeHTTP(rec, r)
	if c.Log != nil {
		c.Log.Printf("%s %s depth=%q %d header=%.1fms total=%.1fms", r.Method, r.URL.Path, r.Header.Get("Depth"),
			rec.code, ms(rec.header.Sub(rec.start)), ms(time.Since(rec.start)))
	}
}

// Snapshot returns the counts so far; reset also sets them to zero.
func (c *Counter) Snapshot(reset bool) Counts {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.counts
	if reset {
		c.counts = Counts{Methods: map[string]int{}, Statuses: map[int]int{}}
		return s
	}
	s.Methods = make(map[string]int, len(c.counts.Methods))
	for k, v := range c.counts.Methods {
		s.Methods[k] = v
	}
	s.Statuses = make(map[int]int, len(c.counts.Statuses))
	for k, v := range c.counts.Statuses {
		s.Statuses[k] = v
	}
	return s
}

func (c *Counter) serveCounts(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		http.Error(w, "GET only", http.StatusMethodNotAllowed)
		return
	}
	s := c.Snapshot(r.URL.Query().Get("reset") == "1")
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	s.WriteTo(w)
}

func (c *Counter) status(code int) {
	c.mu.Lock()
	c.counts.Statuses[code]++
	c.mu.Unlock()
}

// ms is d in milliseconds.
func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// recorder counts the status of the response it passes on and notes when its header
// came.
type recorder struct {
	http.ResponseWriter
	c      *Counter
	done   bool
	code   int
	start  time.Time // when the request came in
	header time.Time // when the final status was written
}

func (r *recorder) WriteHeader(code int) {
	if !r.done && code >= 200 {
		r.done, r.code, r.header = true, code, time.Now()
		r.c.status(code)
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if !r.done {
		r.WriteHeader(http.StatusOK)
	}
	return r.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection (flushes while streaming).
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
