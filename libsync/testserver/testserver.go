// Package testserver hands tests the real Radicale and Xandikos servers that scripts/test
// starts on loopback, so that DAV code is tested against the servers people run rather
// than against fakes alone.
//
// scripts/test exports the servers' addresses in PIMSYNC_TEST_RADICALE_URL (with
// PIMSYNC_TEST_RADICALE_USER and PIMSYNC_TEST_RADICALE_PASSWORD) and
// PIMSYNC_TEST_XANDIKOS_URL, and sets PIMSYNC_TEST_SERVERS=required. When the servers are
// required, or CI is set, a missing server fails the test; otherwise (a plain `go test` on
// a developer's machine) the test is skipped with a hint to run scripts/test.
package testserver

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

// Server is a running DAV server for tests.
type Server struct {
	Name            string // "radicale", "xandikos", or davtest.Name for the in-process server
	URL             string // base URL, ending in "/"
	User, Password  string // Basic credentials; Xandikos ignores them
	CalendarHome    string // URL of the calendar home set
	AddressBookHome string // URL of the address book home set
}

// required reports whether a missing server is a failure rather than a skip.
func required() bool {
	return os.Getenv("PIMSYNC_TEST_SERVERS") == "required" || os.Getenv("CI") != ""
}

func missing(t testing.TB, name, env string) {
	t.Helper()
	msg := fmt.Sprintf("%s is not running: %s is not set (scripts/test starts the servers and sets it)", name, env)
	if required() {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// Radicale returns the Radicale server; the user's principal is also both home sets.
func Radicale(t testing.TB) Server {
	t.Helper()
	u := os.Getenv("PIMSYNC_TEST_RADICALE_URL")
	if u == "" {
		missing(t, "Radicale", "PIMSYNC_TEST_RADICALE_URL")
	}
	u = strings.TrimSuffix(u, "/") + "/"
	user := os.Getenv("PIMSYNC_TEST_RADICALE_USER")
	home := u + user + "/"
	return Server{Name: "radicale", URL: u, User: user, Password: os.Getenv("PIMSYNC_TEST_RADICALE_PASSWORD"),
		CalendarHome: home, AddressBookHome: home}
}

// Xandikos returns the Xandikos server, started with its default principal /user/.
func Xandikos(t testing.TB) Server {
	t.Helper()
	u := os.Getenv("PIMSYNC_TEST_XANDIKOS_URL")
	if u == "" {
		missing(t, "Xandikos", "PIMSYNC_TEST_XANDIKOS_URL")
	}
	u = strings.TrimSuffix(u, "/") + "/"
	return Server{Name: "xandikos", URL: u, CalendarHome: u + "user/calendars/", AddressBookHome: u + "user/contacts/"}
}

// All returns every real server, for tests that run against each.
func All(t testing.TB) []Server {
	t.Helper()
	return []Server{Radicale(t), Xandikos(t)}
}

// client is shared by the helpers; tests that need other behaviour use their own.
var client = &http.Client{Timeout: 30 * time.Second}

// Do sends one request with the server's credentials and returns the status, the
// headers and the body. Transport errors fail the test.
func (s Server) Do(t testing.TB, method, url string, body []byte, header map[string]string) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if s.User != "" {
		req.SetBasicAuth(s.User, s.Password)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s on %s: %v", method, url, s.Name, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s on %s: reading the response: %v", method, url, s.Name, err)
	}
	return resp.StatusCode, resp.Header, data
}

// NewCalendar creates an empty calendar collection with a unique name and returns its
// URL; the test's cleanup deletes it.
func (s Server) NewCalendar(t testing.TB) string {
	t.Helper()
	url := s.CalendarHome + uniqueName("cal") + "/"
	body := `<?xml version="1.0" encoding="utf-8"?>
<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:set><D:prop><D:displayname>test calendar</D:displayname></D:prop></D:set>
</C:mkcalendar>`
	s.create(t, "MKCALENDAR", url, body)
	return url
}

// NewAddressBook creates an empty address book with a unique name (extended MKCOL,
// RFC 5689) and returns its URL; the test's cleanup deletes it.
func (s Server) NewAddressBook(t testing.TB) string {
	t.Helper()
	url := s.AddressBookHome + uniqueName("book") + "/"
	body := `<?xml version="1.0" encoding="utf-8"?>
<D:mkcol xmlns:D="DAV:" xmlns:CR="urn:ietf:params:xml:ns:carddav">
  <D:set><D:prop>
    <D:resourcetype><D:collection/><CR:addressbook/></D:resourcetype>
    <D:displayname>test address book</D:displayname>
  </D:prop></D:set>
</D:mkcol>`
	s.create(t, "MKCOL", url, body)
	return url
}

func (s Server) create(t testing.TB, method, url, body string) {
	t.Helper()
	code, _, resp := s.Do(t, method, url, []byte(body), map[string]string{"Content-Type": "application/xml; charset=utf-8"})
	if code != http.StatusCreated {
		t.Fatalf("%s %s on %s: status %d: %s", method, url, s.Name, code, resp)
	}
	t.Cleanup(func() {
		if code, _, resp := s.Do(t, http.MethodDelete, url, nil, nil); code >= 300 {
			t.Errorf("cleanup: DELETE %s on %s: status %d: %s", url, s.Name, code, resp)
		}
	})
}

// uniqueName returns prefix plus a random suffix, so that tests never share collections.
func uniqueName(prefix string) string {
	var b [6]byte
	rand.Read(b[:])
	return prefix + "-" + hex.EncodeToString(b[:])
}
