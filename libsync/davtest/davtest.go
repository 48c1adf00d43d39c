// Package davtest provides in-process DAV servers for tests: go-webdav's CalDAV and
// CardDAV handlers over an in-memory backend, started with httptest. It is the third
// kind of server the DAV code is tested against, next to the real Radicale and Xandikos
// (package testserver): servers built on go-webdav answer differently, and this one
// needs nothing installed, so its tests never skip.
//
// What clients see is go-webdav's behaviour, quirks included: items come back as go-ical
// and go-vcard re-encode them (never the bytes sent; compare with item.Hash), there is
// no getctag, sync-token or sync-collection REPORT, and collection properties are only
// the display name and the description. Where go-webdav's server lacks something no
// backend can add (MKCALENDAR, PROPPATCH, If-Match on DELETE), a thin shim fills the gap;
// gaps.go lists them.
package davtest

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/emersion/go-webdav"
	"github.com/emersion/go-webdav/caldav"
	"github.com/emersion/go-webdav/carddav"

	"github.com/pimsync-go/libsync/testserver"
)

// The server's fixed layout. go-webdav tells resources apart by path depth alone
// (principal, home set, collection, item), so both homes sit at depth two, as in
// Xandikos.
const (
	principal       = "/user/"
	calendarHome    = "/user/calendars/"
	addressBookHome = "/user/contacts/"
)

// Name is the Server.Name of the in-process server, for messages and test names.
const Name = "go-webdav"

// New starts an in-process CalDAV and CardDAV server with empty home sets, stopped when
// the test ends. It is a testserver.Server, so tests written for the real servers
// (and testserver's helpers) run against it unchanged. It takes no credentials.
func New(t testing.TB) testserver.Server {
	t.Helper()
	srv := httptest.NewServer(newHandler(newStore(), true))
	t.Cleanup(srv.Close)
	return testserver.Server{Name: Name, URL: srv.URL + "/",
		CalendarHome: srv.URL + calendarHome, AddressBookHome: srv.URL + addressBookHome}
}

// router sends each request to the handler go-webdav has for its path.
type router struct {
	cal, card http.Handler
	homeSets  []webdav.BackendSuppliedHomeSet
}

// newHandler returns the server's handler over st; without shims it is go-webdav's
// handlers alone, which TestGaps uses to see go-webdav's own answers.
func newHandler(st *store, shims bool) http.Handler {
	var cal, card http.Handler = &caldav.Handler{Backend: calBackend{st}}, &carddav.Handler{Backend: cardBackend{st}}
	if shims {
		cal = shim{next: cal, st: st, home: calendarHome, desc: xml.Name{Space: nsCalDAV, Local: "calendar-description"}, mkcalendar: true}
		card = shim{next: card, st: st, home: addressBookHome, desc: xml.Name{Space: nsCardDAV, Local: "addressbook-description"}}
	}
	return router{cal: cal, card: card, homeSets: []webdav.BackendSuppliedHomeSet{
		caldav.NewCalendarHomeSet(calendarHome), carddav.NewAddressBookHomeSet(addressBookHome)}}
}

func (rt router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer func() {
		// go-ical's decoder panics on some malformed items; net/http would drop the
		// connection, which a client cannot tell from a network failure.
		if v := recover(); v != nil {
			http.Error(w, fmt.Sprintf("panic: %v", v), http.StatusInternalServerError)
		}
	}()
	p := r.URL.Path
	switch {
	case strings.HasPrefix(p, calendarHome), p == "/.well-known/caldav":
		rt.cal.ServeHTTP(w, r)
	case strings.HasPrefix(p, addressBookHome), p == "/.well-known/carddav":
		rt.card.ServeHTTP(w, r)
	case p == principal:
		// Each of go-webdav's handlers names only its own home set on the principal;
		// ServePrincipal names both, as a server with one principal does.
		webdav.ServePrincipal(w, r, &webdav.ServePrincipalOptions{CurrentUserPrincipalPath: principal,
			HomeSets: rt.homeSets, Capabilities: []webdav.Capability{"calendar-access", "addressbook"}})
	case p == "/":
		// The root names the principal (current-user-principal) and no home set, so
		// discovery from the root takes the same hop as with Xandikos.
		rt.cal.ServeHTTP(w, r)
	default:
		http.NotFound(w, r)
	}
}
