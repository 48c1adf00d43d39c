package item

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// corpus is the shared testdata at the top of the repository.
const corpus = "../../testdata"

func TestInspectCorpus(t *testing.T) {
	tests := []struct {
		file string
		kind Kind
		uid  string
	}{
		{"calendars/personal/standup-5f1c2d.ics", Event, "5f1c2d7e-8a3b-4c1d-9e2f-0a1b2c3d4e5f"},
		{"calendars/personal/birthday-zoe.ics", Event, "birthday-zoe@example.org"},
		{"calendars/personal/todo-passport.ics", Todo, "todo-passport-2025@example.org"},
		{"calendars/personal/journal-2025-01-06.ics", Journal, "journal-2025-01-06@example.org"},
		{"calendars/personal/outlook-invite.ics", Event,
			"040000008200E00074C5B7101A82E00800000000B0C2A1D4F35FDB01000000000000000010000000A1B2C3D4E5F60718293A4B5C6D7E8F90"},
		{"calendars/work/kickoff-globex.ics", Event, "kickoff-globex-2025@corp.example"},
		{"calendars/work/gym.ics", Event, "gym-tuesday"},
		{"contacts/friends/anna-mueller.vcf", Card, "anna-mueller-21@example.com"},
		{"contacts/friends/juergen-schmidt.vcf", Card, "3C6B2E1A-44F0-4E2B-9A77-2F4B8C1D0E9F"},
		{"contacts/friends/sophie-dubois.vcf", Card, "urn:uuid:8f14e45f-ceea-467f-a0e6-5c3b8d7e1a2b"},
		{"contacts/friends/assistant-agent.vcf", Card, "hiroshi-tanaka-21"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(corpus, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			info, err := Inspect(data)
			if err != nil {
				t.Fatalf("Inspect: %v", err)
			}
			if info.Kind != tt.kind || info.UID != tt.uid {
				t.Errorf("got kind %q uid %q, want %q %q", info.Kind, info.UID, tt.kind, tt.uid)
			}
			if len(info.UIDs) != 1 || info.MissingUID != 0 {
				t.Errorf("UIDs %q, %d components without UID; want exactly one UID", info.UIDs, info.MissingUID)
			}
			if got := UID(data); got != tt.uid {
				t.Errorf("UID = %q", got)
			}
			if got := ComponentKind(data); got != tt.kind {
				t.Errorf("ComponentKind = %q", got)
			}
		})
	}
}

func TestInspectBad(t *testing.T) {
	tests := []struct {
		file    string
		uid     string
		uids    int
		wantErr string // substring of the error, "" for none
	}{
		{"no-uid.ics", "", 0, ""},
		{"two-uids.ics", "first-of-two", 2, ""},
		{"missing-end.ics", "missing-end", 1, "missing END:VCALENDAR for BEGIN:VCALENDAR of line 1"},
		{"junk.ics", "", 0, "NUL byte"},
		{"empty.ics", "", 0, "empty item"},
		{"dup-a.ics", "duplicated-uid", 1, ""},
		{"..%2F..%2Fetc%2Fpasswd.ics", "../../etc/passwd", 1, ""},
		{"large-attachment.ics", "large-attachment", 1, ""},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(corpus, "bad", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			info, err := Inspect(data)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("unexpected error %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("error %v, want one containing %q", err, tt.wantErr)
			}
			if info.UID != tt.uid || len(info.UIDs) != tt.uids {
				t.Errorf("UID %q UIDs %q, want %q and %d UIDs", info.UID, info.UIDs, tt.uid, tt.uids)
			}
		})
	}
}

