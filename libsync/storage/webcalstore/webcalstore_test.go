package webcalstore_test

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/pimsync-go/libsync/dav"
	"github.com/pimsync-go/libsync/storage"
	"github.com/pimsync-go/libsync/storage/webcalstore"
	"github.com/pimsync-go/libsync/webcal/webcaltest"
	"github.com/pimsync-go/libvdir/item"
)

// listAll lists the storage's one collection and reads every item.
func listAll(t *testing.T, s storage.Storage) (storage.CollectionInfo, map[string]storage.Item) {
	t.Helper()
	ctx := context.Background()
	cols, err := s.Collections(ctx)
	if err != nil || len(cols) != 1 {
		t.Fatalf("collections %v, %v", cols, err)
	}
	c, err := s.Collection(ctx, cols[0].Href)
	if err != nil {
		t.Fatal(err)
	}
	l, err := c.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var hrefs []string
	for _, e := range l.Items {
		hrefs = append(hrefs, e.Href)
	}
	items, err := c.Get(ctx, hrefs)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]storage.Item{}
	for i, it := range items {
		if it.Err != nil || it.Etag != l.Items[i].Etag {
			t.Fatalf("get %s: %v, etag %q listed %q", it.Href, it.Err, it.Etag, l.Items[i].Etag)
		}
		out[it.Href] = it
	}
	return cols[0], out
}

func TestStorage(t *testing.T) {
	srv := webcaltest.New(t)
	s, err := webcalstore.Open(&dav.Client{}, srv.URL+"/overrides.ics", "holidays")
	if err != nil {
		t.Fatal(err)
	}
	info, items := listAll(t, s)
	if info.ID != "holidays" || info.Version == "" || len(items) != 3 {
		t.Fatalf("%+v, %d items", info, len(items))
	}
	weekly, ok := items["weekly@example.com.ics"]
	if !ok || item.UID(weekly.Data) != "weekly@example.com" {
		t.Fatalf("items %v", items)
	}
	// Unchanged: one 304, same version and etags.
	info2, items2 := listAll(t, s)
	if _, not := srv.Requests("/overrides.ics"); not != 1 || info2.Version != info.Version || items2["weekly@example.com.ics"].Etag != weekly.Etag {
		t.Errorf("second listing: %d 304s, version %q then %q", not, info.Version, info2.Version)
	}
	// Writes are refused.
	c, _ := s.Collection(context.Background(), "holidays")
	if _, _, err := c.Create(context.Background(), "x", weekly.Data); !errors.Is(err, storage.ErrReadOnly) {
		t.Errorf("create: %v", err)
	}
	if _, err := s.Collection(context.Background(), "other"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("other collection: %v", err)
	}
}

func TestStorageChangingAndMalformed(t *testing.T) {
	srv := webcaltest.New(t)
	s, _ := webcalstore.Open(&dav.Client{}, srv.URL+"/changing.ics", "c")
	a, itemsA := listAll(t, s)
	b, itemsB := listAll(t, s)
	if a.Version == b.Version || len(itemsA) != 1 || len(itemsB) != 1 {
		t.Fatalf("versions %q %q, items %v %v", a.Version, b.Version, itemsA, itemsB)
	}
	for h := range itemsA {
		if _, ok := itemsB[h]; ok {
			t.Errorf("%s in both fetches", h)
		}
	}

	// A feed that turns malformed is an error, and the last good items stay.
	srv.Set("/feed.ics", webcaltest.Overrides)
	s, _ = webcalstore.Open(&dav.Client{}, srv.URL+"/feed.ics", "c")
	listAll(t, s)
	srv.Set("/feed.ics", webcaltest.Malformed)
	if _, err := s.Collections(context.Background()); err == nil {
		t.Fatal("malformed feed accepted")
	}
	c, _ := s.Collection(context.Background(), "c")
	if l, err := c.List(context.Background()); err != nil || len(l.Items) != 3 {
		t.Errorf("after the bad fetch: %v, %v", l, err)
	}
}

// TestFeedProps: a feed's X-WR-CALNAME, X-WR-CALDESC and X-APPLE-CALENDAR-COLOR are
// its collection's properties (unescaped, folded lines joined); a component's own
// X-WR-CALNAME is not, and a feed that names nothing offers no property to sync.
func TestFeedProps(t *testing.T) {
	ctx := context.Background()
	srv := webcaltest.New(t)
	srv.Set("/named.ics", "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nX-WR-CALNAME:Team\\, Berlin\r\n"+
		"X-WR-CALDESC:Meetings of the\r\n  team\\nand more\r\nX-APPLE-CALENDAR-COLOR:#FF8800\r\n"+
		"BEGIN:VEVENT\r\nUID:e1\r\nX-WR-CALNAME:Not this\r\nDTSTART:20260105T100000Z\r\nSUMMARY:x\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
	s, _ := webcalstore.Open(&dav.Client{}, srv.URL+"/named.ics", "team")
	listAll(t, s)
	c, _ := s.Collection(ctx, "team")
	props, err := c.Props(ctx)
	want := map[storage.Prop]string{storage.DisplayName: "Team, Berlin", storage.Description: "Meetings of the team\nand more", storage.Color: "#FF8800"}
	if err != nil || !reflect.DeepEqual(props, want) {
		t.Errorf("Props = %q, %v; want %q", props, err, want)
	}
	if got := storage.Supported(c); len(got) != 3 {
		t.Errorf("Supported = %q", got)
	}

	s, _ = webcalstore.Open(&dav.Client{}, srv.URL+"/overrides.ics", "holidays")
	listAll(t, s)
	c, _ = s.Collection(ctx, "holidays")
	if props, _ := c.Props(ctx); len(props) != 0 || len(storage.Supported(c)) != 0 {
		t.Errorf("a feed without a name: Props %q, Supported %q", props, storage.Supported(c))
	}
}
