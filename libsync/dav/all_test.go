package dav

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/pimsync-go/libsync/storage"
)

// allAnswer is a server's answer to All's calendar-query: the collection itself, an
// item in CDATA with CRLFs, one escaped as text, one with an error status, one without
// data, a second response for the first item, and one more.
const allAnswer = `<?xml version="1.0" encoding="utf-8"?>
<D:multistatus xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
<D:response><D:href>/cal/</D:href><D:propstat><D:prop><D:resourcetype><D:collection/></D:resourcetype></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>
<D:response><D:href>/cal/a.ics</D:href><D:propstat><D:prop><D:getetag>"a1"</D:getetag><C:calendar-data><![CDATA[BEGIN:VCALENDAR` + "\r\n" + `UID:a` + "\r\n" + `END:VCALENDAR` + "\r\n" + `]]></C:calendar-data></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>
<D:response><D:href>/cal/b%40x.ics</D:href><D:propstat><D:prop><D:getetag>W/"b1"</D:getetag><C:calendar-data>BEGIN:VCALENDAR` + "\r\n" + `UID:b&amp;c` + "\r\n" + `END:VCALENDAR` + "\r\n" + `</C:calendar-data></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>
<D:response><D:href>/cal/broken.ics</D:href><D:status>HTTP/1.1 500 Internal Server Error</D:status></D:response>
<D:response><D:href>/cal/nodata.ics</D:href><D:propstat><D:prop><D:getetag>"n"</D:getetag></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat><D:propstat><D:prop><C:calendar-data/></D:prop><D:status>HTTP/1.1 404 Not Found</D:status></D:propstat></D:response>
<D:response><D:href>/cal/a.ics</D:href><D:propstat><D:prop><D:getetag>"a2"</D:getetag><C:calendar-data>other</C:calendar-data></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>
<D:response><D:href>/cal/c.ics</D:href><D:propstat><D:prop><D:getetag>"c1"</D:getetag><C:calendar-data>BEGIN:VCALENDAR` + "\n" + `END:VCALENDAR` + "\n" + `</C:calendar-data></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>
</D:multistatus>`

// allServer answers REPORTs with answer (status 207), after checking All's request,
// and records the bodies it was sent.
func allServer(t *testing.T, status int, answer string) (*httptest.Server, *[]string) {
	var bodies []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		bodies = append(bodies, string(b))
		if r.Method != "REPORT" || r.Header.Get("Depth") != "1" {
			t.Errorf("%s with Depth %q, want a Depth 1 REPORT", r.Method, r.Header.Get("Depth"))
		}
		w.WriteHeader(status)
		io.WriteString(w, answer)
	}))
	t.Cleanup(srv.Close)
	return srv, &bodies
}

// all runs All and returns what fn was given, by href.
func all(t *testing.T, c *Client, kind Kind, url string) (map[string]Fetched, []string, error) {
	got := map[string]Fetched{}
	var order []string
	err := c.All(context.Background(), kind, url, func(f Fetched) error {
		if _, dup := got[f.Href]; dup {
			t.Errorf("All gave %s twice", f.Href)
		}
		got[f.Href] = f
		order = append(order, f.Href)
		return nil
	})
	return got, order, err
}

