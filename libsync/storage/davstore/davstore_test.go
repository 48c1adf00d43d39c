package davstore

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/pimsync-go/libsync/dav"
	"github.com/pimsync-go/libsync/davtest"
	"github.com/pimsync-go/libsync/storage"
	"github.com/pimsync-go/libsync/storage/storagetest"
	"github.com/pimsync-go/libsync/testserver"
)

// TestContract runs the storage contract against real Radicale and Xandikos, with
// calendars and with address books, each found from the server's root URL.
func TestContract(t *testing.T) {
	for _, srv := range testserver.All(t) {
		contract(t, srv)
	}
}

// TestContractGoWebdav runs the storage contract against go-webdav's server (in
// process, so it never skips). The contract holds unchanged: it compares items by
// item.Hash, which go-ical's and go-vcard's re-encoding keeps. What go-webdav's server
// cannot do at all is filled in by davtest's shims, which TestGaps there documents:
// MKCALENDAR (davstore creates calendars with it), PROPPATCH on collections, and
// If-Match on DELETE.
func TestContractGoWebdav(t *testing.T) {
	contract(t, davtest.New(t))
}

// contract runs the storage contract on srv, with calendars and with address books,
// each found from the server's root URL.
func contract(t *testing.T, srv testserver.Server) {
	for _, k := range []struct {
		name string
		kind dav.Kind
		home string
		item func(uid, text string) []byte
	}{
		{"calendars", dav.Calendars, srv.CalendarHome, storagetest.Item},
		{"addressbooks", dav.AddressBooks, srv.AddressBookHome, storagetest.Card},
	} {
		t.Run(srv.Name+"/"+k.name, func(t *testing.T) {
			storagetest.RunWith(t, func(t *testing.T) storage.Storage {
				c := &dav.Client{User: srv.User, Password: srv.Password}
				s, err := Open(context.Background(), c, k.kind, srv.URL)
				if err != nil {
					t.Fatal(err)
				}
				if want := strings.TrimSuffix(k.home, "/"); !strings.HasPrefix(s.String(), want) {
					t.Fatalf("home set found from %s: %s, want %s", srv.URL, s, k.home)
				}
				return s
			}, k.item)
		})
	}
}

// countingTransport counts PROPFIND requests by Depth.
type countingTransport struct{ depth0 int }

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method == "PROPFIND" && r.Header.Get("Depth") == "0" {
		c.depth0++
	}
	return http.DefaultTransport.RoundTrip(r)
}

// TestPropsFromListing: the properties the home-set listing brought serve the next
// Props of each collection, so a sync does not ask for them again.
func TestPropsFromListing(t *testing.T) {
	ctx := context.Background()
	srv := testserver.Radicale(t)
	ct := &countingTransport{}
	c := &dav.Client{HTTP: &http.Client{Transport: ct}, User: srv.User, Password: srv.Password}
	s, err := Open(ctx, c, dav.Calendars, srv.CalendarHome)
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.CreateCollection(ctx, "props-listing-"+strings.ReplaceAll(t.Name(), "/", "-"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.DeleteCollection(ctx, info.Href)
	col, _ := s.Collection(ctx, info.Href)
	if err := col.SetProp(ctx, storage.DisplayName, "Listed"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Collections(ctx); err != nil {
		t.Fatal(err)
	}
	before := ct.depth0
	props, err := col.Props(ctx)
	if err != nil || props[storage.DisplayName] != "Listed" || ct.depth0 != before {
		t.Errorf("Props after a listing = %v, %v, with %d PROPFINDs", props, err, ct.depth0-before)
	}
	if _, err := col.Props(ctx); err != nil || ct.depth0 != before+1 {
		t.Errorf("a second Props made %d PROPFINDs, want 1 (the listing's copy is used once)", ct.depth0-before)
	}
}
