package discover

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
)

// fakeDAV is a small CalDAV and CardDAV server with the layout of a real one: a
// context path that names the principal, the principal that names both home sets, and
// collections with every property discovery reads. It records each request, so that
// tests can see that redirects kept PROPFIND.
type fakeDAV struct {
	fakeConfig

	mu   sync.Mutex
	seen []string
}

// fakeConfig says how a fakeDAV answers.
type fakeConfig struct {
	// wellKnown is the status of /.well-known/*, a redirect to /dav/; 0 is 404.
	wellKnown int
	// rootPrincipal makes "/" name the principal too.
	rootPrincipal bool
	// noCardDAV leaves the address book home set out of the principal.
	noCardDAV bool
	// user and password, when set, are required (Basic).
	user, password string
}

const (
	fakeContext   = "/dav/"
	fakePrincipal = "/dav/principals/alice/"
	fakeCalHome   = "/dav/calendars/alice/"
	fakeCardHome  = "/dav/addressbooks/alice/"
)

func (f *fakeDAV) requests() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.seen...)
}

func (f *fakeDAV) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.seen = append(f.seen, r.Method+" "+r.URL.Path)
	f.mu.Unlock()
	if f.user != "" {
		if u, p, ok := r.BasicAuth(); !ok || u != f.user || p != f.password {
			w.Header().Set("WWW-Authenticate", `Basic realm="fake"`)
			http.Error(w, "who are you?", http.StatusUnauthorized)
			return
		}
	}
	if strings.HasPrefix(r.URL.Path, "/.well-known/") && f.wellKnown != 0 {
		w.Header().Set("Location", fakeContext)
		w.WriteHeader(f.wellKnown)
		return
	}
	if r.Method != "PROPFIND" {
		http.Error(w, "PROPFIND only", http.StatusMethodNotAllowed)
		return
	}
	depth1 := r.Header.Get("Depth") == "1"
	var body string
	switch p := r.URL.Path; {
	case p == fakeContext || p == "/" && f.rootPrincipal:
		body = response(p, `<D:resourcetype><D:collection/></D:resourcetype>`+principalProp)
	case p == fakePrincipal:
		homes := `<C:calendar-home-set><D:href>` + fakeCalHome + `</D:href></C:calendar-home-set>`
		if !f.noCardDAV {
			homes += `<CR:addressbook-home-set><D:href>` + fakeCardHome + `</D:href></CR:addressbook-home-set>`
		}
		body = response(p, principalProp+homes)
	case p == fakeCalHome:
		body = response(p, `<D:resourcetype><D:collection/></D:resourcetype>`)
		if depth1 {
			body += response(fakeCalHome+"work/", `<D:resourcetype><D:collection/><C:calendar/></D:resourcetype>`+
				`<D:displayname>Work</D:displayname><A:calendar-color>#FF0000</A:calendar-color>`+
				`<C:calendar-description>at the office</C:calendar-description>`+
				`<C:supported-calendar-component-set><C:comp name="VEVENT"/><C:comp name="vtodo"/></C:supported-calendar-component-set>`+
				`<CS:getctag>"c1"</CS:getctag><D:sync-token>http://fake/sync/1</D:sync-token>`) +
				response(fakeCalHome+"t%C3%A2ches/", `<D:resourcetype><D:collection/><C:calendar/></D:resourcetype>`+
					`<C:supported-calendar-component-set><C:comp name="VTODO"/></C:supported-calendar-component-set>`) +
				response(fakeCalHome+"inbox/", `<D:resourcetype><D:collection/><C:schedule-inbox/></D:resourcetype>`)
		}
	case p == fakeCardHome:
		body = response(p, `<D:resourcetype><D:collection/></D:resourcetype>`)
		if depth1 {
			body += response(fakeCardHome+"contacts/", `<D:resourcetype><D:collection/><CR:addressbook/></D:resourcetype>`+
				`<D:displayname>Contacts</D:displayname><CR:addressbook-description>people</CR:addressbook-description>`+
				`<D:sync-token>http://fake/sync/2</D:sync-token>`)
		}
	default:
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	w.WriteHeader(http.StatusMultiStatus)
	fmt.Fprintf(w, `<?xml version="1.0" encoding="utf-8"?><D:multistatus xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"`+
		` xmlns:CR="urn:ietf:params:xml:ns:carddav" xmlns:A="http://apple.com/ns/ical/" xmlns:CS="http://calendarserver.org/ns/">%s</D:multistatus>`, body)
}

const principalProp = `<D:current-user-principal><D:href>` + fakePrincipal + `</D:href></D:current-user-principal>`

func response(href, props string) string {
	return `<D:response><D:href>` + href + `</D:href><D:propstat><D:prop>` + props +
		`</D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>`
}

// fakeCalendars and fakeAddressBooks are what discovery reports of fakeDAV at base.
func fakeCalendars(base string) []Collection {
	return []Collection{
		{Href: base + fakeCalHome + "t%C3%A2ches/", ID: "tâches", Components: []string{"VTODO"}},
		{Href: base + fakeCalHome + "work/", ID: "work", DisplayName: "Work", Color: "#FF0000",
			Description: "at the office", Components: []string{"VEVENT", "VTODO"}, CTag: true, SyncToken: true},
	}
}

func fakeAddressBooks(base string) []Collection {
	return []Collection{{Href: base + fakeCardHome + "contacts/", ID: "contacts", DisplayName: "Contacts",
		Description: "people", Components: []string{}, SyncToken: true}}
}
