package item

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestSetUID(t *testing.T) {
	const newUID = "0f1e2d3c-new"
	tests := []struct {
		name, in, want string
	}{
		{"plain event",
			"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:old\r\nSUMMARY:x\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
			"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:0f1e2d3c-new\r\nSUMMARY:x\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"},
		{"no UID: inserted after BEGIN with the item's CRLF",
			"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VTODO\r\nSUMMARY:x\r\nEND:VTODO\r\nEND:VCALENDAR\r\n",
			"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VTODO\r\nUID:0f1e2d3c-new\r\nSUMMARY:x\r\nEND:VTODO\r\nEND:VCALENDAR\r\n"},
		{"no UID, LF endings",
			"BEGIN:VCALENDAR\nBEGIN:VJOURNAL\nSUMMARY:x\nEND:VJOURNAL\nEND:VCALENDAR\n",
			"BEGIN:VCALENDAR\nBEGIN:VJOURNAL\nUID:0f1e2d3c-new\nSUMMARY:x\nEND:VJOURNAL\nEND:VCALENDAR\n"},
		{"no UID in a vCard, lower-case BEGIN, no final newline",
			"begin:vcard\nVERSION:3.0\nFN:A\nend:vcard",
			"begin:vcard\nUID:0f1e2d3c-new\nVERSION:3.0\nFN:A\nend:vcard"},
		{"recurrence overrides share the new UID; the VALARM's UID stays",
			"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:r\r\nRRULE:FREQ=DAILY\r\nBEGIN:VALARM\r\nUID:alarm\r\nEND:VALARM\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:r\r\nRECURRENCE-ID:20250101T000000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
			"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:0f1e2d3c-new\r\nRRULE:FREQ=DAILY\r\nBEGIN:VALARM\r\nUID:alarm\r\nEND:VALARM\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:0f1e2d3c-new\r\nRECURRENCE-ID:20250101T000000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"},
		{"an override without UID gets one too",
			"BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:r\nEND:VEVENT\nBEGIN:VEVENT\nRECURRENCE-ID:20250101\nEND:VEVENT\nEND:VCALENDAR\n",
			"BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:0f1e2d3c-new\nEND:VEVENT\nBEGIN:VEVENT\nUID:0f1e2d3c-new\nRECURRENCE-ID:20250101\nEND:VEVENT\nEND:VCALENDAR\n"},
		{"another item's UID in the same file stays",
			"BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:a\nEND:VEVENT\nBEGIN:VEVENT\nUID:b\nEND:VEVENT\nEND:VCALENDAR\n",
			"BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:0f1e2d3c-new\nEND:VEVENT\nBEGIN:VEVENT\nUID:b\nEND:VEVENT\nEND:VCALENDAR\n"},
		{"folded UID with parameters and a group; folding elsewhere kept",
			"BEGIN:VCARD\r\nitem1.UID;X-A=\"p:q\":ol\r\n d\r\nNOTE:long\r\n  note\r\nEND:VCARD\r\n",
			"BEGIN:VCARD\r\nitem1.UID;X-A=\"p:q\":0f1e2d3c-new\r\nNOTE:long\r\n  note\r\nEND:VCARD\r\n"},
		{"an empty UID line is filled, not doubled",
			"BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:\nSUMMARY:x\nEND:VEVENT\nEND:VCALENDAR\n",
			"BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:0f1e2d3c-new\nSUMMARY:x\nEND:VEVENT\nEND:VCALENDAR\n"},
		{"white space around the old UID",
			"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID: dup \r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
			"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:0f1e2d3c-new\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"},
		{"vCard 2.1 AGENT: only the outer card's UID",
			"BEGIN:VCARD\r\nAGENT:\r\nBEGIN:VCARD\r\nUID:agent\r\nEND:VCARD\r\nUID:outer\r\nEND:VCARD\r\n",
			"BEGIN:VCARD\r\nAGENT:\r\nBEGIN:VCARD\r\nUID:agent\r\nEND:VCARD\r\nUID:0f1e2d3c-new\r\nEND:VCARD\r\n"},
		{"lone CR endings",
			"BEGIN:VCARD\rFN:A\rEND:VCARD\r",
			"BEGIN:VCARD\rUID:0f1e2d3c-new\rFN:A\rEND:VCARD\r"},
		{"missing END: the open component still gets its UID",
			"BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:x\n",
			"BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:0f1e2d3c-new\nSUMMARY:x\n"},
		{"BEGIN as the very last line",
			"BEGIN:VCARD",
			"BEGIN:VCARD\r\nUID:0f1e2d3c-new"},
		{"a long head folds inside the UID only",
			"BEGIN:VCARD\nUID;X-LONG-PARAMETER-NAME=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa:old\nEND:VCARD\n",
			"BEGIN:VCARD\nUID;X-LONG-PARAMETER-NAME=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa:0f\n 1e2d3c-new\nEND:VCARD\n"},
	}
	for _, tt := range tests {
		got, err := SetUID([]byte(tt.in), newUID)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if string(got) != tt.want {
			t.Errorf("%s:\n got %q\nwant %q", tt.name, got, tt.want)
		}
		if info, _ := Inspect(got); info.UID != newUID || info.MissingUID != 0 && tt.name != "missing END: the open component still gets its UID" {
			t.Errorf("%s: Inspect finds UID %q, %d components without", tt.name, info.UID, info.MissingUID)
		}
	}
}

