package item

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const event = "BEGIN:VCALENDAR\r\n" +
	"VERSION:2.0\r\n" +
	"PRODID:-//one//EN\r\n" +
	"BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\nBEGIN:STANDARD\r\nDTSTART:19701025T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n" +
	"BEGIN:VTIMEZONE\r\nTZID:Asia/Tokyo\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\nTZOFFSETFROM:+0900\r\nTZOFFSETTO:+0900\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n" +
	"BEGIN:VEVENT\r\n" +
	"UID:hash-1\r\n" +
	"DTSTAMP:20250101T120000Z\r\n" +
	"LAST-MODIFIED:20250101T120000Z\r\n" +
	"DTSTART;TZID=Europe/Berlin:20250106T093000\r\n" +
	"RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=5\r\n" +
	"SUMMARY:Planning\\, round 2\r\n" +
	"ATTENDEE;CN=\"Ana\";ROLE=REQ-PARTICIPANT:mailto:ana@example.com\r\n" +
	"ATTENDEE;CN=Wei:mailto:wei@example.com\r\n" +
	"END:VEVENT\r\n" +
	"END:VCALENDAR\r\n"

// Each edit is how some server or client rewrites an item without changing it.
func TestHashIgnoresReformatting(t *testing.T) {
	base := Hash([]byte(event))
	edits := []struct {
		name string
		edit func(string) string
	}{
		{"LF endings", func(s string) string { return strings.ReplaceAll(s, "\r\n", "\n") }},
		{"folded", func(s string) string { return strings.Replace(s, "SUMMARY:Plan", "SUMMARY:Pl\r\n an", 1) }},
		{"lower-case names", func(s string) string { return strings.Replace(s, "SUMMARY:", "summary:", 1) }},
		{"other PRODID", func(s string) string {
			return strings.Replace(s, "PRODID:-//one//EN", "PRODID:-//Radicale//NONSGML//EN", 1)
		}},
		{"no PRODID", func(s string) string { return strings.Replace(s, "PRODID:-//one//EN\r\n", "", 1) }},
		{"new DTSTAMP", func(s string) string {
			return strings.Replace(s, "DTSTAMP:20250101T120000Z", "DTSTAMP:20260101T000000Z", 1)
		}},
		{"new LAST-MODIFIED", func(s string) string {
			return strings.Replace(s, "LAST-MODIFIED:20250101T120000Z", "LAST-MODIFIED:20260101T000000Z", 1)
		}},
		{"VTIMEZONE order", func(s string) string {
			i := strings.Index(s, "BEGIN:VTIMEZONE\r\nTZID:Asia")
			j := strings.Index(s, "BEGIN:VEVENT")
			k := strings.Index(s, "BEGIN:VTIMEZONE")
			return s[:k] + s[i:j] + s[k:i] + s[j:]
		}},
		{"VTIMEZONE after the event", func(s string) string {
			k := strings.Index(s, "BEGIN:VTIMEZONE")
			j := strings.Index(s, "BEGIN:VEVENT")
			e := strings.Index(s, "END:VCALENDAR")
			return s[:k] + s[j:e] + s[k:j] + s[e:]
		}},
		{"property order", func(s string) string {
			return strings.Replace(s, "UID:hash-1\r\nDTSTAMP:20250101T120000Z\r\n", "DTSTAMP:20250101T120000Z\r\nUID:hash-1\r\n", 1)
		}},
		{"parameter order and quotes", func(s string) string {
			return strings.Replace(s, `ATTENDEE;CN="Ana";ROLE=REQ-PARTICIPANT:`, `ATTENDEE;role=REQ-PARTICIPANT;CN=Ana:`, 1)
		}},
		{"trailing white space", func(s string) string { return strings.Replace(s, "round 2\r\n", "round 2  \r\n", 1) }},
		{"blank lines", func(s string) string { return strings.Replace(s, "END:VEVENT\r\n", "END:VEVENT\r\n\r\n", 1) }},
		{"recurrence rule part order", func(s string) string {
			return strings.Replace(s, "RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=5", "RRULE:COUNT=5;FREQ=WEEKLY;BYDAY=MO", 1)
		}},
	}
	for _, e := range edits {
		t.Run(e.name, func(t *testing.T) {
			edited := e.edit(event)
			if edited == event {
				t.Fatal("the edit changed nothing")
			}
			if got := Hash([]byte(edited)); got != base {
				t.Errorf("hash changed:\n%s", edited)
			}
		})
	}
}

