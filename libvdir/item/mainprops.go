package item

import (
	"bytes"
	"strings"
)

// PropValue is one property as an item holds it: its value, unescaped only for the
// reader's eyes, and its parameters as written.
type PropValue struct {
	// Value is the property's value with TEXT escapes (\n, \, \; \\) undone; for
	// display only, never to be written back.
	Value string
	// Params are the parameters as written, upper-cased names, e.g. "TZID=Europe/Berlin".
	Params []string
}

// Param returns the value of the parameter name (upper case), unquoted, or "".
func (p PropValue) Param(name string) string {
	for _, kv := range p.Params {
		k, v, ok := strings.Cut(kv, "=")
		if ok && strings.EqualFold(k, name) {
			return strings.Trim(v, `"`)
		}
	}
	return ""
}

// MainProps returns the first value of each of the named properties (upper case) of the
// item's first main component (VEVENT, VTODO, VJOURNAL or VCARD), ignoring properties of
// its sub-components such as VALARM. It only reads: tools show these values (vdirtool
// show, stats) and the item's bytes stay as they are. Missing properties are absent
// from the map; a malformed item yields what could be read.
func MainProps(data []byte, names ...string) map[string]PropValue {
	return firstProps(data, names, isMain)
}

// HeaderProps is MainProps for the outermost component, the VCALENDAR: its own
// properties (X-WR-CALNAME, say), not those of the components it holds.
func HeaderProps(data []byte, names ...string) map[string]PropValue {
	return firstProps(data, names, func(string) bool { return true })
}

// firstProps returns the first value of each of the named properties of the first
// component that pick accepts, leaving out those of its sub-components.
func firstProps(data []byte, names []string, pick func(component string) bool) map[string]PropValue {
	want := make(map[string]bool, len(names))
	for _, n := range names {
		want[strings.ToUpper(n)] = true
	}
	out := map[string]PropValue{}
	depth := 0    // open components
	mainAt := -1  // depth of the picked component while it is open
	done := false // the picked component has ended
	for _, l := range Unfold(data) {
		if done {
			break
		}
		head, value, ok := splitValue(l.Text)
		if !ok {
			continue
		}
		name, params := propName(head)
		switch name {
		case "BEGIN":
			depth++
			if mainAt < 0 && pick(upper(bytes.TrimSpace(value))) {
				mainAt = depth
			}
			continue
		case "END":
			if depth == mainAt {
				done = true
			}
			depth--
			continue
		}
		if mainAt < 0 || depth != mainAt || !want[name] {
			continue
		}
		if _, seen := out[name]; seen {
			continue
		}
		out[name] = PropValue{Value: unescapeText(string(value)), Params: splitParams(params)}
	}
	return out
}

// splitParams splits a parameter list at semicolons outside quotes.
func splitParams(params []byte) []string {
	if len(params) == 0 {
		return nil
	}
	var out []string
	for _, p := range splitOutsideQuotes(params, ';') {
		out = append(out, string(p))
	}
	return out
}

// unescapeText undoes the TEXT escapes of RFC 5545 §3.3.11 and RFC 6350 §3.4.
func unescapeText(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
			switch s[i] {
			case 'n', 'N':
				b.WriteByte('\n')
			default:
				b.WriteByte(s[i])
			}
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
