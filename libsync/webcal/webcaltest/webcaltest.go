// Package webcaltest serves webcal feeds over HTTP for tests of the webcal storage
// and of webcalfetch: a large feed, one with overrides and time zones, one whose UIDs
// change every fetch, one that answers conditional GETs with 304, and a malformed one.
package webcaltest

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// Overrides is a feed with a recurring event whose override sits at the far end of
// the feed, two time zones (each event uses one), METHOD, and a VTODO without UID.
const Overrides = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//webcaltest//EN\r\nMETHOD:PUBLISH\r\n" +
	"BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\nBEGIN:STANDARD\r\nDTSTART:19701025T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n" +
	"BEGIN:VTIMEZONE\r\nTZID:America/New_York\r\nBEGIN:STANDARD\r\nDTSTART:19701101T020000\r\nTZOFFSETFROM:-0400\r\nTZOFFSETTO:-0500\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n" +
	"BEGIN:VEVENT\r\nUID:weekly@example.com\r\nDTSTAMP:20260101T000000Z\r\nDTSTART;TZID=Europe/Berlin:20260105T100000\r\nRRULE:FREQ=WEEKLY\r\nSUMMARY:Weekly sync\r\nEND:VEVENT\r\n" +
	"BEGIN:VEVENT\r\nUID:ny@example.com\r\nDTSTAMP:20260101T000000Z\r\nDTSTART;TZID=America/New_York:20260106T090000\r\nSUMMARY:New York call\r\nEND:VEVENT\r\n" +
	"BEGIN:VTODO\r\nDTSTAMP:20260101T000000Z\r\nSUMMARY:No UID here\r\nEND:VTODO\r\n" +
	"BEGIN:VEVENT\r\nUID:weekly@example.com\r\nRECURRENCE-ID;TZID=Europe/Berlin:20260112T100000\r\nDTSTAMP:20260101T000000Z\r\nDTSTART;TZID=Europe/Berlin:20260112T110000\r\nSUMMARY:Weekly sync (moved)\r\nEND:VEVENT\r\n" +
	"END:VCALENDAR\r\n"

// Malformed is a feed cut short: its last event and the calendar never end.
const Malformed = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:cut@example.com\r\nSUMMARY:Cut\r\n"

// Large returns a feed of n events.
func Large(n int) string {
	var b strings.Builder
	b.WriteString("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//webcaltest//EN\r\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "BEGIN:VEVENT\r\nUID:large-%05d@example.com\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260101T%02d0000Z\r\nSUMMARY:Event %d\r\nEND:VEVENT\r\n", i, i%24, i)
	}
	b.WriteString("END:VCALENDAR\r\n")
	return b.String()
}

// Server serves feeds by path. A feed set with Set is static: it has an ETag and a
// Last-Modified and answers a matching conditional GET with 304. "/changing.ics" gives
// new UIDs on every fetch and no validators.
type Server struct {
	URL string

	mu       sync.Mutex
	feeds    map[string]string
	requests map[string]int
	not      map[string]int
	fetches  int
}

// New starts a server with /overrides.ics, /large.ics (10,000 events),
// /malformed.ics and /changing.ics; it stops when the test ends.
func New(t testing.TB) *Server {
	s := &Server{feeds: map[string]string{
		"/overrides.ics": Overrides,
		"/large.ics":     Large(10000),
		"/malformed.ics": Malformed,
	}, requests: map[string]int{}, not: map[string]int{}}
	ts := httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(ts.Close)
	s.URL = ts.URL
	return s
}

// Set makes path serve feed from now on.
func (s *Server) Set(path, feed string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.feeds[path] = feed
}

// Requests returns how many requests path had, and how many were answered with 304.
func (s *Server) Requests(path string) (all, notModified int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests[path], s.not[path]
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests[r.URL.Path]++
	if r.URL.Path == "/changing.ics" {
		s.fetches++
		w.Header().Set("Content-Type", "text/calendar")
		fmt.Fprintf(w, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:fetch-%d@example.com\r\nSUMMARY:Fetch %d\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n", s.fetches, s.fetches)
		return
	}
	feed, ok := s.feeds[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	sum := sha256.Sum256([]byte(feed))
	etag := `"` + hex.EncodeToString(sum[:8]) + `"`
	w.Header().Set("ETag", etag)
	w.Header().Set("Last-Modified", "Thu, 01 Jan 2026 00:00:00 GMT")
	if r.Header.Get("If-None-Match") == etag {
		s.not[r.URL.Path]++
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	_, _ = w.Write([]byte(feed))
}