// TestAll: All hands over each item with data once, bytes and etag exactly as sent
// (carriage returns too, in CDATA or not), and leaves out the collection, items with an
// error status and items without data.
func TestAll(t *testing.T) {
	srv, bodies := allServer(t, http.StatusMultiStatus, allAnswer)
	got, order, err := all(t, &Client{}, Calendars, srv.URL+"/cal/")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]Fetched{
		"/cal/a.ics":     {Href: "/cal/a.ics", Etag: `"a1"`, Data: []byte("BEGIN:VCALENDAR\r\nUID:a\r\nEND:VCALENDAR\r\n")},
		"/cal/b%40x.ics": {Href: "/cal/b%40x.ics", Etag: `W/"b1"`, Data: []byte("BEGIN:VCALENDAR\r\nUID:b&c\r\nEND:VCALENDAR\r\n")},
		"/cal/c.ics":     {Href: "/cal/c.ics", Etag: `"c1"`, Data: []byte("BEGIN:VCALENDAR\nEND:VCALENDAR\n")},
	}
	if len(got) != len(want) || strings.Join(order, " ") != "/cal/a.ics /cal/b%40x.ics /cal/c.ics" {
		t.Errorf("All gave %q, want %d items in the answer's order", order, len(want))
	}
	for h, w := range want {
		if g := got[h]; g.Etag != w.Etag || string(g.Data) != string(w.Data) || g.Err != nil {
			t.Errorf("%s = %q %q %v, want %q %q", h, g.Etag, g.Data, g.Err, w.Etag, w.Data)
		}
	}
	if len(*bodies) != 1 || !strings.Contains((*bodies)[0], `<C:calendar-data/>`) ||
		!strings.Contains((*bodies)[0], `<C:filter><C:comp-filter name="VCALENDAR"/></C:filter>`) {
		t.Errorf("request bodies %q, want one calendar-query of every VCALENDAR with its data", *bodies)
	}

	card := strings.NewReplacer("C:calendar-data", "R:address-data", `xmlns:C="urn:ietf:params:xml:ns:caldav"`, `xmlns:R="urn:ietf:params:xml:ns:carddav"`).Replace(allAnswer)
	srv, bodies = allServer(t, http.StatusMultiStatus, card)
	got, _, err = all(t, &Client{}, AddressBooks, srv.URL+"/cal/")
	if err != nil || len(got) != 3 || string(got["/cal/c.ics"].Data) != string(want["/cal/c.ics"].Data) {
		t.Errorf("All of an address book = %v, %v", got, err)
	}
	if len(*bodies) != 1 || !strings.Contains((*bodies)[0], `<CR:address-data/>`) || !strings.Contains((*bodies)[0], `<CR:filter test="allof"/>`) {
		t.Errorf("request bodies %q, want one addressbook-query of every card with its data", *bodies)
	}
}

// TestAllFails: a server that refuses the REPORT fails All with its status, before any
// item; one whose answer goes wrong part way fails it after the items read before; an
// href outside the collection fails it; an answer past MaxResponse is not read on. None
// is sent twice: the caller falls back to multigets.
func TestAllFails(t *testing.T) {
	cut := allAnswer[:strings.Index(allAnswer, "/cal/broken.ics")]
	outside := strings.Replace(allAnswer, "/cal/broken.ics", "/cal/../other/x.ics", 1)
	tests := []struct {
		name   string
		status int
		answer string
		limit  int64
		items  int
		want   string
		is     error
	}{
		{"refused", http.StatusNotImplemented, "no queries here", 0, 0, "501 Not Implemented", nil},
		{"cut short", http.StatusMultiStatus, cut, 0, 2, "invalid multistatus XML", nil},
		{"not XML", http.StatusMultiStatus, "<html>oops", 0, 0, "invalid multistatus XML", nil},
		{"outside", http.StatusMultiStatus, outside, 0, 2, `names "/cal/../other/x.ics", outside the collection`, nil},
		{"too large", http.StatusMultiStatus, allAnswer, int64(len(allAnswer) - 10), 3, "larger than", storage.ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, bodies := allServer(t, tt.status, tt.answer)
			got, _, err := all(t, &Client{MaxResponse: tt.limit}, Calendars, srv.URL+"/cal/")
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), srv.URL+"/cal/") {
				t.Errorf("All = %v, want an error naming the collection and %q", err, tt.want)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("All = %v, want %v", err, tt.is)
			}
			if len(got) != tt.items {
				t.Errorf("All gave %d items before failing, want %d", len(got), tt.items)
			}
			if len(*bodies) != 1 {
				t.Errorf("%d requests, want 1", len(*bodies))
			}
		})
	}

	// fn's error stops the reading and comes back as it is.
	srv, _ := allServer(t, http.StatusMultiStatus, allAnswer)
	stop := errors.New("enough")
	n := 0
	err := (&Client{}).All(context.Background(), Calendars, srv.URL+"/cal/", func(Fetched) error { n++; return stop })
	if err != stop || n != 1 {
		t.Errorf("All after fn failed = %v with %d calls, want fn's error after 1", err, n)
	}
}
