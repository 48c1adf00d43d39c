package dav

import (
	"context"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
)

// discoveryServer answers PROPFIND at each path with the props given for it, and
// redirects /.well-known/caldav to /ctx/ with a 301; it records the requests.
func discoveryServer(t *testing.T, props map[string]string) (base string, requests func() []string) {
	var mu sync.Mutex
	var seen []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Method+" "+r.URL.Path)
		mu.Unlock()
		if r.URL.Path == "/.well-known/caldav" {
			http.Redirect(w, r, "/ctx/", http.StatusMovedPermanently)
			return
		}
		body, found := props[r.URL.Path]
		if !found || r.Method != "PROPFIND" {
			http.NotFound(w, r)
			return
		}
		w.WriteHeader(http.StatusMultiStatus)
		w.Write([]byte(`<?xml version="1.0"?><D:multistatus xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav" xmlns:CS="http://calendarserver.org/ns/">` +
			body + `</D:multistatus>`))
	}))
	t.Cleanup(srv.Close)
	return srv.URL, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), seen...)
	}
}

func propResponse(href, props string) string {
	return `<D:response><D:href>` + href + `</D:href><D:propstat><D:prop>` + props + `</D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>`
}

func TestFindHome(t *testing.T) {
	const cup = `<D:current-user-principal><D:href>/p/</D:href></D:current-user-principal>`
	const home = `<C:calendar-home-set><D:href>/home/</D:href></C:calendar-home-set>`
	for _, tc := range []struct {
		name      string
		props     map[string]string
		from      string
		principal string // paths; "" for none
		homeSet   string
		requests  []string
	}{
		{"through a 301 to the context, then the principal", map[string]string{"/ctx/": propResponse("/ctx/", cup), "/p/": propResponse("/p/", cup+home)},
			"/.well-known/caldav", "/p/", "/home/", []string{"PROPFIND /.well-known/caldav", "PROPFIND /ctx/", "PROPFIND /p/"}},
		{"the context names the home set", map[string]string{"/ctx/": propResponse("/ctx/", cup+home)},
			"/ctx/", "/p/", "/home/", []string{"PROPFIND /ctx/"}},
		{"a principal without a home set", map[string]string{"/ctx/": propResponse("/ctx/", cup), "/p/": propResponse("/p/", cup)},
			"/ctx/", "/p/", "", []string{"PROPFIND /ctx/", "PROPFIND /p/"}},
		{"no principal", map[string]string{"/ctx/": propResponse("/ctx/", `<D:resourcetype><D:collection/></D:resourcetype>`)},
			"/ctx/", "", "", []string{"PROPFIND /ctx/"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			base, requests := discoveryServer(t, tc.props)
			got, err := (&Client{}).FindHome(context.Background(), Calendars, base+tc.from)
			abs := func(p string) string {
				if p == "" {
					return ""
				}
				return base + p
			}
			want := Home{Answered: strings.Replace(base+tc.from, "/.well-known/caldav", "/ctx/", 1), Principal: abs(tc.principal), HomeSet: abs(tc.homeSet)}
			if err != nil || got != want {
				t.Errorf("FindHome = %+v, %v; want %+v", got, err, want)
			}
			if !reflect.DeepEqual(requests(), tc.requests) {
				t.Errorf("requests %q, want %q", requests(), tc.requests)
			}
		})
	}
}

func TestFindCollections(t *testing.T) {
	cal := `<D:resourcetype><D:collection/><C:calendar/></D:resourcetype>`
	base, _ := discoveryServer(t, map[string]string{"/home/": propResponse("/home/", `<D:resourcetype><D:collection/></D:resourcetype>`) +
		propResponse("/home/a/", cal+`<D:displayname>A</D:displayname><CS:getctag>1</CS:getctag>`+
			`<C:supported-calendar-component-set><C:comp name="VEVENT"/><C:comp name="vtodo"/></C:supported-calendar-component-set>`) +
		`<D:response><D:href>/home/b/</D:href><D:propstat><D:prop>` + cal + `<D:sync-token>t</D:sync-token></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat>` +
		`<D:propstat><D:prop><C:supported-calendar-component-set><C:comp name="VJOURNAL"/></C:supported-calendar-component-set></D:prop>` +
		`<D:status>HTTP/1.1 404 Not Found</D:status></D:propstat></D:response>` +
		propResponse("/elsewhere/c/", cal)})
	got, answered, err := (&Client{}).FindCollections(context.Background(), Calendars, base+"/home/")
	want := []Collection{
		{Href: "/home/a/", Props: map[string]string{"displayname": "A"}, CTag: "1", Components: []string{"VEVENT", "VTODO"}},
		{Href: "/home/b/", Props: map[string]string{}, SyncToken: "t"},
	}
	if err != nil || answered != base+"/home/" || !reflect.DeepEqual(got, want) {
		t.Errorf("FindCollections = %+v, %s, %v; want %+v", got, answered, err, want)
	}
}
