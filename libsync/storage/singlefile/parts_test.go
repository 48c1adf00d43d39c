package singlefile

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/pimsync-go/libsync/storage/storagetest"
	"github.com/pimsync-go/libvdir/item"
)

// TestConcatIsJoin: rewriting a file from cached parts gives item.Join's bytes exactly,
// for feeds with time zones, overrides, folded lines, LF endings and cards.
func TestConcatIsJoin(t *testing.T) {
	tests := []struct {
		name  string
		feed  string
		vcard bool
		fast  bool // whether every item takes the fast path
	}{
		{"overrides", "../../../libvdir/item/testdata/feeds/overrides.ics", false, true},
		{"cards", "../../../libvdir/item/testdata/feeds/cards.vcf", true, true},
		{"crlf events", "", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := append(storagetest.Item("a", "one"), storagetest.Item("b", "two")...)
			if tt.feed != "" {
				var err error
				if data, err = os.ReadFile(tt.feed); err != nil {
					t.Fatal(err)
				}
			}
			c := &Collection{vcard: tt.vcard, ext: "ics"}
			var items []entry
			var datas [][]byte
			if err := item.SplitBytes(data, func(p item.Piece) error {
				items = append(items, c.newEntry(p))
				datas = append(datas, p.Data)
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			var want bytes.Buffer
			if err := item.Join(&want, datas); err != nil {
				t.Fatal(err)
			}
			got := c.concat(items)
			if (got != nil) != tt.fast {
				t.Fatalf("fast path taken: %v, want %v", got != nil, tt.fast)
			}
			if got != nil && !bytes.Equal(got, want.Bytes()) {
				t.Errorf("concat =\n%s\nitem.Join =\n%s", got, want.Bytes())
			}
		})
	}
}

// TestOutsideChange: a file changed behind the collection's back is read afresh, and a
// listed etag from before the change no longer matches.
func TestOutsideChange(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		pattern string
		id      string
	}{
		{"pattern", "%s.ics", "cal"},
		{"one file", "cal.ics", "cal"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			s, err := Open(filepath.Join(dir, tt.pattern), false)
			if err != nil {
				t.Fatal(err)
			}
			info, err := s.CreateCollection(ctx, tt.id)
			if err != nil {
				t.Fatal(err)
			}
			if cols, err := s.Collections(ctx); err != nil || len(cols) != 1 || cols[0] != info {
				t.Fatalf("Collections = %v, %v; want %v", cols, err, info)
			}
			c, _ := s.Collection(ctx, info.Href)
			href, etag, err := c.Create(ctx, "one", storagetest.Item("one", "first"))
			if err != nil {
				t.Fatal(err)
			}
			feed := append(storagetest.Item("one", "edited"), storagetest.Item("two", "new")...)
			if err := os.WriteFile(info.Href, feed, 0o600); err != nil {
				t.Fatal(err)
			}
			l, err := c.List(ctx)
			if err != nil || len(l.Items) != 2 || l.Items[0].Href != href || l.Items[0].Etag == etag {
				t.Fatalf("List after an outside edit = %+v, %v", l, err)
			}
			if _, err := c.Update(ctx, href, etag, storagetest.Item("one", "mine")); err == nil {
				t.Error("Update with the etag from before the outside edit succeeded")
			}
		})
	}
}
