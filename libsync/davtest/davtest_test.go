package davtest

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/emersion/go-webdav"
	"github.com/emersion/go-webdav/caldav"
	"github.com/emersion/go-webdav/carddav"

	"github.com/pimsync-go/libsync/dav"
	"github.com/pimsync-go/libsync/storage"
	"github.com/pimsync-go/libsync/testserver"
)

const event = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//davtest//EN\r\nBEGIN:VEVENT\r\nUID:e1\r\n" +
	"SUMMARY:one\r\nDTSTART:20260101T100000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"

const calendarType = "text/calendar; charset=utf-8"

// bare starts go-webdav's handlers over the store without the shims.
func bare(t *testing.T) testserver.Server {
	srv := httptest.NewServer(newHandler(newStore(), false))
	t.Cleanup(srv.Close)
	return testserver.Server{Name: "bare go-webdav", URL: srv.URL + "/",
		CalendarHome: srv.URL + calendarHome, AddressBookHome: srv.URL + addressBookHome}
}

func expect(t *testing.T, what string, code, want int, body []byte) {
	t.Helper()
	if code != want {
		t.Errorf("%s: status %d, want %d: %s", what, code, want, body)
	}
}

// TestGaps records what go-webdav's own server cannot do, which gaps.go fills in. A
// failure here after an upgrade means go-webdav changed: drop the shim it names.
func TestGaps(t *testing.T) {
	s := bare(t)
	cal := s.CalendarHome + "work/"
	code, _, body := s.Do(t, "MKCALENDAR", cal, nil, nil)
	expect(t, "MKCALENDAR (shim: makeCalendar)", code, http.StatusMethodNotAllowed, body)

	code, _, body = s.Do(t, "MKCOL", cal, []byte(`<mkcol xmlns="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><set><prop>`+
		`<resourcetype><collection/><C:calendar/></resourcetype></prop></set></mkcol>`), map[string]string{"Content-Type": "application/xml"})
	expect(t, "extended MKCOL of a calendar", code, http.StatusCreated, body)
	patch := []byte(`<propertyupdate xmlns="DAV:"><set><prop><displayname>x</displayname></prop></set></propertyupdate>`)
	xmlType := map[string]string{"Content-Type": "application/xml"}
	code, _, body = s.Do(t, "PROPPATCH", cal, patch, xmlType)
	expect(t, "PROPPATCH of a calendar (shim: proppatch)", code, http.StatusNotImplemented, body)

	book := s.AddressBookHome + "people/"
	code, _, body = s.Do(t, "MKCOL", book, nil, nil)
	expect(t, "MKCOL of an address book", code, http.StatusCreated, body)
	code, _, body = s.Do(t, "PROPPATCH", book, patch, xmlType)
	if code != http.StatusMultiStatus || !strings.Contains(string(body), " 405 ") {
		t.Errorf("PROPPATCH of an address book (shim: proppatch): status %d, want 207 with 405 inside: %s", code, body)
	}

	item := cal + "e1.ics"
	code, _, body = s.Do(t, http.MethodPut, item, []byte(event), map[string]string{"Content-Type": calendarType})
	expect(t, "PUT", code, http.StatusCreated, body)
	code, _, body = s.Do(t, http.MethodDelete, item, nil, map[string]string{"If-Match": `"wrong"`})
	expect(t, "DELETE with a wrong If-Match (shim: DELETE conditions)", code, http.StatusNoContent, body)
}

// TestQuirks records what go-webdav's server does differently from Radicale and
// Xandikos and is left as it is, since clients must cope with it.
func TestQuirks(t *testing.T) {
	s := New(t)
	cal := s.NewCalendar(t)
	item := cal + "e1.ics"
	code, h, body := s.Do(t, http.MethodPut, item, []byte(event), map[string]string{"Content-Type": calendarType, "If-None-Match": "*"})
	expect(t, "PUT", code, http.StatusCreated, body)
	etag := h.Get("ETag")

	// Items come back as go-ical encodes them: properties sorted, and the DTSTAMP the
	// backend added (go-ical cannot encode an event without one).
	code, h, body = s.Do(t, http.MethodGet, item, nil, nil)
	if code != http.StatusOK || h.Get("ETag") != etag || string(body) == event ||
		!strings.Contains(string(body), "DTSTAMP:") || strings.Index(string(body), "DTSTART") > strings.Index(string(body), "SUMMARY") {
		t.Errorf("GET: %d, etag %s (PUT gave %s): %q", code, h.Get("ETag"), etag, body)
	}

	// Nothing to tell a changed collection cheaply: no getctag, no sync-token (404
	// propstats), and no sync-collection REPORT.
	code, _, body = s.Do(t, "PROPFIND", cal, []byte(`<propfind xmlns="DAV:" xmlns:CS="http://calendarserver.org/ns/"><prop>`+
		`<CS:getctag/><sync-token/></prop></propfind>`), map[string]string{"Content-Type": "application/xml", "Depth": "0"})
	if code != http.StatusMultiStatus || !strings.Contains(string(body), " 404 ") || strings.Contains(string(body), " 200 ") {
		t.Errorf("PROPFIND getctag and sync-token: %d: %s", code, body)
	}
	code, _, body = s.Do(t, "REPORT", cal, []byte(`<sync-collection xmlns="DAV:"><sync-token/><sync-level>1</sync-level>`+
		`<prop><getetag/></prop></sync-collection>`), map[string]string{"Content-Type": "application/xml"})
	expect(t, "sync-collection REPORT", code, http.StatusBadRequest, body)

	// go-ical panics on some malformed parameters before the backend sees the item;
	// the router turns the panic into a 500 rather than a dropped connection.
	bad := strings.Replace(event, "SUMMARY:one", `X-FOO;A="b"c:val`, 1)
	code, _, body = s.Do(t, http.MethodPut, cal+"bad.ics", []byte(bad), map[string]string{"Content-Type": calendarType})
	expect(t, "PUT of an item go-ical panics on", code, http.StatusInternalServerError, body)
}

