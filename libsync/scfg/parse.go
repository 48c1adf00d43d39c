package scfg

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// errLineTooLong is internal: Parse turns it into an *Error at the line's position.
var errLineTooLong = errors.New("line too long")

// Parse reads a whole file. A syntax error is returned as an *Error and stops the parse,
// because after one the structure of the rest of the file is guesswork; an error from r
// is returned wrapped, with the line it happened on.
func Parse(r io.Reader) (Block, error) {
	br := bufio.NewReader(r)
	var (
		root  Block
		stack []*Directive // directives whose blocks are open, innermost last
		buf   []byte
		line  int
	)
	for {
		raw, more, err := readLine(br, buf[:0])
		buf = raw
		if err == errLineTooLong {
			return nil, &Error{line + 1, 1, fmt.Sprintf("line is longer than %d bytes", MaxLineLen)}
		}
		if err != nil {
			return nil, fmt.Errorf("scfg: reading line %d: %w", line+1, err)
		}
		if !more && len(raw) == 0 {
			break // a last line without a newline would be processed below
		}
		line++
		raw = bytes.TrimSuffix(raw, []byte("\r"))
		if line == 1 {
			// Some editors on Windows start a UTF-8 file with a byte order mark.
			raw = bytes.TrimPrefix(raw, []byte("\ufeff"))
		}
		if err := checkText(raw, line); err != nil {
			return nil, err
		}
		if err := parseLine(string(raw), line, &root, &stack); err != nil {
			return nil, err
		}
		if !more {
			break
		}
	}
	if len(stack) > 0 {
		d := stack[len(stack)-1]
		return nil, &Error{d.Line, d.Col, fmt.Sprintf("block of %s is not closed: missing } before the end of the file (line %d)", Quote(d.Name), line)}
	}
	return root, nil
}

// readLine reads one line into buf, without its LF; more is false at the end of the input.
// It stops reading once the line is over MaxLineLen, so memory stays bounded.
func readLine(br *bufio.Reader, buf []byte) (line []byte, more bool, err error) {
	for {
		chunk, err := br.ReadSlice('\n')
		if len(buf)+len(chunk) > MaxLineLen+2 { // +2: room for CR LF
			return buf, false, errLineTooLong
		}
		buf = append(buf, chunk...)
		switch err {
		case nil:
			buf = buf[:len(buf)-1]
			if len(bytes.TrimSuffix(buf, []byte("\r"))) > MaxLineLen {
				return buf, false, errLineTooLong
			}
			return buf, true, nil
		case bufio.ErrBufferFull:
			continue
		case io.EOF:
			if len(bytes.TrimSuffix(buf, []byte("\r"))) > MaxLineLen {
				return buf, false, errLineTooLong
			}
			return buf, false, nil
		default:
			return buf, false, err
		}
	}
}

// checkText rejects what has no place in a text file: invalid UTF-8, NUL and other
// control characters (tab aside). The grammar has no escape that could need them, so they
// are always a mistake, such as a binary file or a stray CR from a mangled line ending.
func checkText(b []byte, line int) error {
	col := 0
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		col++
		switch {
		case r == utf8.RuneError && n <= 1:
			return &Error{line, col, "invalid UTF-8"}
		case r == 0:
			return &Error{line, col, "NUL byte"}
		case r == '\r':
			return &Error{line, col, "carriage return inside a line (only LF and CRLF line endings are understood)"}
		case r < 0x20 && r != '\t':
			return &Error{line, col, fmt.Sprintf("control character %U", r)}
		}
		b = b[n:]
	}
	return nil
}

// word is one word of a line, with what the structure checks need to know about it.
type word struct {
	s    string
	col  int
	bare bool // no quotes and no escapes: only then can it be the { or } of a block
	// braceCol is the column of the first unquoted, unescaped { or } in the word, or 0.
	braceCol int
	brace    rune
}

// parseLine adds the directive on one line to the open block, or opens or closes one.
func parseLine(s string, line int, root *Block, stack *[]*Directive) error {
	if strings.HasPrefix(strings.TrimLeft(s, " \t"), "#") {
		return nil // a comment
	}
	words, err := splitWords(s, line)
	if err != nil || len(words) == 0 {
		return err
	}
	last := len(words) - 1
	if w := words[0]; len(words) == 1 && w.bare && w.s == "}" {
		if len(*stack) == 0 {
			return &Error{line, w.col, "} without an open block"}
		}
		*stack = (*stack)[:len(*stack)-1]
		return nil
	}
	for i, w := range words {
		switch {
		case w.bare && w.s == "{" && i == 0:
			return &Error{line, w.col, "{ without a directive name before it"}
		case w.bare && w.s == "{" && i != last:
			return &Error{line, w.col, "{ must be the last word on its line: a block's directives go on the lines below"}
		case w.bare && w.s == "}":
			return &Error{line, w.col, "} must be alone on its line"}
		case w.braceCol != 0 && !(w.bare && w.s == "{"):
			return &Error{line, w.braceCol, fmt.Sprintf("unexpected %c inside a word (quote the word to use it)", w.brace)}
		}
	}
	opens := last > 0 && words[last].bare && words[last].s == "{"
	if opens {
		words = words[:last]
	}
	d := &Directive{Name: words[0].s, Line: line, Col: words[0].col}
	for _, w := range words[1:] {
		d.Params = append(d.Params, w.s)
		d.ParamCols = append(d.ParamCols, w.col)
	}
	if n := len(*stack); n == 0 {
		*root = append(*root, d)
	} else {
		parent := (*stack)[n-1]
		parent.Children = append(parent.Children, d)
	}
	if opens {
		if len(*stack) >= MaxDepth {
			return &Error{line, d.Col, fmt.Sprintf("blocks nested deeper than %d", MaxDepth)}
		}
		*stack = append(*stack, d)
	}
	return nil
}

// splitWords splits a line into words, undoing quotes and escapes.
func splitWords(s string, line int) ([]word, error) {
	var (
		words []word
		b     strings.Builder
		i     int
		col   int // column of the rune at i, minus one
	)
	next := func() rune {
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		col++
		return r
	}
	blank := func() bool { return s[i] == ' ' || s[i] == '\t' }
	for {
		for i < len(s) && blank() {
			next()
		}
		if i == len(s) {
			return words, nil
		}
		w := word{col: col + 1, bare: true}
		b.Reset()
		for i < len(s) && !blank() {
			c := col + 1
			switch r := next(); r {
			case '"':
				w.bare = false
				for {
					if i == len(s) {
						return nil, &Error{line, c, "unterminated double-quoted string"}
					}
					r := next()
					if r == '"' {
						break
					}
					if r == '\\' {
						if i == len(s) {
							return nil, &Error{line, c, "unterminated double-quoted string"}
						}
						r = next()
					}
					b.WriteRune(r)
				}
			case '\'':
				w.bare = false
				for {
					if i == len(s) {
						return nil, &Error{line, c, "unterminated single-quoted string"}
					}
					r := next()
					if r == '\'' {
						break
					}
					b.WriteRune(r)
				}
			case '\\':
				w.bare = false
				if i == len(s) {
					return nil, &Error{line, c, "backslash at the end of the line (scfg has no line continuation)"}
				}
				b.WriteRune(next())
			case '{', '}':
				if w.braceCol == 0 {
					w.braceCol, w.brace = c, r
				}
				b.WriteRune(r)
			default:
				b.WriteRune(r)
			}
		}
		w.s = b.String()
		words = append(words, w)
	}
}
