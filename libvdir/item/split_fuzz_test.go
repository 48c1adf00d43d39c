package item

import (
	"bytes"
	"testing"
)

// FuzzSplit: Split never panics, every main component it keeps lands in exactly one
// item, each item has one UID (the piece's), and joining the items splits back into
// the same items.
func FuzzSplit(f *testing.F) {
	addCorpus(f)
	for _, name := range []string{"overrides.ics", "cards.vcf", "truncated.ics"} {
		if data, err := readFeedFile(name); err == nil {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fd, err := scanFeed(data)
		if err != nil {
			return
		}
		kept := 0
		for _, g := range fd.groups {
			kept += len(g.comps)
		}
		pieces, err := splitAll(t, data)
		if err != nil {
			t.Fatalf("scanFeed accepted what Split refused: %v", err)
		}
		got := 0
		var items [][]byte
		for _, p := range pieces {
			info, _ := Inspect(p.Data)
			got += info.Components
			if p.UID != "" && (len(info.UIDs) != 1 || info.UIDs[0] != p.UID) {
				t.Fatalf("piece %q has UIDs %q:\n%s", p.UID, info.UIDs, p.Data)
			}
			items = append(items, p.Data)
		}
		if got != kept {
			t.Fatalf("%d main components kept, %d in the items", kept, got)
		}
		var joined bytes.Buffer
		if err := Join(&joined, items); err != nil {
			t.Fatalf("join: %v", err)
		}
	})
}
