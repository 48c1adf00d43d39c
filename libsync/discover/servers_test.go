package discover

import (
	"context"
	"log/slog"
	"net/url"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/pimsync-go/libsync/dav"
	"github.com/pimsync-go/libsync/davtest"
	"github.com/pimsync-go/libsync/testserver"
)

// TestServers: discovery from an email address, through a local DNS server whose SRV
// records lead to a real server on loopback (CalDAV with a TXT path, CardDAV through
// the server's own /.well-known redirect), finds the collections the test creates and
// every other collection of the home sets. go-webdav's server always runs; Radicale and
// Xandikos when scripts/test started them.
func TestServers(t *testing.T) {
	for _, s := range []struct {
		name string
		get  func(testing.TB) testserver.Server
	}{{davtest.Name, davtest.New}, {"radicale", testserver.Radicale}, {"xandikos", testserver.Xandikos}} {
		t.Run(s.name, func(t *testing.T) {
			checkServer(t, s.get(t))
		})
	}
}

// versions says which servers report getctag and sync-token.
var versions = map[string][2]bool{davtest.Name: {false, false}, "radicale": {true, true}, "xandikos": {true, true}}

func checkServer(t *testing.T, server testserver.Server) {
	ctx := context.Background()
	cal, book := server.NewCalendar(t), server.NewAddressBook(t)
	u, err := url.Parse(server.URL)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := strconv.Atoi(u.Port())
	const d = "example.test"
	z := zone{records: map[string][]dns.RR{
		"_caldav._tcp." + d + ".":  {srv("_caldav._tcp."+d, 0, 0, uint16(p), u.Hostname()), txt("_caldav._tcp."+d, "path="+u.Path)},
		"_carddav._tcp." + d + ".": {srv("_carddav._tcp."+d, 0, 0, uint16(p), u.Hostname())},
	}}
	addr, _ := startDNS(t, z)
	// Other packages' tests create and delete collections on the same servers
	// meanwhile: what discovery finds must lie between two listings of the home sets.
	client := &dav.Client{User: server.User, Password: server.Password}
	list := func(kind dav.Kind, home string) map[string]bool {
		all, err := client.Collections(ctx, kind, home)
		if err != nil {
			t.Fatal(err)
		}
		base, _ := url.Parse(home)
		out := map[string]bool{}
		for _, c := range all {
			h, _ := base.Parse(c.Href)
			out[h.String()] = true
		}
		return out
	}
	calsBefore, booksBefore := list(dav.Calendars, server.CalendarHome), list(dav.AddressBooks, server.AddressBookHome)
	found, err := Find(ctx, Options{Input: "tester@" + d, Resolver: &Resolver{Servers: []string{addr}, Timeout: 2 * time.Second},
		User: server.User, Password: server.Password, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	if len(found) != 2 || found[0].Service != CalDAV || found[1].Service != CardDAV {
		t.Fatalf("found %+v, want caldav and carddav", found)
	}
	calsAfter, booksAfter := list(dav.Calendars, server.CalendarHome), list(dav.AddressBooks, server.AddressBookHome)
	for i, want := range []struct {
		home          string
		created       string
		display       string
		context       string
		needComp      string
		before, after map[string]bool
	}{
		{server.CalendarHome, cal, "test calendar", server.URL, "VEVENT", calsBefore, calsAfter},
		{server.AddressBookHome, book, "test address book", "", "", booksBefore, booksAfter},
	} {
		s := found[i]
		if s.HomeSet != want.home || s.FoundBy != "srv" || want.context != "" && s.ContextURL != want.context {
			t.Errorf("%s: context %s, home set %s, found by %s; want home set %s, context %s", s.Service, s.ContextURL, s.HomeSet, s.FoundBy, want.home, want.context)
		}
		got := map[string]bool{}
		for _, c := range s.Collections {
			got[c.Href] = true
			if !want.before[c.Href] && !want.after[c.Href] {
				t.Errorf("%s: found %s, which the home set never listed", s.Service, c.Href)
			}
		}
		for h := range want.before {
			if want.after[h] && !got[h] {
				t.Errorf("%s: %s not found, which the home set lists", s.Service, h)
			}
		}
		var mine *Collection
		for i, c := range s.Collections {
			if c.Href == want.created {
				mine = &s.Collections[i]
			}
		}
		if mine == nil {
			t.Fatalf("%s: %s not found among %+v", s.Service, want.created, s.Collections)
		}
		v := versions[server.Name]
		if mine.DisplayName != want.display || mine.CTag != v[0] || mine.SyncToken != v[1] ||
			want.needComp != "" && !slices.Contains(mine.Components, want.needComp) {
			t.Errorf("%s: %+v; want displayname %q, ctag %v, sync-token %v, components with %q", s.Service, *mine, want.display, v[0], v[1], want.needComp)
		}
	}
}
