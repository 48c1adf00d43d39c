package item

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
)

// ignoredProps are left out of Hash: servers rewrite them without any change a person
// made (PRODID names the last writer, DTSTAMP and LAST-MODIFIED are set on every save,
// REV is vCard's LAST-MODIFIED).
var ignoredProps = map[string]bool{
	"PRODID":        true,
	"DTSTAMP":       true,
	"LAST-MODIFIED": true,
	"REV":           true,
}

// Hash returns the hex SHA-256 of a normalised form of the item, so that the same
// content hashes the same however a server stored it. Normalising:
//   - unfolds lines and ignores line endings and blank lines;
//   - upper-cases property and parameter names and vCard groups;
//   - drops PRODID, DTSTAMP, LAST-MODIFIED and REV;
//   - orders parameters and their values, and drops quotes a value does not need;
//   - orders the parts of RRULE and EXRULE values;
//   - orders the properties and the sub-components (VTIMEZONEs, recurrence overrides)
//     of every component, since their order carries no meaning.
//
// Property values are compared exactly. Hash is meant for change detection and for
// naming items without a UID; it never changes the item. Malformed input hashes too.
func Hash(data []byte) string {
	root := &node{}
	stack := []*node{root}
	var nameBuf [32]byte // most names fit: no allocation to look at one
	for _, l := range Unfold(data) {
		top := stack[len(stack)-1]
		head, value, ok := splitValue(l.Text)
		if !ok {
			top.props = append(top.props, string(bytes.TrimRight(l.Text, " \t")))
			continue
		}
		name := appendUpper(nameBuf[:0], baseName(head))
		switch string(name) {
		case "BEGIN":
			n := &node{name: upper(bytes.TrimSpace(value))}
			top.children = append(top.children, n)
			stack = append(stack, n)
			continue
		case "END":
			if i := openAt(stack, upper(bytes.TrimSpace(value))); i > 0 {
				stack = stack[:i]
				continue
			}
		}
		if ignoredProps[string(name)] {
			continue
		}
		rule := string(name) == "RRULE" || string(name) == "EXRULE"
		top.props = append(top.props, normalizeLine(rule, head, value))
	}
	sum := root.sum()
	return hex.EncodeToString(sum[:])
}

// node is a component in Hash's tree.
type node struct {
	name     string
	props    []string
	children []*node
}

// sum hashes n in canonical form: its sorted properties, then the sorted hashes of its
// children. Hashing each child once and sorting the 32-byte results keeps the work
// linear in the item's size, however deeply components nest.
func (n *node) sum() [sha256.Size]byte {
	slices.Sort(n.props)
	kids := make([][sha256.Size]byte, len(n.children))
	for i, c := range n.children {
		kids[i] = c.sum()
	}
	slices.SortFunc(kids, func(a, b [sha256.Size]byte) int { return bytes.Compare(a[:], b[:]) })
	// The canonical form in one buffer, hashed at once.
	size := 2*len(n.name) + 12 + len(kids)*(2*sha256.Size+1)
	for _, p := range n.props {
		size += len(p) + 1
	}
	b := make([]byte, 0, size)
	if n.name != "" {
		b = append(append(append(b, "BEGIN:"...), n.name...), '\n')
	}
	for _, p := range n.props {
		b = append(append(b, p...), '\n')
	}
	for _, k := range kids {
		b = append(hex.AppendEncode(b, k[:]), '\n')
	}
	if n.name != "" {
		b = append(append(append(b, "END:"...), n.name...), '\n')
	}
	return sha256.Sum256(b)
}

// openAt returns the stack length that remains after closing the innermost open
// component called name, or 0 when none is open (then END is kept as a property).
func openAt(stack []*node, name string) int {
	for i := len(stack) - 1; i > 0; i-- {
		if stack[i].name == name {
			return i
		}
	}
	return 0
}

// normalizeLine writes a content line in canonical form: upper-case [group.]name,
// parameters merged by name and sorted, values sorted and unquoted where quotes are not
// needed, then the value with trailing white space removed. name is the property name
// as propName returns it. rule says the property is an RRULE or EXRULE.
func normalizeLine(rule bool, head, value []byte) string {
	value = bytes.TrimRight(value, " \t")
	nameEnd := bytes.IndexByte(head, ';')
	if nameEnd < 0 && !rule {
		// Most lines: no parameters, one allocation.
		var b strings.Builder
		b.Grow(len(head) + 1 + len(value))
		writeUpper(&b, head)
		b.WriteByte(':')
		b.Write(value)
		return b.String()
	}
	if nameEnd < 0 {
		nameEnd = len(head)
	}
	var b strings.Builder
	writeUpper(&b, head[:nameEnd])
	if nameEnd < len(head) {
		params := map[string][]string{}
		for _, p := range splitOutsideQuotes(head[nameEnd+1:], ';') {
			pname, pval, _ := bytes.Cut(p, []byte{'='})
			key := upper(bytes.TrimSpace(pname))
			for _, v := range splitOutsideQuotes(pval, ',') {
				params[key] = append(params[key], unquote(v))
			}
		}
		keys := make([]string, 0, len(params))
		for k := range params {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			vals := params[k]
			slices.Sort(vals)
			b.WriteByte(';')
			b.WriteString(k)
			b.WriteByte('=')
			for i, v := range vals {
				if i > 0 {
					b.WriteByte(',')
				}
				b.WriteString(v)
			}
		}
	}
	b.WriteByte(':')
	if rule {
		// The parts of a recurrence rule may come in any order (RFC 5545 §3.3.10), and
		// Xandikos reorders them.
		parts := bytes.Split(value, []byte{';'})
		slices.SortFunc(parts, bytes.Compare)
		value = bytes.Join(parts, []byte{';'})
	}
	b.Write(value)
	return b.String()
}

// splitOutsideQuotes splits s at each sep that is not inside double quotes.
func splitOutsideQuotes(s []byte, sep byte) [][]byte {
	var parts [][]byte
	quoted := false
	start := 0
	for i, c := range s {
		switch {
		case c == '"':
			quoted = !quoted
		case c == sep && !quoted:
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
}

// unquote removes the double quotes around a parameter value when the value does not
// need them (RFC 5545 §3.2: quotes are required only around ':', ';' and ',').
func unquote(v []byte) string {
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
		inner := v[1 : len(v)-1]
		if !bytes.ContainsAny(inner, ":;,") {
			return string(inner)
		}
	}
	return string(v)
}
