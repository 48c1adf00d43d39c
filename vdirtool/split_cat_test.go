package main

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/pimsync-go/libvdir/item"
)

// hashesByUID returns the item.Hash of each item file in dir with a UID, and the number
// of items without one.
func hashesByUID(t *testing.T, dir string) (map[string]string, int) {
	t.Helper()
	out, noUID := map[string]string{}, 0
	for name, data := range snapshot(t, dir) {
		if !strings.HasSuffix(name, ".ics") && !strings.HasSuffix(name, ".vcf") {
			continue // metadata
		}
		uid := item.UID([]byte(data))
		if uid == "" {
			noUID++
			continue
		}
		out[uid] = item.Hash(components(data))
	}
	return out, noUID
}

// components drops an item's calendar-level property lines: a joined file has one
// header, the first item's, so another item's CALSCALE or METHOD does not come back.
func components(data string) []byte {
	var out []byte
	depth := 0
	for _, line := range strings.SplitAfter(data, "\n") {
		upper := strings.ToUpper(line)
		switch {
		case strings.HasPrefix(upper, "BEGIN:"):
			depth++
		case strings.HasPrefix(upper, "END:"):
			depth--
		case depth == 1 && line != "" && line[0] != ' ' && line[0] != '\t':
			continue
		}
		out = append(out, line...)
	}
	return out
}

// TestCatSplitRoundTrip: cat then split into an empty collection gives the same items,
// compared by content hash (of their components: the calendar header is the file's);
// an item without a UID comes back with a generated one.
func TestCatSplitRoundTrip(t *testing.T) {
	tests := []struct {
		collection string
		ext        string
	}{
		{"calendars/work", "ics"},
		{"calendars/personal", "ics"},
		{"contacts/friends", "vcf"},
	}
	for _, tt := range tests {
		t.Run(tt.collection, func(t *testing.T) {
			src := filepath.Join(testdata, tt.collection)
			code, joined, errOut := vdirtool(t, "cat", src)
			if code != 0 {
				t.Fatalf("cat: exit %d: %s", code, errOut)
			}
			file := filepath.Join(t.TempDir(), "all."+tt.ext)
			if err := os.WriteFile(file, []byte(joined), 0o600); err != nil {
				t.Fatal(err)
			}
			dst := filepath.Join(t.TempDir(), "copy")
			os.Mkdir(dst, 0o755)
			code, out, errOut := vdirtool(t, "split", file, dst)
			if code != 0 {
				t.Fatalf("split: exit %d: %s", code, errOut)
			}
			objs := jsonLines(t, out)
			checkContract(t, "vdirtool split", objs)
			want, wantNoUID := hashesByUID(t, src)
			got, gotNoUID := hashesByUID(t, dst)
			if gotNoUID != 0 || len(got) != len(want)+wantNoUID || len(objs) != len(got) {
				t.Fatalf("split wrote %d items (%d without UID, %d lines), want %d", len(got), gotNoUID, len(objs), len(want)+wantNoUID)
			}
			for uid, h := range want {
				if got[uid] != h {
					t.Errorf("item %s changed in the round trip", uid)
				}
			}
			for _, o := range objs {
				if o["action"] != "create" || filepath.Dir(o["path"].(string)) != dst {
					t.Errorf("line %v", o)
				}
			}
		})
	}
}

// TestSplitExisting: items whose UID the collection has are left alone unless
// --replace, and the same content is reported unchanged either way.
func TestSplitExisting(t *testing.T) {
	col := copyTree(t, filepath.Join(testdata, "calendars/work"))
	code, joined, _ := vdirtool(t, "cat", col)
	if code != 0 {
		t.Fatal("cat failed")
	}
	var uids []string
	item.SplitBytes([]byte(joined), func(p item.Piece) error {
		uids = append(uids, p.UID)
		return nil
	})
	sort.Strings(uids)
	edited := strings.Replace(joined, "SUMMARY:", "SUMMARY:edited ", 1)
	tests := []struct {
		name  string
		feed  string
		args  []string
		wants map[string]int // action → count
	}{
		{"same", joined, nil, map[string]int{"unchanged": len(uids)}},
		{"edited, kept", edited, nil, map[string]int{"unchanged": len(uids) - 1, "exists": 1}},
		{"edited, replaced", edited, []string{"--replace"}, map[string]int{"unchanged": len(uids) - 1, "replace": 1}},
		{"after the replacement", edited, nil, map[string]int{"unchanged": len(uids)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := snapshot(t, col)
			code, out, errOut := vdirtoolStdin(t, tt.feed, append([]string{"split", "-", col}, tt.args...)...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			got := map[string]int{}
			for _, o := range jsonLines(t, out) {
				got[o["action"].(string)]++
			}
			for a, n := range tt.wants {
				if got[a] != n {
					t.Errorf("%s: %d, want %d (%v)", a, got[a], n, got)
				}
			}
			if tt.wants["replace"] == 0 && len(snapshot(t, col)) != len(before) {
				t.Error("files added or removed")
			}
		})
	}
}

// TestSplitBad: a file that is cut short writes nothing and fails.
func TestSplitBad(t *testing.T) {
	dst := t.TempDir()
	code, _, errOut := vdirtoolStdin(t, "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\n", "split", "-", dst)
	if code != 1 || !strings.Contains(errOut, "cut short") {
		t.Errorf("exit %d: %s", code, errOut)
	}
	if entries, _ := os.ReadDir(dst); len(entries) != 0 {
		t.Errorf("files written: %v", entries)
	}
}
