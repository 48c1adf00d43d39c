package item

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"slices"
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
	sc := getScratch()
	defer sc.put()
	return hash(data, sc.unfold(data), sc)
}

// hash is Hash on the lines Unfold made of data, working in sc.
func hash(data []byte, lines []Line, sc *scratch) string {
	tree := append(sc.tree[:0], node{}) // tree[0] holds what is outside every component
	stack := append(sc.stack[:0], 0)    // the open components, as indexes into tree
	// Every component's lines in one list, sorted once by component and then by
	// text: a component's properties end up side by side, in order.
	props := sc.props[:0]
	if cap(props) < len(lines) {
		props = make([]prop, 0, len(lines))
	}
	norm := sc.norm[:0] // the lines appendNormalized rewrote, one after another
	defer func() { sc.tree, sc.stack, sc.props, sc.norm = tree, stack, props, norm }()
	var nameBuf, endBuf [32]byte // most names fit: no allocation to look at one
	for _, l := range lines {
		top := stack[len(stack)-1]
		head, value, ok := splitValue(l.Text)
		if !ok {
			props = append(props, prop{top, bytes.TrimRight(l.Text, " \t")})
			continue
		}
		name := appendUpper(nameBuf[:0], baseName(head))
		switch string(name) {
		case "BEGIN":
			tree = append(tree, node{name: upper(bytes.TrimSpace(value))})
			tree[top].children = append(tree[top].children, len(tree)-1)
			stack = append(stack, len(tree)-1)
			continue
		case "END":
			if i := openAt(tree, stack, appendUpper(endBuf[:0], bytes.TrimSpace(value))); i > 0 {
				stack = stack[:i]
				continue
			}
		}
		if ignoredProps[string(name)] {
			continue
		}
		rule := string(name) == "RRULE" || string(name) == "EXRULE"
		if !rule && isCanonicalName(head) {
			// Most lines are already in normal form but for trailing white space: the
			// line itself, trimmed, serves (head and value are l.Text's two halves).
			props = append(props, prop{top, l.Text[:len(head)+1+len(bytes.TrimRight(value, " \t"))]})
			continue
		}
		start := len(norm)
		norm = appendNormalized(norm, rule, head, value)
		props = append(props, prop{top, norm[start:len(norm):len(norm)]})
	}
	slices.SortFunc(props, func(a, b prop) int {
		if a.node != b.node {
			return a.node - b.node
		}
		return bytes.Compare(a.text, b.text)
	})
	for i := 0; i < len(props); {
		j := i + 1
		for j < len(props) && props[j].node == props[i].node {
			j++
		}
		tree[props[i].node].props = props[i:j]
		i = j
	}
	buf := sc.buf[:0]
	if cap(buf) < len(data)+2*sha256.Size+32 {
		buf = make([]byte, 0, len(data)+2*sha256.Size+32)
	}
	sum := sumNode(tree, 0, &buf)
	sc.buf = buf
	return hex.EncodeToString(sum[:])
}

// isCanonicalName reports whether a head is a bare name with no parameters and no
// lower-case letters, which appendNormalized would leave as it is.
func isCanonicalName(head []byte) bool {
	for _, c := range head {
		if c == ';' || c >= 'a' && c <= 'z' {
			return false
		}
	}
	return true
}

// node is a component in Hash's tree.
type node struct {
	name     string
	props    []prop // sorted
	children []int  // indexes into the tree
}

// prop is a normalised line of the component tree[node]; most are slices of the
// item's own bytes.
type prop struct {
	node int
	text []byte
}

// sumNode hashes tree[n] in canonical form: its sorted properties, then the sorted
// hashes of its children. Hashing each child once and sorting the 32-byte results keeps
// the work linear in the item's size, however deeply components nest. buf is scratch
// space shared by the whole tree, so that the canonical form costs no allocation per
// component.
func sumNode(tree []node, n int, buf *[]byte) [sha256.Size]byte {
	var kids [][sha256.Size]byte
	if c := tree[n].children; len(c) > 0 {
		kids = make([][sha256.Size]byte, len(c))
		for i, child := range c {
			kids[i] = sumNode(tree, child, buf)
		}
		slices.SortFunc(kids, func(a, b [sha256.Size]byte) int { return bytes.Compare(a[:], b[:]) })
	}
	name := tree[n].name
	b := (*buf)[:0]
	if name != "" {
		b = append(append(append(b, "BEGIN:"...), name...), '\n')
	}
	for _, p := range tree[n].props {
		b = append(append(b, p.text...), '\n')
	}
	for _, k := range kids {
		b = append(hex.AppendEncode(b, k[:]), '\n')
	}
	if name != "" {
		b = append(append(append(b, "END:"...), name...), '\n')
	}
	*buf = b
	return sha256.Sum256(b)
}