// TestShims checks the shims and the discovery other clients use, through go-webdav's
// own client.
func TestShims(t *testing.T) {
	ctx := context.Background()
	s := New(t)
	cal := s.NewCalendar(t) // MKCALENDAR with a displayname
	cc, err := caldav.NewClient(nil, s.URL)
	if err != nil {
		t.Fatal(err)
	}
	p, err := cc.FindCurrentUserPrincipal(ctx)
	if err != nil || p != principal {
		t.Fatalf("principal %q, %v", p, err)
	}
	home, err := cc.FindCalendarHomeSet(ctx, p)
	if err != nil || home != calendarHome {
		t.Fatalf("calendar home set %q, %v", home, err)
	}
	cals, err := cc.FindCalendars(ctx, home)
	if err != nil || len(cals) != 1 || cals[0].Name != "test calendar" || s.URL+strings.TrimPrefix(cals[0].Path, "/") != cal {
		t.Errorf("calendars %+v, %v; want %s named by MKCALENDAR", cals, err, cal)
	}
	cd, err := carddav.NewClient(webdav.HTTPClient(nil), s.URL)
	if err != nil {
		t.Fatal(err)
	}
	if home, err := cd.FindAddressBookHomeSet(ctx, p); err != nil || home != addressBookHome {
		t.Errorf("address book home set %q, %v", home, err)
	}

	xmlType := map[string]string{"Content-Type": "application/xml"}
	code, _, body := s.Do(t, "PROPPATCH", cal, []byte(`<propertyupdate xmlns="DAV:" xmlns:A="http://apple.com/ns/ical/">`+
		`<set><prop><displayname>new</displayname><A:calendar-color>#FF0000</A:calendar-color></prop></set></propertyupdate>`), xmlType)
	if code != http.StatusMultiStatus || !strings.Contains(string(body), " 403 ") || !strings.Contains(string(body), " 424 ") {
		t.Errorf("PROPPATCH with a property go-webdav cannot list: %d: %s", code, body)
	}
	if cals, _ := cc.FindCalendars(ctx, home); len(cals) != 1 || cals[0].Name != "test calendar" {
		t.Errorf("a refused PROPPATCH changed the calendar: %+v", cals)
	}

	item := cal + "e1.ics"
	code, h, body := s.Do(t, http.MethodPut, item, []byte(event), map[string]string{"Content-Type": calendarType, "If-None-Match": "*"})
	expect(t, "PUT", code, http.StatusCreated, body)
	code, _, body = s.Do(t, http.MethodPut, item, []byte(event), map[string]string{"Content-Type": calendarType, "If-None-Match": "*"})
	expect(t, "PUT If-None-Match: * over an item", code, http.StatusPreconditionFailed, body)
	code, _, body = s.Do(t, http.MethodPut, cal+"other.ics", []byte(event), map[string]string{"Content-Type": calendarType})
	expect(t, "PUT of a second item with the same UID", code, http.StatusConflict, body)
	code, _, body = s.Do(t, http.MethodDelete, item, nil, map[string]string{"If-Match": `"wrong"`})
	expect(t, "DELETE with a wrong If-Match", code, http.StatusPreconditionFailed, body)
	code, _, body = s.Do(t, http.MethodDelete, item, nil, map[string]string{"If-Match": h.Get("ETag")})
	expect(t, "DELETE with the right If-Match", code, http.StatusNoContent, body)
}

// TestBareClient: our client copes with go-webdav's server as it is, without the shims:
// it makes calendars with extended MKCOL when MKCALENDAR is refused, and a PROPPATCH the
// server refuses outright is ErrUnsupported, which the sync skips, not an error.
func TestBareClient(t *testing.T) {
	ctx := context.Background()
	s := bare(t)
	c := &dav.Client{}
	for _, tt := range []struct {
		kind dav.Kind
		home string
	}{{dav.Calendars, s.CalendarHome}, {dav.AddressBooks, s.AddressBookHome}} {
		col := tt.home + "bare/"
		if err := c.MakeCollection(ctx, tt.kind, col); err != nil {
			t.Fatalf("MakeCollection in %s: %v", tt.home, err)
		}
		cols, err := c.Collections(ctx, tt.kind, tt.home)
		if err != nil || len(cols) != 1 || !strings.HasSuffix(cols[0].Href, "/bare/") {
			t.Errorf("Collections of %s = %+v, %v", tt.home, cols, err)
		}
		if err := c.SetProp(ctx, tt.kind, col, "displayname", "Bare"); !errors.Is(err, storage.ErrUnsupported) {
			t.Errorf("SetProp on %s: %v, want ErrUnsupported", col, err)
		}
	}
}