// Each edit is a change a person made: it must change the hash.
func TestHashSeesChanges(t *testing.T) {
	base := Hash([]byte(event))
	edits := []struct{ old, new string }{
		{"SUMMARY:Planning\\, round 2", "SUMMARY:Planning\\, round 3"},
		{"SUMMARY:Planning", "SUMMARY:planning"},
		{"UID:hash-1", "UID:hash-2"},
		{"ATTENDEE;CN=Wei:", "ATTENDEE;CN=wei:"},
		{"ATTENDEE;CN=Wei:mailto:wei@example.com\r\n", ""},
		{"DTSTART;TZID=Europe/Berlin:", "DTSTART;TZID=Asia/Tokyo:"},
		{"BYDAY=MO;", "BYDAY=TU;"},
		{"TZOFFSETTO:+0100", "TZOFFSETTO:+0000"},
		{"END:VEVENT\r\n", "END:VEVENT\r\nBEGIN:VEVENT\r\nUID:hash-1\r\nRECURRENCE-ID:20250113T093000\r\nEND:VEVENT\r\n"},
		// Moving a property into another component is a change, which a flat sort of all
		// lines would miss.
		{"SUMMARY:Planning\\, round 2\r\n", ""},
	}
	for i, e := range edits {
		edited := strings.Replace(event, e.old, e.new, 1)
		if i == len(edits)-1 {
			edited = strings.Replace(edited, "TZID:Asia/Tokyo\r\n", "TZID:Asia/Tokyo\r\nSUMMARY:Planning\\, round 2\r\n", 1)
		}
		if edited == event {
			t.Fatalf("edit %d changed nothing", i)
		}
		if Hash([]byte(edited)) == base {
			t.Errorf("edit %q → %q kept the hash", e.old, e.new)
		}
	}
}

func TestHashCorpusDistinct(t *testing.T) {
	seen := map[string]string{}
	for _, pattern := range []string{"calendars/*/*.ics", "contacts/*/*.vcf"} {
		files, _ := filepath.Glob(filepath.Join(corpus, pattern))
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			h := Hash(data)
			if len(h) != 64 {
				t.Errorf("%s: hash %q is not hex SHA-256", f, h)
			}
			if other, ok := seen[h]; ok {
				t.Errorf("%s and %s hash the same", f, other)
			}
			seen[h] = f
		}
	}
	if len(seen) < 10 {
		t.Fatalf("only %d corpus items found", len(seen))
	}
}

// TestHashGolden: Hash's value is kept in every status file, so a change to it would
// make each item look changed on both sides at the next sync. The hashes of the items
// under testdata/hash (generated events and contacts, and a few odd ones) are pinned
// in testdata/hash.golden; go test -run TestHashGolden -update rewrites it, which
// only a deliberate change of the normal form may do.
var update = flag.Bool("update", false, "rewrite testdata/hash.golden")

func TestHashGolden(t *testing.T) {
	files, items := hashCorpus(t)
	var got strings.Builder
	for i, f := range files {
		fmt.Fprintf(&got, "%s %s\n", filepath.Base(f), Hash(items[i]))
	}
	if *update {
		if err := os.WriteFile("testdata/hash.golden", []byte(got.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile("testdata/hash.golden")
	if err != nil {
		t.Fatal(err)
	}
	if got.String() != string(want) {
		t.Errorf("hashes changed:\n%s\nwant:\n%s", got.String(), want)
	}
}

// hashCorpus returns the files under testdata/hash and their contents.
func hashCorpus(tb testing.TB) (files []string, items [][]byte) {
	tb.Helper()
	files, err := filepath.Glob("testdata/hash/*")
	if err != nil || len(files) == 0 {
		tb.Fatalf("no items under testdata/hash: %v", err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		items = append(items, data)
	}
	return files, items
}

// BenchmarkRead: a sync inspects and hashes every item it reads, so this is most of
// what an initial sync of two vdirs costs beyond the kernel's work.
func BenchmarkRead(b *testing.B) {
	_, items := hashCorpus(b)
	var size int64
	for _, data := range items {
		size += int64(len(data))
	}
	for _, bm := range []struct {
		name string
		fn   func([]byte)
	}{
		{"Hash", func(d []byte) { Hash(d) }},
		{"Inspect", func(d []byte) { Inspect(d) }},
		{"InspectHash", func(d []byte) { InspectHash(d) }},
	} {
		b.Run(bm.name, func(b *testing.B) {
			b.SetBytes(size)
			b.ReportAllocs()
			for b.Loop() {
				for _, data := range items {
					bm.fn(data)
				}
			}
		})
	}
}
