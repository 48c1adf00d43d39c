package item

import (
	"bytes"
)

// A Line is one logical content line of an item.
type Line struct {
	// Num is the 1-based number of the physical line the logical line starts on, for
	// messages that point a reader at the file.
	Num int
	// Text is the line without its line ending and with folding removed.
	Text []byte
}

// Unfold splits data into logical lines. A physical line that starts with a space or a
// tab continues the previous one (RFC 5545 §3.1, RFC 6350 §3.2): the line break and that
// one white-space character are removed. Lines may end in CRLF, LF or a lone CR (old
// Mac exports); a CR inside a line would otherwise end up in UIDs and file names.
// A vCard 2.1 quoted-printable value whose line ends in "=" (a soft line break) also
// continues on the next physical line; the "=" and the break are removed. Blank lines
// are dropped.
//
// The returned Text slices share data's memory unless folding had to join lines, so
// callers must not modify them.
func Unfold(data []byte) []Line {
	lines, _ := unfold(data, nil, nil)
	return lines
}

// unfold is Unfold into lines and, for lines joined from several, arena, whose memory
// it reuses; it returns both as they grew.
func unfold(data []byte, lines []Line, arena []byte) ([]Line, []byte) {
	if n := bytes.Count(data, []byte{'\n'}) + 1; cap(lines) < n {
		lines = make([]Line, 0, n)
	}
	lines = lines[:0]
	arena = arena[:0]
	// A joined line is a copy at the end of arena that grows there. Joined lines are
	// never longer than the data they come from, so an arena of len(data) never moves;
	// were it to, the lines before would keep the old array.
	owned := false // whether the last line's Text is at the end of arena
	start := 0     // where it starts there
	grow := func(more []byte) {
		last := &lines[len(lines)-1]
		if !owned {
			if cap(arena) < len(data) {
				arena = make([]byte, 0, len(data))
			}
			start = len(arena)
			arena = append(arena, last.Text...)
			owned = true
		}
		arena = append(arena[:start+len(last.Text)], more...) // Text may have lost its soft break
		last.Text = arena[start:len(arena):len(arena)]
	}
	// The next LF and CR at or after pos, or len(data) when there is none: each is
	// looked for again only once passed, so a file of lone CRs (or of LFs alone) is
	// still scanned once.
	n := len(data)
	lf, cr := -1, -1
	for num, pos := 1, 0; pos < n; num++ {
		if lf < pos {
			lf = indexFrom(data, pos, '\n')
		}
		if cr < pos {
			cr = indexFrom(data, pos, '\r')
		}
		i := min(lf, cr)
		phys := data[pos:i]
		pos = i
		if i < n {
			pos++
			if data[i] == '\r' && pos < n && data[pos] == '\n' {
				pos++
			}
		}

		if len(lines) > 0 && len(phys) > 0 && (phys[0] == ' ' || phys[0] == '\t') {
			grow(phys[1:])
			continue
		}
		if len(lines) == 0 {
			// Nothing to continue: indentation before the first line is not content.
			phys = trimBlank(phys)
		}
		if len(trimBlank(phys)) == 0 {
			// Blank lines are dropped before a soft break can join them, so that how
			// many there are (and so how line breaks are written) never matters.
			continue
		}
		if len(lines) > 0 {
			if last := lines[len(lines)-1].Text; len(last) > 0 && last[len(last)-1] == '=' && isQuotedPrintable(last) {
				// Only a complete logical line can end in a soft break, so folds are
				// joined first: then folding never changes what a soft break is.
				lines[len(lines)-1].Text = last[:len(last)-1]
				grow(phys)
				continue
			}
		}
		lines = append(lines, Line{Num: num, Text: phys})
		owned = false
	}
	return lines, arena
}

// trimBlank drops the spaces and tabs at the start of b; bytes.TrimLeft would build
// its set of two for every line.
func trimBlank(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	return b
}

// indexFrom returns the index of the first c in data at or after from, or len(data).
func indexFrom(data []byte, from int, c byte) int {
	if i := bytes.IndexByte(data[from:], c); i >= 0 {
		return from + i
	}
	return len(data)
}

// isQuotedPrintable reports whether a content line declares the vCard 2.1
// quoted-printable encoding, as ENCODING=QUOTED-PRINTABLE or as a bare parameter.
func isQuotedPrintable(text []byte) bool {
	head, _, ok := splitValue(text)
	if !ok {
		return false
	}
	return bytes.Contains(bytes.ToUpper(head), []byte("QUOTED-PRINTABLE"))
}

// splitValue splits a content line at the first colon that is not inside a quoted
// parameter value: head is the name with its parameters, value what follows the colon.
// ok is false when the line has no such colon.
func splitValue(text []byte) (head, value []byte, ok bool) {
	quoted := false
	inParams := false
	for i, c := range text {
		switch {
		case c == '"' && inParams:
			quoted = !quoted
		case c == ';' && !quoted:
			inParams = true
		case c == ':' && !quoted:
			return text[:i], text[i+1:], true
		}
	}
	return nil, nil, false
}

// propName returns the upper-cased property name of a content line's head, without
// any vCard group prefix ("item1.EMAIL;TYPE=work" → "EMAIL"), and the parameters that
// follow it (without the leading ';').
func propName(head []byte) (name string, params []byte) {
	if i := bytes.IndexByte(head, ';'); i >= 0 {
		params = head[i+1:]
	}
	return upper(baseName(head)), params
}

// baseName is the name part of a content line's head as it stands, without any vCard
// group prefix or parameters.
func baseName(head []byte) []byte {
	n := head
	if i := bytes.IndexByte(head, ';'); i >= 0 {
		n = head[:i]
	}
	if i := bytes.LastIndexByte(n, '.'); i >= 0 {
		n = n[i+1:]
	}
	return n
}

// validName reports whether a head's name part ([group.]name) is made of the characters
// RFC 5545 §3.1 and RFC 6350 §3.3 allow: letters, digits and '-', with '.' after groups.
func validName(head []byte) bool {
	n := head
	if i := bytes.IndexByte(head, ';'); i >= 0 {
		n = head[:i]
	}
	if len(n) == 0 || n[0] == '.' || n[len(n)-1] == '.' {
		return false
	}
	for _, c := range n {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_') {
			return false
		}
	}
	return true
}

// upperByte upper-cases an ASCII letter and keeps any other byte.
func upperByte(c byte) byte {
	if c >= 'a' && c <= 'z' {
		return c - ('a' - 'A')
	}
	return c
}

// appendUpper appends b to dst with ASCII letters upper-cased.
func appendUpper(dst, b []byte) []byte {
	for _, c := range b {
		dst = append(dst, upperByte(c))
	}
	return dst
}

// upper returns b as an upper-case ASCII string; other bytes are kept.
func upper(b []byte) string {
	return string(appendUpper(make([]byte, 0, len(b)), b))
}
