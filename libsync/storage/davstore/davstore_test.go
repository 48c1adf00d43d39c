package davstore

import (
	"context"
	"strings"
	"testing"

	"github.com/pimsync-go/libsync/dav"
	"github.com/pimsync-go/libsync/storage"
	"github.com/pimsync-go/libsync/storage/storagetest"
	"github.com/pimsync-go/libsync/testserver"
)

// TestContract runs the storage contract against real Radicale and Xandikos, with
// calendars and with address books, each found from the server's root URL.
func TestContract(t *testing.T) {
	for _, srv := range testserver.All(t) {
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
}
