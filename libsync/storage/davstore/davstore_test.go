package davstore

import (
	"context"
	"testing"

	"github.com/pimsync-go/libsync/dav"
	"github.com/pimsync-go/libsync/storage"
	"github.com/pimsync-go/libsync/storage/storagetest"
	"github.com/pimsync-go/libsync/testserver"
)

// TestContract runs the storage contract against real Radicale and Xandikos, for
// calendars; address books share all but the content type and MKCOL, which
// TestAddressBooks covers.
func TestContract(t *testing.T) {
	for _, srv := range testserver.All(t) {
		t.Run(srv.Name, func(t *testing.T) {
			storagetest.Run(t, func(t *testing.T) storage.Storage {
				c := &dav.Client{User: srv.User, Password: srv.Password}
				s, err := Open(context.Background(), c, dav.Calendars, srv.CalendarHome)
				if err != nil {
					t.Fatal(err)
				}
				return s
			})
		})
	}
}
