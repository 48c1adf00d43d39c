package item

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// splitAll returns every piece Split makes of data.
func splitAll(t testing.TB, data []byte) ([]Piece, error) {
	t.Helper()
	var out []Piece
	err := Split(bytes.NewReader(data), func(p Piece) error {
		out = append(out, p)
		return nil
	})
	return out, err
}

// readFeedFile reads a sample feed of testdata/feeds.
func readFeedFile(name string) ([]byte, error) {
	return os.ReadFile(filepath.Join("testdata", "feeds", name))
}

func readFeed(t *testing.T, name string) []byte {
	t.Helper()
	data, err := readFeedFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestSplitFeeds(t *testing.T) {
	tests := []struct {
		feed string
		uids []string
		// want and notWant are substrings each item (by UID order) must or must not hold.
		want, notWant map[int][]string
		err           string
	}{
		{
			feed: "overrides.ics",
			uids: []string{"weekly@example.com", "ny@example.com", "hash-", "allday@example.com"},
			want: map[int][]string{
				0: {"TZID:Europe/Berlin\r\n", "RECURRENCE-ID;TZID=Europe/Berlin", "X-WR-CALNAME:Team\r\n", "physical li\r\n ne of the feed", "UID:alarm-1"},
				1: {"TZID:America/New_York\r\n"},
				2: {"BEGIN:VTODO\r\nUID:hash-"},
			},
			notWant: map[int][]string{
				0: {"METHOD", "America/New_York"},
				1: {"Europe/Berlin", "METHOD"},
				2: {"BEGIN:VTIMEZONE"},
				3: {"BEGIN:VTIMEZONE"},
			},
		},
		{feed: "cards.vcf", uids: []string{"c1", "hash-"}, notWant: map[int][]string{0: {"No Uid"}}},
		{feed: "truncated.ics", err: "missing END:VCALENDAR"},
		{feed: "html.ics", err: "not an iCalendar feed"},
	}
	for _, tt := range tests {
		t.Run(tt.feed, func(t *testing.T) {
			pieces, err := splitAll(t, readFeed(t, tt.feed))
			if tt.err != "" {
				var se *SyntaxError
				if err == nil || !strings.Contains(err.Error(), tt.err) || !errors.As(err, &se) {
					t.Fatalf("err = %v, want a SyntaxError with %q", err, tt.err)
				}
				if len(pieces) != 0 {
					t.Fatalf("%d items before the error", len(pieces))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(pieces) != len(tt.uids) {
				t.Fatalf("%d items, want %d", len(pieces), len(tt.uids))
			}
			for i, p := range pieces {
				if !strings.HasPrefix(p.UID, tt.uids[i]) {
					t.Errorf("item %d UID %q, want %q", i, p.UID, tt.uids[i])
				}
				info, err := Inspect(p.Data)
				if err != nil || info.UID != p.UID || len(info.UIDs) != 1 {
					t.Errorf("item %d: Inspect = %+v, %v; want UID %q alone", i, info, err, p.UID)
				}
				for _, w := range tt.want[i] {
					if !bytes.Contains(p.Data, []byte(w)) {
						t.Errorf("item %d lacks %q:\n%s", i, w, p.Data)
					}
				}
				for _, w := range tt.notWant[i] {
					if bytes.Contains(p.Data, []byte(w)) {
						t.Errorf("item %d has %q:\n%s", i, w, p.Data)
					}
				}
			}
		})
	}
}

// TestSplitStableUID: a UID made for a component survives a new DTSTAMP.
func TestSplitStableUID(t *testing.T) {
	feed := func(stamp string) []byte {
		return []byte("BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\nDTSTAMP:" + stamp + "\nSUMMARY:x\nEND:VEVENT\nBEGIN:VEVENT\nDTSTAMP:" + stamp + "\nSUMMARY:x\nEND:VEVENT\nEND:VCALENDAR")
	}
	a, err := splitAll(t, feed("20260101T000000Z"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := splitAll(t, feed("20260202T000000Z"))
	if err != nil {
		t.Fatal(err)
	}
	if len(a) != 2 || len(b) != 2 || a[0].UID != b[0].UID || a[1].UID != a[0].UID+"-2" || !a[0].Generated {
		t.Fatalf("UIDs %v then %v", a, b)
	}
	// The feed's last line had no ending: the item gets the feed's.
	if !bytes.HasSuffix(a[0].Data, []byte("END:VCALENDAR\n")) {
		t.Errorf("item ends %q", a[0].Data[len(a[0].Data)-20:])
	}
}

func TestSplitLarge(t *testing.T) {
	var b strings.Builder
	b.WriteString("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
	const n = 10000
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "BEGIN:VEVENT\r\nUID:ev-%d\r\nDTSTART:20260101T000000Z\r\nSUMMARY:event %d\r\nEND:VEVENT\r\n", i, i)
	}
	b.WriteString("END:VCALENDAR\r\n")
	count := 0
	err := Split(strings.NewReader(b.String()), func(p Piece) error {
		if p.UID != fmt.Sprintf("ev-%d", count) {
			return fmt.Errorf("item %d has UID %s", count, p.UID)
		}
		count++
		return nil
	})
	if err != nil || count != n {
		t.Fatalf("%d items, %v", count, err)
	}
}

func TestJoin(t *testing.T) {
	pieces, err := splitAll(t, readFeed(t, "overrides.ics"))
	if err != nil {
		t.Fatal(err)
	}
	var items [][]byte
	for _, p := range pieces {
		items = append(items, p.Data)
	}
	var out bytes.Buffer
	if err := Join(&out, items); err != nil {
		t.Fatal(err)
	}
	if c := bytes.Count(out.Bytes(), []byte("BEGIN:VTIMEZONE")); c != 2 {
		t.Errorf("%d VTIMEZONEs, want 2", c)
	}
	again, err := splitAll(t, out.Bytes())
	if err != nil || len(again) != len(pieces) {
		t.Fatalf("split of the join: %d items, %v", len(again), err)
	}
	for i := range again {
		if !bytes.Equal(again[i].Data, pieces[i].Data) {
			t.Errorf("item %d differs after a join and split:\n%s\nwas\n%s", i, again[i].Data, pieces[i].Data)
		}
	}
	if err := Join(&out, [][]byte{items[0], readFeed(t, "cards.vcf")}); err == nil {
		t.Error("joined a card into a calendar")
	}
}

// TestEachSpan: eachSpan splits exactly as Unfold does (unfoldSpans collects its
// spans, which checkSpans compares with Unfold's lines).
func TestEachSpan(t *testing.T) {
	for _, in := range []string{"", " a:b\r\n c", "A:b\n\n c\nD;ENCODING=QUOTED-PRINTABLE:x=\n\ny\r\rZ:1", "\t\n \nX:y"} {
		checkSpans(t, []byte(in))
	}
}

// TestSplitMemory: splitting a feed in memory allocates about one more copy of it (the
// items, one at a time) and some 250 bytes of offsets per component, not several
// copies. The events are of a common size (a description, a location).
func TestSplitMemory(t *testing.T) {
	var b strings.Builder
	b.WriteString("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
	for i := 0; i < 10000; i++ {
		fmt.Fprintf(&b, "BEGIN:VEVENT\r\nUID:ev-%d\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260101T000000Z\r\nSUMMARY:event %d\r\nLOCATION:Room 4\r\nDESCRIPTION:%s\r\nEND:VEVENT\r\n", i, i, strings.Repeat("text ", 50))
	}
	b.WriteString("END:VCALENDAR\r\n")
	feed := []byte(b.String())
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	if err := SplitBytes(feed, func(Piece) error { return nil }); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	total := after.TotalAlloc - before.TotalAlloc
	if total > uint64(4*len(feed)) {
		t.Errorf("splitting a %d-byte feed allocated %d bytes", len(feed), total)
	}
	t.Logf("feed %d bytes, allocated %d", len(feed), total)
}

// TestSplitInline covers feed shapes beyond the sample files.
func TestSplitInline(t *testing.T) {
	tests := []struct {
		name, feed string
		want       []string // each item's bytes, in order
	}{
		{
			name: "BOM, LF endings, header after the components, no final line ending",
			feed: "\ufeffBEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\nUID:a\nEND:VEVENT\nX-WR-CALNAME:Late\nEND:VCALENDAR",
			want: []string{"BEGIN:VCALENDAR\nVERSION:2.0\nX-WR-CALNAME:Late\nBEGIN:VEVENT\nUID:a\nEND:VEVENT\nEND:VCALENDAR\n"},
		},
		{
			name: "time zone used only by the override, defined after it; two calendars",
			feed: "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART:20260101T000000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n" +
				"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:a\r\nRECURRENCE-ID;TZID=Z:20260108T000000\r\nEND:VEVENT\r\n" +
				"BEGIN:VTIMEZONE\r\nTZID:Z\r\nEND:VTIMEZONE\r\nBEGIN:VTIMEZONE\r\nTZID:Z\r\nX-SECOND:1\r\nEND:VTIMEZONE\r\nEND:VCALENDAR\r\n",
			want: []string{"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VTIMEZONE\r\nTZID:Z\r\nEND:VTIMEZONE\r\n" +
				"BEGIN:VEVENT\r\nUID:a\r\nDTSTART:20260101T000000Z\r\nEND:VEVENT\r\n" +
				"BEGIN:VEVENT\r\nUID:a\r\nRECURRENCE-ID;TZID=Z:20260108T000000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"},
		},
		{
			name: "VFREEBUSY dropped, VALARM UID is no item UID",
			feed: "BEGIN:VCALENDAR\nBEGIN:VFREEBUSY\nUID:f\nEND:VFREEBUSY\nBEGIN:VTODO\nUID:t\nBEGIN:VALARM\nUID:al\nEND:VALARM\nEND:VTODO\nEND:VCALENDAR\n",
			want: []string{"BEGIN:VCALENDAR\nBEGIN:VTODO\nUID:t\nBEGIN:VALARM\nUID:al\nEND:VALARM\nEND:VTODO\nEND:VCALENDAR\n"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pieces, err := splitAll(t, []byte(tt.feed))
			if err != nil {
				t.Fatal(err)
			}
			if len(pieces) != len(tt.want) {
				t.Fatalf("%d items, want %d", len(pieces), len(tt.want))
			}
			for i, p := range pieces {
				if string(p.Data) != tt.want[i] {
					t.Errorf("item %d:\n%q\nwant\n%q", i, p.Data, tt.want[i])
				}
			}
		})
	}
}
