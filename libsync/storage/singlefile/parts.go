package singlefile

import (
	"bytes"
	"slices"
)

// parts is a calendar item cut where item.Join needs it, found once when the item
// enters the cache, so that rewriting the file is concatenation rather than parsing
// every item again on every write: that parse was nine tenths of a sync's time into a
// file of thousands of items (BenchmarkSync).
type parts struct {
	begin, end []byte   // the BEGIN:VCALENDAR and END:VCALENDAR lines
	header     []byte   // the calendar's property lines
	tzs        []tzPart // VTIMEZONEs in item order
	body       []byte   // the main components, in item order
}

// tzPart is one VTIMEZONE and its TZID.
type tzPart struct {
	id   string
	data []byte
}

// cutParts cuts an item as item.Split makes them: one VCALENDAR whose lines all end
// in a line break, with BEGIN and END lines unfolded. It returns nil for anything else
// (a folded BEGIN line, a VTIMEZONE with a folded TZID), and the caller then leaves
// the work to item.Join, which handles every item it can parse.
func cutParts(data []byte) *parts {
	p := &parts{}
	depth := 0
	var comp string // the depth-2 component being read
	var compStart int
	var tzid string
	for off := 0; off < len(data); {
		n := bytes.IndexByte(data[off:], '\n')
		if n < 0 {
			return nil // a last line without an ending: Join adds one
		}
		line := data[off : off+n+1]
		start := off
		off += n + 1
		text := bytes.TrimRight(line, "\r\n")
		begin, isBegin := cutName(text, "BEGIN:")
		end, isEnd := cutName(text, "END:")
		if !isBegin && !isEnd && (hasFold(text, "BEGIN") || hasFold(text, "END")) {
			return nil // BEGIN with parameters, or a property named like it: leave it to Join
		}
		switch {
		case isBegin && depth == 0:
			if begin != "VCALENDAR" || p.begin != nil {
				return nil
			}
			p.begin = line
			depth = 1
		case isBegin && depth == 1:
			comp, compStart, tzid = begin, start, ""
			depth = 2
		case isBegin:
			depth++
		case isEnd && depth == 1:
			if end != "VCALENDAR" {
				return nil
			}
			p.end = line
			depth = 0
		case isEnd && depth == 2:
			if end != comp {
				return nil
			}
			if comp == "VTIMEZONE" {
				if tzid == "" {
					return nil
				}
				p.tzs = append(p.tzs, tzPart{id: tzid, data: data[compStart:off]})
			} else {
				p.body = append(p.body, data[compStart:off]...)
			}
			depth = 1
		case isEnd:
			depth--
		case depth == 0:
			return nil // a line outside the calendar
		case depth == 1:
			p.header = append(p.header, line...)
		case depth == 2 && comp == "VTIMEZONE" && tzid == "":
			if _, ok := cutName(text, "TZID:"); ok {
				// A folded TZID would need unfolding; Join knows how.
				if off < len(data) && (data[off] == ' ' || data[off] == '\t') {
					return nil
				}
				tzid = string(bytes.TrimSpace(text[len("TZID:"):])) // as written, as Split keys it
			}
		}
	}
	if depth != 0 || p.begin == nil || p.end == nil {
		return nil
	}
	return p
}

// cutName reports whether line starts with prefix (a property name and its colon, in
// any case), and returns the upper-cased, trimmed rest.
func cutName(line []byte, prefix string) (string, bool) {
	if len(line) < len(prefix) || !bytes.EqualFold(line[:len(prefix)], []byte(prefix)) {
		return "", false
	}
	return string(bytes.ToUpper(bytes.TrimSpace(line[len(prefix):]))), true
}

// hasFold reports whether line starts with name followed by ';' or ':' or nothing.
func hasFold(line []byte, name string) bool {
	if len(line) < len(name) || !bytes.EqualFold(line[:len(name)], []byte(name)) {
		return false
	}
	return len(line) == len(name) || line[len(name)] == ';' || line[len(name)] == ':'
}

// joinParts is item.Join over items already cut: the first item's BEGIN, header and
// END lines, each TZID's first VTIMEZONE, and every item's components in order.
func joinParts(items []*parts) []byte {
	size := len(items[0].begin) + len(items[0].header) + len(items[0].end)
	for _, p := range items {
		size += len(p.body)
	}
	out := make([]byte, 0, size)
	out = append(out, items[0].begin...)
	out = append(out, items[0].header...)
	var seen []string // few distinct time zones: a slice beats a map
	for _, p := range items {
		for _, tz := range p.tzs {
			if !slices.Contains(seen, tz.id) {
				seen = append(seen, tz.id)
				out = append(out, tz.data...)
			}
		}
	}
	for _, p := range items {
		out = append(out, p.body...)
	}
	return append(out, items[0].end...)
}
