package testserver

import (
	"bytes"
	"context"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Fault is what a FaultProxy does to one request instead of passing it on.
type Fault int

// The faults. Those named After let the server carry the request out and then keep
// the answer from the client, so a write the client takes for failed did land: the
// case a sync must survive without duplicating or losing an item.
const (
	Pass          Fault = iota
	Error500            // 500 Internal Server Error; the server never sees the request
	Busy503             // 503 with Retry-After: 1
	TooMany429          // 429 with Retry-After: 1
	DropBefore          // the connection is closed before the request is passed on
	DropAfter           // passed on; the connection is closed instead of the answer
	TruncateAfter       // passed on; the answer's body is cut short of its Content-Length
	Error500After       // passed on; 500 instead of the answer
	Delay               // passed on after a pause (FaultProxy.Delay), even if the client gave up
	numFaults
)

var faultNames = [...]string{"pass", "500", "503", "429", "drop before", "drop after", "truncated answer", "500 after", "delay"}

func (f Fault) String() string {
	if f < 0 || f >= numFaults {
		return "fault " + strconv.Itoa(int(f))
	}
	return faultNames[f]
}

// FaultProxy stands between a client and a real server and spoils a share of the
// requests, chosen at random from a seed so that a failing run can be repeated.
type FaultProxy struct {
	// URL is the proxy's base URL: the target's paths, on the proxy's host.
	URL string
	// Delay is how long a Delay fault holds a request.
	Delay time.Duration

	target string
	client *http.Client
	mu     sync.Mutex
	rng    *rand.Rand
	rate   float64
	only   Fault // when set, the one fault given (tests of the proxy)
	counts [numFaults]int
	// busy counts requests taken and not yet carried out. A WaitGroup would not do:
	// the race detector rightly wants each Add from zero to happen before Wait, and
	// a request that arrives while a test waits has nothing ordering the two.
	busy int
	idle *sync.Cond // on mu, signalled when busy drops to zero
}

// NewFaultProxy starts a proxy to the server at target (a base URL), passing every
// request until SetRate says otherwise. It stops when the test ends.
func NewFaultProxy(t testing.TB, target string, seed uint64) *FaultProxy {
	p := &FaultProxy{
		target: strings.TrimSuffix(target, "/"),
		Delay:  300 * time.Millisecond,
		rng:    rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		client: &http.Client{
			// Redirects go back to the client as they are, as the server sent them.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
			Timeout:       time.Minute,
		},
	}
	p.idle = sync.NewCond(&p.mu)
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	p.URL = srv.URL + "/"
	return p
}

// SetRate sets the share of requests (0 to 1) that get a fault; 0 passes all.
func (p *FaultProxy) SetRate(rate float64) {
	p.mu.Lock()
	p.rate = rate
	p.mu.Unlock()
}

// Counts returns how many requests got each fault so far, "pass" included.
func (p *FaultProxy) Counts() map[string]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := map[string]int{}
	for f, n := range p.counts {
		if n > 0 {
			out[Fault(f).String()] = n
		}
	}
	return out
}

// Injected returns how many requests got a fault other than a delay or none.
func (p *FaultProxy) Injected() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for f, c := range p.counts {
		if Fault(f) != Pass && Fault(f) != Delay {
			n += c
		}
	}
	return n
}

// Summary is Counts as one line, for a test's log.
func (p *FaultProxy) Summary() string {
	c := p.Counts()
	keys := make([]string, 0, len(c))
	for k := range c {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(k + " " + strconv.Itoa(c[k]))
	}
	return b.String()
}

func (p *FaultProxy) pick() Fault {
	p.mu.Lock()
	defer p.mu.Unlock()
	f := Pass
	if p.rate > 0 && p.rng.Float64() < p.rate {
		f = Fault(1 + p.rng.IntN(int(numFaults)-1))
		if p.only != Pass {
			f = p.only
		}
	}
	p.counts[f]++
	return f
}

// Wait returns once every request the proxy has taken is carried out, a delayed one
// included, whether or not its client still waits for the answer: after it, the
// server holds every write that will ever land. Call it while no client sends.
func (p *FaultProxy) Wait() {
	p.mu.Lock()
	for p.busy > 0 {
		p.idle.Wait()
	}
	p.mu.Unlock()
}

func (p *FaultProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	p.busy++
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		if p.busy--; p.busy == 0 {
			p.idle.Broadcast()
		}
		p.mu.Unlock()
	}()
	f := p.pick()
	switch f {
	case Error500:
		http.Error(w, "injected fault", http.StatusInternalServerError)
		return
	case Busy503, TooMany429:
		w.Header().Set("Retry-After", "1")
		code := http.StatusServiceUnavailable
		if f == TooMany429 {
			code = http.StatusTooManyRequests
		}
		http.Error(w, "injected fault", code)
		return
	case DropBefore:
		drop(w)
		return
	case Delay:
		time.Sleep(p.Delay)
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		drop(w)
		return
	}
	// A client that gave up does not stop the request: a server would carry it out too.
	out, err := http.NewRequestWithContext(context.WithoutCancel(r.Context()), r.Method, p.target+r.URL.RequestURI(), bytes.NewReader(body))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	for k, v := range r.Header {
		out.Header[k] = v
	}
	resp, err := p.client.Do(out)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	if err != nil {
		drop(w)
		return
	}
	switch f {
	case DropAfter:
		drop(w)
		return
	case Error500After:
		http.Error(w, "injected fault after the server's answer", http.StatusInternalServerError)
		return
	}
	for k, v := range resp.Header {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(answer)))
	w.WriteHeader(resp.StatusCode)
	if f == TruncateAfter && len(answer) > 0 {
		// Fewer bytes than announced: the server closes the connection and the
		// client reads an unexpected end.
		w.Write(answer[:len(answer)/2])
		return
	}
	w.Write(answer)
}

// drop closes the client's connection without an answer.
func drop(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}
