package scfg

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Write writes b in scfg syntax, one directive per line and each block indented by one
// more tab, quoting words where Parse needs it. Parsing the output gives back the same
// names, parameters and children (positions aside).
//
// Write refuses, before writing anything, what Parse could not read back: words with
// control characters other than tab or invalid UTF-8, nil directives, blocks nested
// deeper than MaxDepth and lines longer than MaxLineLen.
func Write(w io.Writer, b Block) error {
	if err := checkBlock(b, 0); err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	writeBlock(bw, b, 0)
	return bw.Flush()
}

func checkBlock(b Block, depth int) error {
	for _, d := range b {
		if d == nil {
			return errors.New("scfg: nil directive")
		}
		n := depth - 1 // each word adds its separator, the name too
		for _, word := range append([]string{d.Name}, d.Params...) {
			if err := checkWord(word); err != nil {
				return fmt.Errorf("scfg: directive %s: %w", Quote(d.Name), err)
			}
			n += 1 + len(Quote(word))
		}
		if len(d.Children) > 0 {
			if depth >= MaxDepth {
				return fmt.Errorf("scfg: directive %s: blocks nested deeper than %d", Quote(d.Name), MaxDepth)
			}
			n += 2
		}
		if n > MaxLineLen {
			return fmt.Errorf("scfg: directive %s: line longer than %d bytes", Quote(d.Name), MaxLineLen)
		}
		if err := checkBlock(d.Children, depth+1); err != nil {
			return err
		}
	}
	return nil
}

func checkWord(s string) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("invalid UTF-8 in %q", s)
	}
	for _, r := range s {
		if r < 0x20 && r != '\t' {
			return fmt.Errorf("control character %U in %q", r, s)
		}
	}
	return nil
}

func writeBlock(w *bufio.Writer, b Block, depth int) {
	for _, d := range b {
		indent := strings.Repeat("\t", depth)
		w.WriteString(indent)
		w.WriteString(Quote(d.Name))
		for _, p := range d.Params {
			w.WriteByte(' ')
			w.WriteString(Quote(p))
		}
		if len(d.Children) == 0 {
			w.WriteByte('\n')
			continue
		}
		w.WriteString(" {\n")
		writeBlock(w, d.Children, depth+1)
		w.WriteString(indent)
		w.WriteString("}\n")
	}
}

// Quote returns s as one scfg word: unchanged when Parse reads it back as is, otherwise
// quoted. It prefers quotes without escapes, for people reading the file: "a b" over
// a\ b, and 'say "hi"' over "say \"hi\"". Control characters other than tab cannot be
// written in scfg at all; Write refuses them.
func Quote(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t\"'\\{}") && s[0] != '#' {
		return s
	}
	switch {
	case !strings.ContainsAny(s, `"\`):
		return `"` + s + `"`
	case !strings.Contains(s, "'"):
		return "'" + s + "'"
	}
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		if r == '"' || r == '\\' {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	b.WriteByte('"')
	return b.String()
}