func TestInspect(t *testing.T) {
	cal := func(body ...string) string {
		return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n" + strings.Join(body, "\r\n") + "\r\nEND:VCALENDAR\r\n"
	}
	tests := []struct {
		name    string
		in      string
		want    Info
		wantErr string
	}{
		{"alarm UID is not the item's", cal("BEGIN:VEVENT", "BEGIN:VALARM", "UID:alarm", "END:VALARM", "UID:event", "END:VEVENT"),
			Info{Kind: Event, UID: "event", UIDs: []string{"event"}, Components: 1}, ""},
		{"calendar-level UID is ignored", cal("UID:calendar", "BEGIN:VTODO", "UID:todo", "END:VTODO"),
			Info{Kind: Todo, UID: "todo", UIDs: []string{"todo"}, Components: 1}, ""},
		{"override shares the UID", cal("BEGIN:VEVENT", "UID:u", "END:VEVENT", "BEGIN:VEVENT", "UID:u", "RECURRENCE-ID:20250101T000000Z", "END:VEVENT"),
			Info{Kind: Event, UID: "u", UIDs: []string{"u"}, Components: 2}, ""},
		{"second UID of one component is ignored", cal("BEGIN:VEVENT", "UID:a", "UID:b", "END:VEVENT"),
			Info{Kind: Event, UID: "a", UIDs: []string{"a"}, Components: 1}, ""},
		{"empty UID is no UID", cal("BEGIN:VEVENT", "UID:  ", "UID:real", "END:VEVENT"),
			Info{Kind: Event, UID: "real", UIDs: []string{"real"}, Components: 1}, ""},
		{"white space trimmed", cal("BEGIN:VEVENT", "UID: spaced \t", "END:VEVENT"),
			Info{Kind: Event, UID: "spaced", UIDs: []string{"spaced"}, Components: 1}, ""},
		{"names are case-insensitive", "begin:vcard\nversion:4.0\nUid:x\nend:vcard\n",
			Info{Kind: Card, UID: "x", UIDs: []string{"x"}, Components: 1}, ""},
		{"group prefix", "BEGIN:VCARD\nVERSION:3.0\nitem1.UID:g\nEND:VCARD\n",
			Info{Kind: Card, UID: "g", UIDs: []string{"g"}, Components: 1}, ""},
		{"quoted colon in parameter", cal("BEGIN:VEVENT", `UID;X-P="http://x:80/;a":the:uid`, "END:VEVENT"),
			Info{Kind: Event, UID: "the:uid", UIDs: []string{"the:uid"}, Components: 1}, ""},
		{"folded UID", cal("BEGIN:VEVENT", "UID:ab", " cd", "\tef", "END:VEVENT"),
			Info{Kind: Event, UID: "abcdef", UIDs: []string{"abcdef"}, Components: 1}, ""},
		{"component without UID beside one with", cal("BEGIN:VEVENT", "UID:a", "END:VEVENT", "BEGIN:VEVENT", "END:VEVENT"),
			Info{Kind: Event, UID: "a", UIDs: []string{"a"}, Components: 2, MissingUID: 1}, ""},
		{"no main component", cal("BEGIN:VTIMEZONE", "TZID:X", "END:VTIMEZONE"),
			Info{}, "no VEVENT, VTODO, VJOURNAL or VCARD component"},
		{"line without colon", cal("BEGIN:VEVENT", "UID:a", "garbage", "END:VEVENT"),
			Info{Kind: Event, UID: "a", UIDs: []string{"a"}, Components: 1}, `line 5: no ':' between property name and value: "garbage"`},
		{"bad property name", cal("BEGIN:VEVENT", "UID:a", "X Y:1", "END:VEVENT"),
			Info{Kind: Event, UID: "a", UIDs: []string{"a"}, Components: 1}, `line 5: invalid property name "X Y"`},
		{"mismatched END", cal("BEGIN:VEVENT", "UID:a", "END:VTODO"),
			Info{Kind: Event, UID: "a", UIDs: []string{"a"}, Components: 1}, "line 5: END:VTODO does not close BEGIN:VEVENT of line 3"},
		{"END without BEGIN", "END:VCARD\n", Info{}, "line 1: END:VCARD without a BEGIN"},
		{"property outside", "UID:x\nBEGIN:VCARD\nEND:VCARD\n",
			Info{Kind: Card, Components: 1, MissingUID: 1}, "line 1: property UID outside any BEGIN/END component"},
		{"invalid UTF-8", cal("BEGIN:VEVENT", "UID:a", "SUMMARY:caf\xe9", "END:VEVENT"),
			Info{Kind: Event, UID: "a", UIDs: []string{"a"}, Components: 1}, "line 5: text is not valid UTF-8"},
		{"only white space", " \r\n\t\r\n", Info{}, "empty item"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			info, err := Inspect([]byte(tt.in))
			if !reflect.DeepEqual(info, tt.want) {
				t.Errorf("Inspect info\n got %+v\nwant %+v", info, tt.want)
			}
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tt.wantErr {
				t.Errorf("Inspect error %q, want %q", got, tt.wantErr)
			}
		})
	}
}
