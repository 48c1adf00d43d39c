package davstore

import (
	"context"
	"fmt"
	"path"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/pimsync-go/libsync/dav"
	"github.com/pimsync-go/libsync/storage"
	"github.com/pimsync-go/libsync/testserver"
)

// TestListFiltered: against Radicale and Xandikos, a filtered listing splits the
// calendar into the items the filter selects and the rest, and loses none.
func TestListFiltered(t *testing.T) {
	ctx := context.Background()
	item := func(comp, uid, start string) []byte {
		return []byte(fmt.Sprintf("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//filter test//EN\r\nBEGIN:%s\r\nUID:%s\r\n"+
			"DTSTAMP:20260101T000000Z\r\nDTSTART:%s\r\nSUMMARY:x\r\nEND:%s\r\nEND:VCALENDAR\r\n", comp, uid, start, comp))
	}
	jan := dav.Filter{Components: []string{"VEVENT"},
		Start: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)}
	for _, srv := range testserver.All(t) {
		t.Run(srv.Name, func(t *testing.T) {
			c := &dav.Client{User: srv.User, Password: srv.Password}
			s, err := Open(ctx, c, dav.Calendars, srv.URL)
			if err != nil {
				t.Fatal(err)
			}
			info, err := s.CreateCollection(ctx, fmt.Sprintf("filter-%d", time.Now().UnixNano()))
			if err != nil {
				t.Fatal(err)
			}
			defer s.DeleteCollection(ctx, info.Href)
			col, err := s.Collection(ctx, info.Href)
			if err != nil {
				t.Fatal(err)
			}
			for _, it := range []struct{ comp, uid, start string }{
				{"VEVENT", "in", "20260110T100000Z"},
				{"VEVENT", "before", "20250110T100000Z"},
				{"VEVENT", "after", "20260210T100000Z"},
				{"VTODO", "todo", "20260110T100000Z"},
			} {
				if _, _, err := col.Create(ctx, it.uid, item(it.comp, it.uid, it.start)); err != nil {
					t.Fatal(err)
				}
			}
			fl, err := col.(*Collection).ListFiltered(ctx, jan)
			if err != nil {
				t.Fatal(err)
			}
			names := func(es []storage.Entry) []string {
				var out []string
				for _, e := range es {
					if e.Etag == "" {
						t.Errorf("%s has no etag", e.Href)
					}
					out = append(out, strings.TrimSuffix(path.Base(e.Href), ".ics"))
				}
				sort.Strings(out)
				return out
			}
			if got := names(fl.Items); !reflect.DeepEqual(got, []string{"in"}) {
				t.Errorf("selected %q, want [in]", got)
			}
			if got := names(fl.Outside); !reflect.DeepEqual(got, []string{"after", "before", "todo"}) {
				t.Errorf("outside %q, want [after before todo]", got)
			}

			// The same through a storage with a filter: its calendars have no version
			// (they are listed every time) and no changes since a token.
			if err := s.SetFilter(func() dav.Filter { return jan }); err != nil {
				t.Fatal(err)
			}
			cols, err := s.Collections(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, ci := range cols {
				if ci.Version != "" || ci.SyncToken != "" {
					t.Errorf("filtered %s has version %q, token %q", ci.Href, ci.Version, ci.SyncToken)
				}
			}
			fcol, err := s.Collection(ctx, info.Href)
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := fcol.(storage.ChangeLister); ok {
				t.Error("a filtered calendar offers changes since a token")
			}
			l, err := fcol.List(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if got := names(l.Items); !reflect.DeepEqual(got, []string{"in"}) {
				t.Errorf("filtered List selected %q, want [in]", got)
			}
			if got := names(l.Outside); len(got) != 3 {
				t.Errorf("filtered List left out %q", got)
			}
		})
	}
}
