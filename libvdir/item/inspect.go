package item

import (
	"bytes"
	"fmt"
	"unicode/utf8"
)

// Kind is the type of an item's main component.
type Kind string

// The main component kinds of the items a vdir holds.
const (
	Event   Kind = "VEVENT"
	Todo    Kind = "VTODO"
	Journal Kind = "VJOURNAL"
	Card    Kind = "VCARD"
)

// isMain reports whether a component name is one of the main kinds.
func isMain(name string) bool {
	switch Kind(name) {
	case Event, Todo, Journal, Card:
		return true
	}
	return false
}

// Info is what Inspect learns about an item.
type Info struct {
	// Kind is the kind of the first main component, or "" when there is none.
	Kind Kind
	// UID is the first UID property of the first main component that has one, with
	// surrounding white space removed; "" when no main component has a UID.
	UID string
	// UIDs lists the distinct UIDs of all main components in order of appearance.
	// Recurrence overrides share their master's UID, so a well-formed item has at most
	// one; more than one means several items were stored in one file.
	UIDs []string
	// Components counts the main components.
	Components int
	// MissingUID counts the main components without a UID property.
	MissingUID int
}

// A SyntaxError describes why an item is not a well-formed iCalendar or vCard object.
type SyntaxError struct {
	Line int // 1-based physical line number, or 0 when the problem is the whole item
	Msg  string
}

// Error returns the message, prefixed with the line number when there is one.
func (e *SyntaxError) Error() string {
	if e.Line == 0 {
		return e.Msg
	}
	return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
}

// frame is an open component while Inspect walks an item.
type frame struct {
	name string
	line int
	main bool // a main component (not nested in another main one)
	uid  bool // a UID property was seen directly in it
}

// Inspect reads an item's main component kind and UIDs and checks its structure:
// every line has a name and a value, BEGIN and END pair up, properties sit inside a
// component, the text is UTF-8 without NUL bytes, and there is a main component
// (VEVENT, VTODO, VJOURNAL or VCARD).
//
// A UID counts only when it belongs directly to a main component: the UID of a VALARM
// (RFC 9074) or of a vCard 2.1 AGENT's embedded card does not name the item. Property
// names are compared case-insensitively and vCard group prefixes are ignored.
//
// Inspect always returns what it could learn; the error, a *SyntaxError, reports the
// first structural problem found.
func Inspect(data []byte) (Info, error) {
	sc := getScratch()
	defer sc.put()
	return inspect(data, sc.unfold(data))
}

// InspectHash returns what Inspect and Hash return, reading the item once: a sync
// wants both of every item it reads.
func InspectHash(data []byte) (Info, string, error) {
	sc := getScratch()
	defer sc.put()
	lines := sc.unfold(data)
	info, err := inspect(data, lines)
	return info, hash(data, lines, sc), err
}

// inspect is Inspect on the lines Unfold made of data.
func inspect(data []byte, lines []Line) (Info, error) {
	var info Info
	var firstErr *SyntaxError
	fail := func(line int, format string, args ...any) {
		if firstErr == nil {
			firstErr = &SyntaxError{Line: line, Msg: fmt.Sprintf(format, args...)}
		}
	}

	if i := bytes.IndexByte(data, 0); i >= 0 {
		fail(bytes.Count(data[:i], []byte{'\n'})+1, "NUL byte: this is not a text file")
	} else if !utf8.Valid(data) {
		fail(invalidUTF8Line(data), "text is not valid UTF-8")
	}

	if len(lines) == 0 {
		fail(0, "empty item")
	}
	var stack []frame
	inMain := 0          // number of open main components (nested ones count once)
	var nameBuf [32]byte // most names fit: no allocation to look at one
	for _, l := range lines {
		head, value, ok := splitValue(l.Text)
		if !ok {
			fail(l.Num, "no ':' between property name and value: %q", clip(l.Text))
			continue
		}
		if !validName(head) {
			fail(l.Num, "invalid property name %q", clip(head))
			continue
		}
		name := appendUpper(nameBuf[:0], baseName(head))
		switch string(name) {
		case "BEGIN":
			comp := upper(bytes.TrimSpace(value))
			if comp == "" {
				fail(l.Num, "BEGIN without a component name")
			}
			f := frame{name: comp, line: l.Num, main: inMain == 0 && isMain(comp)}
			if f.main {
				inMain++
				info.Components++
				if info.Kind == "" {
					info.Kind = Kind(comp)
				}
			}
			stack = append(stack, f)
		case "END":
			comp := upper(bytes.TrimSpace(value))
			if len(stack) == 0 {
				fail(l.Num, "END:%s without a BEGIN", comp)
				continue
			}
			top := stack[len(stack)-1]
			if top.name != comp {
				fail(l.Num, "END:%s does not close BEGIN:%s of line %d", comp, top.name, top.line)
			}
			stack = stack[:len(stack)-1]
			if top.main {
				inMain--
				if !top.uid {
					info.MissingUID++
				}
			}
		default:
			if len(stack) == 0 {
				fail(l.Num, "property %s outside any BEGIN/END component", name)
				continue
			}
			top := &stack[len(stack)-1]
			if string(name) == "UID" && top.main && !top.uid {
				uid := string(bytes.TrimSpace(value))
				if uid == "" {
					continue // an empty UID names nothing
				}
				top.uid = true
				if info.UID == "" {
					info.UID = uid
				}
				if !contains(info.UIDs, uid) {
					info.UIDs = append(info.UIDs, uid)
				}
			}
		}
	}
	for i := len(stack) - 1; i >= 0; i-- {
		fail(0, "missing END:%s for BEGIN:%s of line %d", stack[i].name, stack[i].name, stack[i].line)
		if stack[i].main && !stack[i].uid {
			info.MissingUID++
		}
	}
	if len(lines) > 0 && info.Components == 0 {
		fail(0, "no VEVENT, VTODO, VJOURNAL or VCARD component")
	}
	if firstErr != nil {
		return info, firstErr
	}
	return info, nil
}

// UID returns the item's UID as Inspect finds it, or "" when it has none. Malformed
// items still yield the UID of their first main component when one can be found.
func UID(data []byte) string {
	info, _ := Inspect(data)
	return info.UID
}

// ComponentKind returns the kind of the item's first main component, or "".
func ComponentKind(data []byte) Kind {
	info, _ := Inspect(data)
	return info.Kind
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// invalidUTF8Line returns the 1-based line number of the first invalid UTF-8 sequence.
func invalidUTF8Line(data []byte) int {
	line := 1
	for len(data) > 0 {
		r, size := utf8.DecodeRune(data)
		if r == utf8.RuneError && size <= 1 {
			return line
		}
		if r == '\n' {
			line++
		}
		data = data[size:]
	}
	return line
}

// clip shortens a quoted piece of input so a message about junk stays readable.
func clip(b []byte) string {
	const max = 40
	if len(b) <= max {
		return string(b)
	}
	return string(b[:max]) + "…"
}