func TestSetUIDErrors(t *testing.T) {
	tests := []struct {
		in, uid string
		noComp  bool
	}{
		{"BEGIN:VCALENDAR\nEND:VCALENDAR\n", "u", true},
		{"", "u", true},
		{"BEGIN:VCARD\nEND:VCARD\n", "", false},
		{"BEGIN:VCARD\nEND:VCARD\n", "a b", false},
		{"BEGIN:VCARD\nEND:VCARD\n", "a\r\nX:y", false},
		{"BEGIN:VCARD\nEND:VCARD\n", "a,b", false},
		{"BEGIN:VCARD\nEND:VCARD\n", "q=", false},
		{"BEGIN:VCARD\nEND:VCARD\n", strings.Repeat("u", 201), false},
	}
	for _, tt := range tests {
		out, err := SetUID([]byte(tt.in), tt.uid)
		if err == nil || out != nil || errors.Is(err, ErrNoComponent) != tt.noComp {
			t.Errorf("SetUID(%q, %q) = %q, %v", tt.in, tt.uid, out, err)
		}
	}
}

// Every corpus item gets the new UID; the lines other than UID lines stay byte for byte.
func TestSetUIDCorpus(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(corpus, "*/*/*.*"))
	bad, _ := filepath.Glob(filepath.Join(corpus, "bad/*.ics"))
	n := 0
	for _, f := range append(files, bad...) {
		data, err := os.ReadFile(f)
		if err != nil || !strings.HasSuffix(f, ".ics") && !strings.HasSuffix(f, ".vcf") {
			continue
		}
		n++
		info, _ := Inspect(data)
		out, err := SetUID(data, "corpus-new-uid")
		if info.Kind == "" {
			if !errors.Is(err, ErrNoComponent) {
				t.Errorf("%s: no component, yet %v", f, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		checkOnlyUIDLines(t, f, data, out, "corpus-new-uid")
	}
	if n < 15 {
		t.Fatalf("only %d corpus items", n)
	}
}

// nonUID returns data without the physical lines of UID properties that sit directly
// in main components: what SetUID must leave exactly as it was. Each UID line goes with
// the line ending before it rather than its own, since a UID added after a BEGIN line
// that ends the file needs a line ending before it.
func nonUID(data []byte) []byte {
	var out []byte
	pos, prevEnd := 0, 0
	depth, mainDepth := 0, -1
	for _, s := range unfoldSpans(data) {
		lineEnd := prevEnd
		prevEnd = s.end
		head, value, ok := splitValue(s.Text)
		if !ok || !validName(head) {
			continue
		}
		switch name, _ := propName(head); name {
		case "BEGIN":
			if mainDepth < 0 && isMain(upper(bytes.TrimSpace(value))) {
				mainDepth = depth + 1
			}
			depth++
		case "END":
			if depth == mainDepth {
				mainDepth = -1
			}
			depth = max(depth-1, 0)
		case "UID":
			if depth == mainDepth {
				out = append(out, data[pos:lineEnd]...)
				pos = s.end
			}
		}
	}
	return append(out, data[pos:]...)
}

// checkOnlyUIDLines fails unless out is in with only UID lines changed or added, and
// Inspect finds uid in it.
func checkOnlyUIDLines(t *testing.T, name string, in, out []byte, uid string) {
	t.Helper()
	if a, b := nonUID(in), nonUID(out); !bytes.Equal(a, b) {
		t.Fatalf("%s: bytes other than UID lines changed:\n in %q\nout %q", name, in, out)
	}
	before, errIn := Inspect(in)
	after, errOut := Inspect(out)
	if after.UID != uid {
		t.Fatalf("%s: Inspect finds UID %q after SetUID(%q):\n%q", name, after.UID, uid, out)
	}
	// An error may go away with the UID line it was in (invalid UTF-8), never appear.
	if after.Kind != before.Kind || after.Components != before.Components || errIn == nil && errOut != nil {
		t.Fatalf("%s: before %+v (%v), after %+v (%v)", name, before, errIn, after, errOut)
	}
}

// unfoldSpans must split exactly as Unfold does, and its spans must cover the lines.
func TestUnfoldSpans(t *testing.T) {
	inputs := []string{
		"", "\n\n", "  BEGIN:A\r\n b\r\n\r\n\tc\rX:y\n", "A;ENCODING=QUOTED-PRINTABLE:x=\ny=\n\nz\n",
		"A:1\r\n \r\nB:2", "BEGIN:VCARD\nNOTE;QUOTED-PRINTABLE:a=\n b\nEND:VCARD",
	}
	files, _ := filepath.Glob(filepath.Join(corpus, "*/*/*.*"))
	for _, f := range files {
		if data, err := os.ReadFile(f); err == nil {
			inputs = append(inputs, string(data))
		}
	}
	for _, in := range inputs {
		checkSpans(t, []byte(in))
	}
}

func checkSpans(t *testing.T, data []byte) {
	t.Helper()
	spans := unfoldSpans(data)
	lines := Unfold(data)
	got := make([]Line, len(spans))
	for i, s := range spans {
		got[i] = s.Line
		if s.start > s.end || s.end > s.next || s.next > len(data) || i > 0 && s.start < spans[i-1].next {
			t.Fatalf("span %d of %q: %d %d %d", i, data, s.start, s.end, s.next)
		}
		// A span unfolds on its own to its line: it holds all of it and nothing more.
		if alone := Unfold(data[s.start:s.next]); len(alone) != 1 || !bytes.Equal(alone[0].Text, s.Text) {
			t.Fatalf("span %d of %q is %q, which unfolds to %q, not %q", i, data, data[s.start:s.next], alone, s.Text)
		}
	}
	if len(lines) == 0 && len(got) == 0 {
		return
	}
	if !reflect.DeepEqual(got, lines) {
		t.Fatalf("unfoldSpans(%q) = %q, Unfold = %q", data, got, lines)
	}
}

func FuzzSetUID(f *testing.F) {
	addCorpus(f)
	f.Add([]byte("BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:\nUID:x\nEND:VEVENT\nBEGIN:VEVENT\nEND:VEVENT\nEND:VCALENDAR"))
	f.Add([]byte("BEGIN:VCARD\r\nUID;ENCODING=QUOTED-PRINTABLE:a=\r\nb\r\nEND:VCARD\r\n"))
	const uid = "fuzz-0123456789abcdef"
	f.Fuzz(func(t *testing.T, data []byte) {
		checkSpans(t, data)
		info, _ := Inspect(data)
		out, err := SetUID(data, uid)
		if info.Kind == "" {
			if !errors.Is(err, ErrNoComponent) {
				t.Fatalf("no main component, yet SetUID: %q, %v", out, err)
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		checkOnlyUIDLines(t, "fuzz input", data, out, uid)
		// A second run finds the new UID and changes nothing more.
		again, err := SetUID(out, uid)
		if err != nil || !bytes.Equal(again, out) {
			t.Fatalf("SetUID twice: %v\n%q\n%q", err, out, again)
		}
	})
}
