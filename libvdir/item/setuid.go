package item

import (
	"bytes"
	"errors"
	"fmt"
)

// ErrNoComponent: SetUID found no main component (VEVENT, VTODO, VJOURNAL, VCARD) to
// give the UID to.
var ErrNoComponent = errors.New("no VEVENT, VTODO, VJOURNAL or VCARD component")

// maxUIDLen bounds a UID SetUID writes: far beyond any UUID or URN, and short enough
// that a file name made from it stays within the 255 bytes file systems allow.
const maxUIDLen = 200

// foldAt is the longest physical line SetUID writes, in octets without the line ending
// (RFC 5545 §3.1, RFC 6350 §3.2).
const foldAt = 75

// SetUID returns data with the UID of its main components set to uid, and every other
// byte as it was: line endings, folding, property order, other components.
//
// The item's UID (as Inspect finds it, the old one) is replaced wherever a main
// component has it, so a recurring event's overrides keep sharing the master's UID. A
// main component with no UID (or only an empty one) gets one: its empty UID line is
// rewritten, or a "UID:" line is inserted right after its BEGIN line, ending as that
// line ends. Main components with a UID other than the old one (several items stored
// in one file) and UIDs of nested components (a VALARM's, a vCard 2.1 AGENT's) are left
// alone. A rewritten line keeps its name, group and parameters; only its value
// changes, and it is folded only when it would be longer than 75 octets.
//
// The UID is written as it is, so it must be text that needs no escaping and cannot be
// misread: 1 to 200 characters from A-Z a-z 0-9 and - . _ @ : + / ~. The error is
// ErrNoComponent when the item has no main component.
func SetUID(data []byte, uid string) ([]byte, error) {
	if err := checkNewUID(uid); err != nil {
		return nil, err
	}
	old := UID(data)
	spans := unfoldSpans(data)
	eol := firstEnding(data)

	// edits are replacements of data[start:end], in order and not overlapping.
	type edit struct {
		start, end int
		text       []byte
	}
	var edits []edit
	type comp struct {
		name      string
		main      bool
		counted   bool // a non-empty UID was seen directly in it (Inspect's frame.uid)
		emptyUID  int  // index of its first empty UID line in spans, or -1
		beginSpan int
	}
	var stack []comp
	inMain := 0
	found := false
	closeMain := func(c comp) {
		if c.counted {
			return
		}
		if c.emptyUID >= 0 {
			s := spans[c.emptyUID]
			head, _, _ := splitValue(s.Text)
			edits = append(edits, edit{s.start, s.end, uidLine(head, uid, s.ending(data, eol))})
			return
		}
		s := spans[c.beginSpan]
		ending := s.ending(data, eol)
		line := append(uidLine([]byte("UID"), uid, ending), ending...)
		if s.next == s.end {
			// The BEGIN line is the last of the file and has no ending of its own.
			line = append(append([]byte(nil), ending...), uidLine([]byte("UID"), uid, ending)...)
		}
		edits = append(edits, edit{s.next, s.next, line})
	}
	for i, s := range spans {
		head, value, ok := splitValue(s.Text)
		if !ok || !validName(head) {
			continue // Inspect skips such lines too
		}
		name, _ := propName(head)
		switch name {
		case "BEGIN":
			cname := upper(bytes.TrimSpace(value))
			c := comp{name: cname, main: inMain == 0 && isMain(cname), emptyUID: -1, beginSpan: i}
			if c.main {
				inMain++
				found = true
			}
			stack = append(stack, c)
		case "END":
			if len(stack) == 0 {
				continue
			}
			top := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if top.main {
				inMain--
				closeMain(top)
			}
		case "UID":
			if len(stack) == 0 || !stack[len(stack)-1].main {
				continue
			}
			top := &stack[len(stack)-1]
			v := string(bytes.TrimSpace(value))
			switch {
			case v == "":
				if !top.counted && top.emptyUID < 0 {
					top.emptyUID = i
				}
				continue
			case v == old:
				edits = append(edits, edit{s.start, s.end, uidLine(head, uid, s.ending(data, eol))})
			}
			top.counted = true
		}
	}
	// Components left open at the end of the file are closed there, as Inspect does.
	for i := len(stack) - 1; i >= 0; i-- {
		if stack[i].main {
			closeMain(stack[i])
		}
	}
	if !found {
		return nil, ErrNoComponent
	}

	// Edits were collected in line order except those of components closed at END,
	// which come after the lines inside them: sort by position.
	for i := 1; i < len(edits); i++ {
		for j := i; j > 0 && edits[j].start < edits[j-1].start; j-- {
			edits[j], edits[j-1] = edits[j-1], edits[j]
		}
	}
	out := make([]byte, 0, len(data)+len(edits)*(len(uid)+8))
	pos := 0
	for _, e := range edits {
		out = append(out, data[pos:e.start]...)
		out = append(out, e.text...)
		pos = e.end
	}
	return append(out, data[pos:]...), nil
}

// checkNewUID reports why uid cannot be written as it is.
func checkNewUID(uid string) error {
	if uid == "" || len(uid) > maxUIDLen {
		return fmt.Errorf("new UID %q: must be 1 to %d characters", uid, maxUIDLen)
	}
	for _, c := range []byte(uid) {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || bytes.IndexByte([]byte("-._@:+/~"), c) >= 0) {
			return fmt.Errorf("new UID %q: character %q needs escaping; use A-Z a-z 0-9 and - . _ @ : + / ~", uid, c)
		}
	}
	return nil
}

// uidLine returns the content line head:uid without a line ending, folded with eol
// when longer than foldAt octets. Folds fall only inside uid, which is ASCII, so no
// character is split and the name and parameters stay on the first line.
func uidLine(head []byte, uid string, eol []byte) []byte {
	line := append(append(append([]byte(nil), head...), ':'), uid...)
	first := max(foldAt, len(head)+1)
	if len(line) <= first {
		return line
	}
	out, rest := line[:first:first], line[first:]
	for len(rest) > 0 {
		n := min(len(rest), foldAt-1)
		out = append(append(append(out, eol...), ' '), rest[:n]...)
		rest = rest[n:]
	}
	return out
}

// lineSpan is a logical line (as Unfold returns it) with where it lies in the data:
// data[start:end] is every physical line it was made of, without the last one's line
// ending; data[end:next] is that ending ("" at the end of the data).
type lineSpan struct {
	Line
	start, end, next int
}

// ending returns the span's line ending, or def when it has none (the last line).
func (s lineSpan) ending(data, def []byte) []byte {
	if s.next > s.end {
		return data[s.end:s.next]
	}
	return def
}

// firstEnding returns the first line ending in data, CRLF when there is none: the
// ending the item's writer chose.
func firstEnding(data []byte) []byte {
	i := bytes.IndexAny(data, "\r\n")
	switch {
	case i < 0:
		return []byte("\r\n")
	case data[i] == '\r' && i+1 < len(data) && data[i+1] == '\n':
		return data[i : i+2]
	}
	return data[i : i+1]
}

// unfoldSpans is Unfold, keeping where each logical line lies in data, so that SetUID
// can replace a line and keep every byte around it: eachSpan's lines, collected. It
// must split exactly as Unfold does; TestUnfoldSpans and FuzzSetUID check that it does.
func unfoldSpans(data []byte) []lineSpan {
	var lines []lineSpan
	eachSpan(data, func(s lineSpan) bool {
		lines = append(lines, s)
		return true
	})
	return lines
}
