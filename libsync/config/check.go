package config

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/pimsync-go/libsync/scfg"
)

// spec says what shape one directive takes in one kind of block.
type spec struct {
	min, max int      // number of parameters; max < 0 means no limit
	value    bool     // a Value: one parameter, or a { cmd … } / { shell … } block
	block    bool     // may open a block of its own (storage, pair, collection)
	repeat   bool     // may appear more than once
	types    []string // storage types it belongs to; nil means every type
}

// parser collects the problems of one file; it never stops at the first, so that the
// user can fix them all in one go.
type parser struct {
	file   string
	errs   []*Error
	broken map[string]bool // names of storage blocks too broken to be read
}

func (p *parser) errorf(line, col int, format string, args ...any) {
	p.errs = append(p.errs, &Error{File: p.file, Line: line, Col: col, Msg: fmt.Sprintf(format, args...)})
}

// at reports a problem with directive d as a whole.
func (p *parser) at(d *scfg.Directive, format string, args ...any) {
	p.errorf(d.Line, d.Col, format, args...)
}

// atParam reports a problem with parameter i of d.
func (p *parser) atParam(d *scfg.Directive, i int, format string, args ...any) {
	p.errorf(d.Line, d.ParamCol(i), format, args...)
}

// directives checks the directives of one block against specs: unknown names, repeats of
// single-valued ones, the number of parameters and blocks where none belongs. It returns
// the well-formed directives by name, so that the caller only interprets ones that make
// sense and one mistake is reported once rather than again by every later check.
func (p *parser) directives(where string, blk scfg.Block, specs map[string]spec, hints map[string]string) map[string][]*scfg.Directive {
	good := map[string][]*scfg.Directive{}
	seen := map[string]*scfg.Directive{}
	for _, d := range blk {
		s, ok := specs[d.Name]
		if !ok {
			p.unknown(d, where, specs, hints)
			continue
		}
		if first := seen[d.Name]; first != nil && !s.repeat {
			p.at(d, "duplicate %s in %s (first given at line %d)", d.Name, where, first.Line)
			continue
		}
		seen[d.Name] = d
		if p.shape(d, s) {
			good[d.Name] = append(good[d.Name], d)
		}
	}
	return good
}

// shape checks the parameters and block of d; it reports false after reporting a problem.
func (p *parser) shape(d *scfg.Directive, s spec) bool {
	n := len(d.Params)
	switch {
	case s.value && len(d.Children) > 0 && n > 0:
		p.atParam(d, 0, "%s takes a value or a { cmd … } block, not both", d.Name)
		return false
	case s.value && len(d.Children) > 0:
		return true // the block is checked by value()
	case s.value && n == 0:
		p.at(d, "%s needs a value, or a block { cmd PROG [ARGS…] } or { shell SCRIPT }", d.Name)
		return false
	case !s.block && len(d.Children) > 0:
		p.errorf(d.Children[0].Line, d.Children[0].Col, "%s takes no block", d.Name)
		return false
	case n >= s.min && (s.max < 0 || n <= s.max):
		return true
	}
	col := d.Col
	if n > s.max && s.max >= 0 {
		col = d.ParamCol(s.max) // point at the first one too many
	}
	var want string
	switch {
	case s.max == 0:
		want = "no parameters"
	case s.min == s.max:
		want = plural(s.min, "parameter")
	case s.max < 0:
		want = "at least " + plural(s.min, "parameter")
	default:
		want = fmt.Sprintf("%d or %d parameters", s.min, s.max)
	}
	p.errorf(d.Line, col, "%s takes %s, got %d", d.Name, want, n)
	return false
}

// unknown reports a directive that has no place in its block, with the nearest known
// name when it looks like a typo and a hint for what vdirsyncer users tend to write.
func (p *parser) unknown(d *scfg.Directive, where string, specs map[string]spec, hints map[string]string) {
	if h, ok := hints[d.Name]; ok {
		p.at(d, "unknown directive %s in %s (%s)", scfg.Quote(d.Name), where, h)
		return
	}
	names := make([]string, 0, len(specs))
	for name := range specs {
		names = append(names, name)
	}
	p.at(d, "unknown directive %s in %s%s", scfg.Quote(d.Name), where, didYouMean(d.Name, names))
}

// didYouMean returns " (did you mean X?)" when one of names is a likely typo of s.
func didYouMean(s string, names []string) string {
	names = slices.Sorted(slices.Values(names)) // ties go to the first, whatever map order
	best, bestDist := "", len(s)/3+1
	if bestDist < 2 {
		bestDist = 2 // a short name still deserves one typo
	}
	for _, n := range names {
		if d := distance(strings.ToLower(s), strings.ToLower(n)); d < bestDist {
			best, bestDist = n, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %s?)", best)
}

// distance is the edit distance between a and b in bytes (names are ASCII), counting a
// swap of two neighbours as one edit, like the typos people make (optimal string
// alignment distance).
func distance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 1 << 30 // nobody typos a 64-letter name; keeps the cost bounded
	}
	// rows i-2, i-1 and i of the table.
	pprev, prev, cur := make([]int, len(b)+1), make([]int, len(b)+1), make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] || (a[i-1] == '-' && b[j-1] == '_') {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], pprev[j-2]+1)
			}
		}
		pprev, prev, cur = prev, cur, pprev
	}
	return prev[len(b)]
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// first returns the first directive of a list, or nil.
func first(ds []*scfg.Directive) *scfg.Directive {
	if len(ds) == 0 {
		return nil
	}
	return ds[0]
}

// validID checks a collection ID or alias: it names a directory in a vdir, a URL path
// segment in DAV and the COLLECTION in PAIR/COLLECTION on the command line.
func validID(s string) string {
	switch {
	case s == "":
		return "is empty"
	case s == "." || s == "..":
		return "cannot be . or .."
	case strings.Contains(s, "/"):
		return "cannot contain /"
	}
	return ""
}

// names lists the keys of m, sorted, for messages.
func names[T any](m map[string]T) string {
	if len(m) == 0 {
		return "none are defined"
	}
	ns := make([]string, 0, len(m))
	for n := range m {
		ns = append(ns, scfg.Quote(n))
	}
	sort.Strings(ns)
	return "defined: " + strings.Join(ns, ", ")
}