// openAt returns the stack length that remains after closing the innermost open
// component called name, or 0 when none is open (then END is kept as a property).
func openAt(tree []node, stack []int, name []byte) int {
	for i := len(stack) - 1; i > 0; i-- {
		if tree[stack[i]].name == string(name) {
			return i
		}
	}
	return 0
}

// appendNormalized appends a content line in canonical form to b: upper-case
// [group.]name, parameters merged by name and sorted, values sorted and unquoted where
// quotes are not needed, then the value with trailing white space removed. rule says the
// property is an RRULE or EXRULE.
func appendNormalized(b []byte, rule bool, head, value []byte) []byte {
	value = bytes.TrimRight(value, " \t")
	nameEnd := bytes.IndexByte(head, ';')
	if nameEnd < 0 {
		nameEnd = len(head)
	}
	b = appendUpper(b, head[:nameEnd])
	if nameEnd < len(head) {
		b = appendParams(b, head[nameEnd+1:])
	}
	b = append(b, ':')
	if rule {
		// The parts of a recurrence rule may come in any order (RFC 5545 §3.3.10), and
		// Xandikos reorders them.
		parts := bytes.Split(value, []byte{';'})
		slices.SortFunc(parts, bytes.Compare)
		value = bytes.Join(parts, []byte{';'})
	}
	return append(b, value...)
}

// param is one value of a parameter: a line's ";ROLE=A,B" gives two.
type param struct{ name, value []byte }

// appendParams appends a line's parameters (what follows the name's ';') to b in
// canonical form: each name once, upper-case, with all its values sorted, names in
// order. Sorting name-value pairs and merging runs of one name gives just that.
func appendParams(b, params []byte) []byte {
	var buf [8]param // most lines have a few: no allocation for the list
	ps := buf[:0]
	eachOutsideQuotes(params, ';', func(p []byte) {
		pname, pval, _ := bytes.Cut(p, []byte{'='})
		name := bytes.TrimSpace(pname)
		if !isCanonicalName(name) {
			name = appendUpper(nil, name)
		}
		eachOutsideQuotes(pval, ',', func(v []byte) {
			ps = append(ps, param{name, unquote(v)})
		})
	})
	slices.SortFunc(ps, func(x, y param) int {
		if c := bytes.Compare(x.name, y.name); c != 0 {
			return c
		}
		return bytes.Compare(x.value, y.value)
	})
	for i, p := range ps {
		if i > 0 && bytes.Equal(p.name, ps[i-1].name) {
			b = append(b, ',')
		} else {
			b = append(append(append(b, ';'), p.name...), '=')
		}
		b = append(b, p.value...)
	}
	return b
}

// eachOutsideQuotes calls fn with each part of s between seps that are not inside
// double quotes; s with no sep is one part, and so is an empty s.
func eachOutsideQuotes(s []byte, sep byte, fn func([]byte)) {
	quoted := false
	start := 0
	for i, c := range s {
		switch {
		case c == '"':
			quoted = !quoted
		case c == sep && !quoted:
			fn(s[start:i])
			start = i + 1
		}
	}
	fn(s[start:])
}

// splitOutsideQuotes splits s at each sep that is not inside double quotes.
func splitOutsideQuotes(s []byte, sep byte) [][]byte {
	var parts [][]byte
	eachOutsideQuotes(s, sep, func(p []byte) { parts = append(parts, p) })
	return parts
}

// unquote removes the double quotes around a parameter value when the value does not
// need them (RFC 5545 §3.2: quotes are required only around ':', ';' and ',').
func unquote(v []byte) []byte {
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
		inner := v[1 : len(v)-1]
		if !bytes.ContainsAny(inner, ":;,") {
			return inner
		}
	}
	return v
}
