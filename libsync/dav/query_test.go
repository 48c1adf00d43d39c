package dav

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"path"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/pimsync-go/libsync/testserver"
)

func TestQueryBody(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.FixedZone("x", 3600))
	end := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		comp string
		f    Filter
		want []string
		not  []string
	}{
		{"VEVENT", Filter{Start: start, End: end},
			[]string{`<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:time-range start="20251231T230000Z" end="20270101T000000Z"/></C:comp-filter></C:comp-filter>`, `<D:getetag/>`},
			[]string{"calendar-data"}},
		{"VTODO", Filter{}, []string{`<C:comp-filter name="VTODO"></C:comp-filter>`}, []string{"time-range"}},
		{"VEVENT", Filter{Start: start}, []string{`<C:time-range start="20251231T230000Z"/>`}, []string{"end="}},
	}
	for _, tt := range tests {
		got := queryBody(tt.comp, tt.f)
		for _, w := range tt.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s %+v: body lacks %s:\n%s", tt.comp, tt.f, w, got)
			}
		}
		for _, w := range tt.not {
			if strings.Contains(got, w) {
				t.Errorf("%s %+v: body has %s:\n%s", tt.comp, tt.f, w, got)
			}
		}
	}
	if _, err := (&Client{}).Query(context.Background(), "http://127.0.0.1:1/c/", Filter{Start: end, End: start}); err == nil {
		t.Error("Query with start after end worked")
	}
}

// queryItems are what TestQueryServers stores: name → item.
var queryItems = map[string]string{
	"ev-in":     "BEGIN:VEVENT\r\nUID:ev-in\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260105T100000Z\r\nDTEND:20260105T110000Z\r\nSUMMARY:in\r\nEND:VEVENT",
	"ev-old":    "BEGIN:VEVENT\r\nUID:ev-old\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20100105T100000Z\r\nDTEND:20100105T110000Z\r\nSUMMARY:old\r\nEND:VEVENT",
	"ev-weekly": "BEGIN:VEVENT\r\nUID:ev-weekly\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20100104T100000Z\r\nDTEND:20100104T110000Z\r\nRRULE:FREQ=WEEKLY;COUNT=1000\r\nSUMMARY:weekly\r\nEND:VEVENT",
	"ev-future": "BEGIN:VEVENT\r\nUID:ev-future\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20400105T100000Z\r\nDTEND:20400105T110000Z\r\nSUMMARY:later\r\nEND:VEVENT",
	"todo-due":  "BEGIN:VTODO\r\nUID:todo-due\r\nDTSTAMP:20260101T000000Z\r\nDUE:20260110T100000Z\r\nSUMMARY:due\r\nEND:VTODO",
	"todo-old":  "BEGIN:VTODO\r\nUID:todo-old\r\nDTSTAMP:20100101T000000Z\r\nDTSTART:20100101T100000Z\r\nDUE:20100110T100000Z\r\nSUMMARY:old due\r\nEND:VTODO",
	"journal":   "BEGIN:VJOURNAL\r\nUID:journal\r\nDTSTAMP:20260101T000000Z\r\nDTSTART;VALUE=DATE:20260106\r\nSUMMARY:note\r\nEND:VJOURNAL",
}

// TestQueryServers: Radicale and Xandikos answer the calendar-query Query sends with the
// items of the component and window asked for, recurrences expanded.
func TestQueryServers(t *testing.T) {
	ctx := context.Background()
	jan := Filter{Start: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)}
	tests := []struct {
		name string
		f    Filter
		want []string
	}{
		{"everything", Filter{}, []string{"ev-future", "ev-in", "ev-old", "ev-weekly", "journal", "todo-due", "todo-old"}},
		{"todos", Filter{Components: []string{"VTODO"}}, []string{"todo-due", "todo-old"}},
		{"events in January", Filter{Components: []string{"VEVENT"}, Start: jan.Start, End: jan.End}, []string{"ev-in", "ev-weekly"}},
		{"events and todos in January", Filter{Components: []string{"VEVENT", "VTODO"}, Start: jan.Start, End: jan.End},
			[]string{"ev-in", "ev-weekly", "todo-due"}},
	}
	for _, srv := range testserver.All(t) {
		t.Run(srv.Name, func(t *testing.T) {
			c := &Client{User: srv.User, Password: srv.Password}
			var b [6]byte
			rand.Read(b[:])
			col := srv.CalendarHome + "query-test-" + hex.EncodeToString(b[:]) + "/"
			if err := c.MakeCollection(ctx, Calendars, col); err != nil {
				t.Fatal(err)
			}
			defer c.DeleteCollection(ctx, col)
			for name, comp := range queryItems {
				data := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//query test//EN\r\n" + comp + "\r\nEND:VCALENDAR\r\n"
				if _, err := c.Put(ctx, Calendars, col+name+".ics", "", []byte(data)); err != nil {
					t.Fatalf("put %s: %v", name, err)
				}
			}
			for _, tt := range tests {
				list, err := c.Query(ctx, col, tt.f)
				if err != nil {
					t.Errorf("%s: %v", tt.name, err)
					continue
				}
				var got []string
				for _, r := range list {
					if r.Etag == "" {
						t.Errorf("%s: %s has no etag", tt.name, r.Href)
					}
					got = append(got, strings.TrimSuffix(path.Base(r.Href), ".ics"))
				}
				sort.Strings(got)
				want := tt.want
				if srv.Name == "xandikos" && !tt.f.Start.IsZero() {
					// Xandikos leaves out a recurring event whose first occurrence is
					// before the window: a server's filter is not exact, which is why
					// a filtered listing must never be read as "deleted" by a sync.
					want = without(want, "ev-weekly")
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%s: %q, want %q", tt.name, got, want)
				}
			}
		})
	}
}

// without returns list without s.
func without(list []string, s string) []string {
	var out []string
	for _, x := range list {
		if x != s {
			out = append(out, x)
		}
	}
	return out
}
