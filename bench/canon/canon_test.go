package canon

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

const item = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:1\r\nDTSTART:20260105T090000Z\r\nDURATION:PT90M\r\n" +
	"RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=4\r\nATTENDEE;CN=\"Anna Müller\";ROLE=CHAIR:mailto:a@example.com\r\n" +
	"DESCRIPTION:a long line that a server may fold somewhere else\\, or n\r\n ot at all\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"

func TestSame(t *testing.T) {
	rewrites := []struct {
		name, old, new string
		same           bool
	}{
		{"unchanged", "", "", true},
		{"LF line ends", "\r\n", "\n", true},
		{"properties reordered", "UID:1\r\nDTSTART:20260105T090000Z\r\n", "DTSTART:20260105T090000Z\r\nUID:1\r\n", true},
		{"parameters reordered and unquoted", `ATTENDEE;CN="Anna Müller";ROLE=CHAIR`, "ATTENDEE;ROLE=CHAIR;CN=Anna Müller", true},
		{"refolded", "somewhere else\\, or n\r\n ot", "somewhere\r\n  else\\, or not", true},
		{"duration rewritten", "PT90M", "PT1H30M", true},
		{"rule parts reordered", "FREQ=WEEKLY;BYDAY=MO;COUNT=4", "FREQ=WEEKLY;COUNT=4;BYDAY=MO", true},
		{"lower-case name", "UID:1", "uid:1", true},
		{"summary added", "UID:1\r\n", "UID:1\r\nSUMMARY:x\r\n", false},
		{"value changed", "UID:1", "UID:2", false},
		{"duration changed", "PT90M", "PT1H", false},
		{"rule changed", "COUNT=4", "COUNT=5", false},
		{"value case", "mailto:a@", "mailto:A@", false},
	}
	for _, tc := range rewrites {
		t.Run(tc.name, func(t *testing.T) {
			other := item
			if tc.old != "" {
				if !strings.Contains(item, tc.old) {
					t.Fatalf("%q is not in the item", tc.old)
				}
				other = strings.ReplaceAll(item, tc.old, tc.new)
			}
			if got := reflect.DeepEqual(Form([]byte(item)), Form([]byte(other))); got != tc.same {
				t.Errorf("same = %v, want %v:\n%q\n%q", got, tc.same, Form([]byte(item)), Form([]byte(other)))
			}
		})
	}
}

func TestDuration(t *testing.T) {
	for in, want := range map[string]string{
		"PT90M": "5400s", "PT1H30M": "5400s", "-PT15M": "-900s", "+P1D": "86400s", "P1W": "604800s",
		"P1DT1S": "86401s", "19970101T000000Z": "19970101T000000Z", "P": "P", "PT": "PT", "P1M": "P1M", "PT5": "PT5",
	} {
		if got := duration(in); got != want {
			t.Errorf("duration(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDirs(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	write := func(dir, name, data string) { os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644) }
	write(a, "same.ics", item)
	write(b, "same.ics", strings.ReplaceAll(item, "\r\n", "\n"))
	write(a, "changed.ics", item)
	write(b, "changed.ics", strings.ReplaceAll(item, "UID:1", "UID:9"))
	write(a, "only-a.ics", item)
	write(b, "only-b.ics", item)
	write(b, "color", "#fff")
	got, err := Dirs(a, b, ".ics")
	want := []string{"differs: changed.ics", "only in " + a + ": only-a.ics", "only in " + b + ": only-b.ics"}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("Dirs: %q, %v; want %q", got, err, want)
	}
	if _, err := Dirs(a, filepath.Join(b, "missing"), ".ics"); err == nil {
		t.Error("Dirs of a missing directory worked")
	}
}
