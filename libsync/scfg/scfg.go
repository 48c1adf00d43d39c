// Package scfg reads and writes scfg, the configuration format of pimsync.conf
// (https://git.sr.ht/~emersion/scfg).
//
// A file is a list of directives, one per line: a name, then parameters, all separated
// by spaces or tabs. A word may be double-quoted ("a b", with backslash escapes),
// single-quoted ('a b', taken literally) or bare; a backslash in a bare word escapes the
// next character, and quoted and bare parts may be joined ("a"'b'c is abc). A directive
// whose last word is a bare { opens a block of child directives that ends at a line
// holding only }. A line whose first non-blank character is # is a comment; elsewhere
// # is an ordinary character. Lines may end in LF or CRLF.
//
// The parser is stricter than the grammar strictly needs, because every file it reads is
// written by hand: a bare { or } anywhere but in those two places, control characters,
// NUL bytes and invalid UTF-8 are errors with a line and column rather than surprises
// later. Lines and nesting are bounded (MaxLineLen, MaxDepth) so that no input can make
// the parser use unbounded memory or stack.
package scfg

import "fmt"

// Limits on what Parse accepts. Real configuration files are nowhere near them; they exist
// so that a corrupt or hostile file cannot exhaust memory or blow a stack.
const (
	// MaxLineLen is the longest line, in bytes without the line ending.
	MaxLineLen = 1 << 20
	// MaxDepth is how deeply blocks may nest; top-level directives are at depth 0.
	MaxDepth = 100
)

// A Directive is one line of the file, with the block it opens, if any.
type Directive struct {
	Name     string
	Params   []string
	Children Block // nil when the directive opens no block or an empty one

	// Where the directive was read; zero for directives built by hand. Columns count
	// characters (not bytes), from 1, and a tab counts as one.
	Line, Col int
	// ParamCols holds the column of each parameter, so that callers can point at the
	// bad value rather than at its directive. It is empty for hand-built directives.
	ParamCols []int
}

// ParamCol returns the column of parameter i, or the directive's column when it is not
// known.
func (d *Directive) ParamCol(i int) int {
	if i >= 0 && i < len(d.ParamCols) {
		return d.ParamCols[i]
	}
	return d.Col
}

// A Block is a list of directives: the whole file, or the children of one directive.
type Block []*Directive

// Get returns the first directive called name, or nil.
func (b Block) Get(name string) *Directive {
	for _, d := range b {
		if d != nil && d.Name == name {
			return d
		}
	}
	return nil
}

// GetAll returns every directive called name, in file order.
func (b Block) GetAll(name string) []*Directive {
	var all []*Directive
	for _, d := range b {
		if d != nil && d.Name == name {
			all = append(all, d)
		}
	}
	return all
}

// Error is a syntax error, at a line and column (both from 1; columns count characters).
type Error struct {
	Line, Col int
	Msg       string
}

// Error returns "LINE:COL: message".
func (e *Error) Error() string { return fmt.Sprintf("%d:%d: %s", e.Line, e.Col, e.Msg) }
