// Package canon compares iCalendar and vCard items the way a server may legitimately
// rewrite them: servers such as Radicale parse every item they store and serialize it
// again, which reorders properties, parameters and the parts of recurrence rules, quotes
// parameter values differently, writes durations another way and folds lines elsewhere. Two items are the same when their canonical forms are.
package canon

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Form returns the canonical form of an item: its content lines unfolded, each with an
// upper-case name and its parameters sorted and unquoted, durations in seconds and
// recurrence rules with their parts sorted, the lines sorted.
func Form(data []byte) []string {
	data = bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
	data = bytes.ReplaceAll(data, []byte("\n "), nil)
	data = bytes.ReplaceAll(data, []byte("\n\t"), nil)
	var out []string
	for _, l := range strings.Split(string(data), "\n") {
		if l != "" {
			out = append(out, line(l))
		}
	}
	sort.Strings(out)
	return out
}

// line canonicalizes one unfolded content line: NAME;PARAM=VALUE...:VALUE.
func line(l string) string {
	head, value := l, ""
	if i := unquoted(l, ':'); i >= 0 {
		head, value = l[:i], l[i+1:]
	}
	parts := split(head)
	params := parts[1:]
	for i, p := range params {
		k, v, _ := strings.Cut(p, "=")
		params[i] = strings.ToUpper(k) + "=" + strings.ReplaceAll(v, `"`, "")
	}
	sort.Strings(params)
	name := strings.ToUpper(parts[0])
	switch name {
	case "DURATION", "TRIGGER":
		value = duration(value)
	case "RRULE", "EXRULE":
		// Its parts in any order (RFC 5545 3.3.10), as servers reorder them.
		rule := strings.Split(strings.ToUpper(value), ";")
		sort.Strings(rule)
		value = strings.Join(rule, ";")
	}
	return strings.Join(append([]string{name}, params...), ";") + ":" + value
}

// duration writes an RFC 5545 duration (3.3.6) as signed seconds, since servers
// normalize them (PT90M becomes PT1H30M); anything else is returned as it is.
func duration(v string) string {
	s, sign := strings.ToUpper(v), ""
	if s != "" && (s[0] == '+' || s[0] == '-') {
		sign, s = s[:1], s[1:]
	}
	if sign == "+" {
		sign = ""
	}
	if !strings.HasPrefix(s, "P") || len(s) < 3 {
		return v
	}
	units := map[byte]int{'W': 7 * 86400, 'D': 86400, 'H': 3600, 'M': 60, 'S': 1}
	total, n, digits, timePart := 0, 0, false, false
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			n, digits = n*10+int(c-'0'), true
		case c == 'T' && !timePart && !digits:
			timePart = true
		case digits && units[c] != 0 && (c != 'M' || timePart):
			total += n * units[c]
			n, digits = 0, false
		default:
			return v
		}
	}
	if digits {
		return v
	}
	return fmt.Sprintf("%s%ds", sign, total)
}

// unquoted returns the index of the first c outside double quotes, or -1.
func unquoted(s string, c byte) int {
	quoted := false
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '"':
			quoted = !quoted
		case s[i] == c && !quoted:
			return i
		}
	}
	return -1
}

// split splits s at every ';' outside double quotes.
func split(s string) []string {
	var out []string
	for {
		i := unquoted(s, ';')
		if i < 0 {
			return append(out, s)
		}
		out, s = append(out, s[:i]), s[i+1:]
	}
}

// Dirs compares the item files (ending in ext) of two directories and returns one line
// per difference: a file on one side only, or one whose canonical forms differ.
func Dirs(a, b, ext string) ([]string, error) {
	fa, err := items(a, ext)
	if err != nil {
		return nil, err
	}
	fb, err := items(b, ext)
	if err != nil {
		return nil, err
	}
	var diffs []string
	for name, da := range fa {
		db, ok := fb[name]
		switch {
		case !ok:
			diffs = append(diffs, "only in "+a+": "+name)
		case strings.Join(Form(da), "\n") != strings.Join(Form(db), "\n"):
			diffs = append(diffs, "differs: "+name)
		}
	}
	for name := range fb {
		if _, ok := fa[name]; !ok {
			diffs = append(diffs, "only in "+b+": "+name)
		}
	}
	sort.Strings(diffs)
	return diffs, nil
}

// items reads the files of dir whose names end in ext.
func items(dir, ext string) (map[string][]byte, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	out := map[string][]byte{}
	for _, e := range ents {
		if !e.Type().IsRegular() || !strings.HasSuffix(e.Name(), ext) {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		out[e.Name()] = data
	}
	return out, nil
}
