package testserver

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestFaultProxy: each fault does what it says, to the client and to the server.
func TestFaultProxy(t *testing.T) {
	var served atomic.Int32
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		served.Add(1)
		io.WriteString(w, strings.Repeat("answer ", 100))
	}))
	defer target.Close()
	tests := []struct {
		fault   Fault
		status  int  // 0: the request fails
		reached bool // the server carried the request out
		whole   bool // the client got the whole answer
	}{
		{Pass, 200, true, true},
		{Error500, 500, false, false},
		{Busy503, 503, false, false},
		{TooMany429, 429, false, false},
		{DropBefore, 0, false, false},
		{DropAfter, 0, true, false},
		{TruncateAfter, 200, true, false},
		{Error500After, 500, true, false},
		{Delay, 200, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.fault.String(), func(t *testing.T) {
			p := NewFaultProxy(t, target.URL, 1)
			p.Delay = 10 * time.Millisecond
			p.only = tt.fault
			if tt.fault != Pass {
				p.SetRate(1)
			}
			served.Store(0)
			c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
			resp, err := c.Get(p.URL + "x")
			var body []byte
			if err == nil {
				body, err = io.ReadAll(resp.Body)
				resp.Body.Close()
			}
			switch {
			case tt.status == 0 && err == nil:
				t.Errorf("request succeeded with %d", resp.StatusCode)
			case tt.status != 0 && resp == nil:
				t.Fatalf("no answer: %v", err)
			case tt.status != 0 && resp.StatusCode != tt.status:
				t.Errorf("status %d, want %d", resp.StatusCode, tt.status)
			}
			if whole := err == nil && len(body) == 700; whole != tt.whole {
				t.Errorf("whole answer %v (%d bytes, %v), want %v", whole, len(body), err, tt.whole)
			}
			if reached := served.Load() == 1; reached != tt.reached {
				t.Errorf("server reached %v, want %v", reached, tt.reached)
			}
			if c := p.Counts()[tt.fault.String()]; c != 1 {
				t.Errorf("counts %v", p.Counts())
			}
		})
	}
}

// TestFaultProxyWait: a delayed request reaches the server after its client gave up,
// and Wait returns only once it has.
func TestFaultProxyWait(t *testing.T) {
	var served atomic.Int32
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		served.Add(1)
	}))
	defer target.Close()
	p := NewFaultProxy(t, target.URL, 1)
	p.Delay = 500 * time.Millisecond
	p.only = Delay
	p.SetRate(1)
	c := &http.Client{Timeout: 100 * time.Millisecond}
	if _, err := c.Get(p.URL + "x"); err == nil {
		t.Fatal("the client did not give up")
	}
	if served.Load() != 0 {
		t.Fatal("the server was reached before the delay ended")
	}
	p.Wait()
	if served.Load() != 1 {
		t.Errorf("after Wait, the server was reached %d times, want 1", served.Load())
	}
}
