package scfg

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// dir builds a directive for the tables: name, line, column, then params.
func dir(name string, line, col int, params ...string) *Directive {
	return &Directive{Name: name, Params: params, Line: line, Col: col}
}

// with sets a directive's children.
func with(d *Directive, children ...*Directive) *Directive {
	d.Children = children
	return d
}

// sameBlock compares names, params, children and, when pos is set, positions.
func sameBlock(a, b Block, pos bool) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if x.Name != y.Name || len(x.Params) != len(y.Params) || !sameBlock(x.Children, y.Children, pos) {
			return false
		}
		if pos && (x.Line != y.Line || x.Col != y.Col) {
			return false
		}
		for j := range x.Params {
			if x.Params[j] != y.Params[j] {
				return false
			}
		}
	}
	return true
}

func dump(b Block) string {
	var s strings.Builder
	var walk func(Block, string)
	walk = func(b Block, indent string) {
		for _, d := range b {
			fmt.Fprintf(&s, "%s%d:%d %q %q\n", indent, d.Line, d.Col, d.Name, d.Params)
			walk(d.Children, indent+"  ")
		}
	}
	walk(b, "")
	return s.String()
}

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want Block
	}{
		{"empty", "", nil},
		{"blank and comments", "\n  \n# c\n\t# \"unbalanced\n", nil},
		{"plain", "a b c\n", Block{dir("a", 1, 1, "b", "c")}},
		{"no final newline", "a b", Block{dir("a", 1, 1, "b")}},
		{"tabs and spaces", "\t a \t b  ", Block{dir("a", 1, 3, "b")}},
		{"CRLF", "a b\r\nc {\r\n\td\r\n}\r\n", Block{dir("a", 1, 1, "b"), with(dir("c", 2, 1), dir("d", 3, 2))}},
		{"BOM", "\ufeffa\n", Block{dir("a", 1, 1)}},
		{"double quotes", `a "b c" "x\"y\\z\q" ""`, Block{dir("a", 1, 1, "b c", `x"y\zq`, "")}},
		{"single quotes", `a 'b "c' '\'`, Block{dir("a", 1, 1, `b "c`, `\`)}},
		{"escapes in bare words", `a b\ c \{ \}`, Block{dir("a", 1, 1, "b c", "{", "}")}},
		{"joined parts", `a"b"'c'd`, Block{dir("abcd", 1, 1)}},
		{"quoted name", `"a b" c`, Block{dir("a b", 1, 1, "c")}},
		{"hash inside a line", "a #b\n", Block{dir("a", 1, 1, "#b")}},
		{"quoted braces", `a "{" "}"` + "\n\"}\"\n", Block{dir("a", 1, 1, "{", "}"), dir("}", 2, 1)}},
		{"unicode columns", "é ü {\n ñ\n}\n", Block{with(dir("é", 1, 1, "ü"), dir("ñ", 2, 2))}},
		{"nested", "a {\n  b x {\n    c\n  }\n  d\n}\ne\n", Block{
			with(dir("a", 1, 1), with(dir("b", 2, 3, "x"), dir("c", 3, 5)), dir("d", 5, 3)),
			dir("e", 7, 1),
		}},
		{"empty block", "a {\n}\n", Block{dir("a", 1, 1)}},
		{"brace after quoted word", `a "b" {` + "\n}\n", Block{dir("a", 1, 1, "b")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(strings.NewReader(tt.in))
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			if !sameBlock(got, tt.want, true) {
				t.Errorf("Parse(%q) =\n%swant\n%s", tt.in, dump(got), dump(tt.want))
			}
		})
	}
}

func TestParamCols(t *testing.T) {
	b, err := Parse(strings.NewReader("  ab \"c d\"\t'e'  f\n"))
	if err != nil {
		t.Fatal(err)
	}
	d := b[0]
	if want := []int{6, 12, 17}; fmt.Sprint(d.ParamCols) != fmt.Sprint(want) {
		t.Errorf("ParamCols = %v, want %v", d.ParamCols, want)
	}
	if d.ParamCol(1) != 12 || d.ParamCol(3) != d.Col || d.ParamCol(-1) != d.Col {
		t.Errorf("ParamCol: %d %d %d", d.ParamCol(1), d.ParamCol(3), d.ParamCol(-1))
	}
}

func TestParseErrors(t *testing.T) {
	deep := strings.Repeat("a {\n", MaxDepth+1)
	tests := []struct {
		name, in, want string
	}{
		{"unterminated double", "a \"b\n", `1:3: unterminated double-quoted string`},
		{"unterminated after escape", `a "b\`, `1:3: unterminated double-quoted string`},
		{"unterminated single", "a\nb c 'd", `2:5: unterminated single-quoted string`},
		{"backslash at end", `a b\`, `1:4: backslash at the end of the line`},
		{"stray close", "a\n}\n", `2:1: } without an open block`},
		{"close with text", "a {\n} b\n", `2:1: } must be alone on its line`},
		{"close in params", "a }\n", `1:3: } must be alone on its line`},
		{"unclosed", "a\nb {\n c {\n }\n", `2:1: block of b is not closed: missing } before the end of the file (line 4)`},
		{"open mid-line", "a { b\n", `1:3: { must be the last word on its line`},
		{"open alone", "a {\n  {\n}\n", `2:3: { without a directive name`},
		{"brace in word", "a b{\n", `1:4: unexpected { inside a word`},
		{"close brace in word", "a {}\n", `1:3: unexpected { inside a word`},
		{"brace in name", "x}y\n", `1:2: unexpected } inside a word`},
		{"NUL", "a b\x00\n", `1:4: NUL byte`},
		{"invalid UTF-8", "a\néb\xff\n", `2:3: invalid UTF-8`},
		{"control character", "a\x1bb\n", `1:2: control character U+001B`},
		{"lone CR", "a\rb\n", `1:2: carriage return inside a line`},
		{"too deep", deep, fmt.Sprintf("%d:1: blocks nested deeper than %d", MaxDepth+1, MaxDepth)},
		{"too long", "a\n" + strings.Repeat("x", MaxLineLen+1) + "\n", fmt.Sprintf("2:1: line is longer than %d bytes", MaxLineLen)},
		{"too long at EOF", strings.Repeat("x", MaxLineLen+1), fmt.Sprintf("1:1: line is longer than %d bytes", MaxLineLen)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(tt.in))
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Parse: error %v, want an *Error", err)
			}
			if !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("Parse: %v\nwant %s", err, tt.want)
			}
		})
	}
}

func TestParseLimitsExact(t *testing.T) {
	long := "a " + strings.Repeat("x", MaxLineLen-2)
	for _, in := range []string{long, long + "\n", long + "\r\n"} {
		if b, err := Parse(strings.NewReader(in)); err != nil || len(b) != 1 || len(b[0].Params[0]) != MaxLineLen-2 {
			t.Errorf("line of exactly MaxLineLen: %v", err)
		}
	}
	deep := strings.Repeat("a {\n", MaxDepth) + strings.Repeat("}\n", MaxDepth)
	if _, err := Parse(strings.NewReader(deep)); err != nil {
		t.Errorf("nesting of exactly MaxDepth: %v", err)
	}
}

func TestParseReadError(t *testing.T) {
	boom := errors.New("boom")
	_, err := Parse(io.MultiReader(strings.NewReader("a\nb"), iotest.ErrReader(boom)))
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("Parse: %v, want boom at line 2", err)
	}
}

func TestGet(t *testing.T) {
	b, err := Parse(strings.NewReader("a 1\nb\na 2\n"))
	if err != nil {
		t.Fatal(err)
	}
	if d := b.Get("a"); d == nil || d.Params[0] != "1" {
		t.Errorf("Get(a) = %v", d)
	}
	if d := b.Get("c"); d != nil {
		t.Errorf("Get(c) = %v", d)
	}
	if all := b.GetAll("a"); len(all) != 2 || all[1].Params[0] != "2" {
		t.Errorf("GetAll(a) = %v", all)
	}
	if all := (Block{nil}).GetAll("a"); all != nil {
		t.Errorf("GetAll on nil directives = %v", all)
	}
}

func TestError(t *testing.T) {
	if got := (&Error{3, 7, "bad"}).Error(); got != "3:7: bad" {
		t.Errorf("Error() = %q", got)
	}
}

// BenchmarkParse keeps an eye on the cost of a large file; a config is tiny in practice.
func BenchmarkParse(b *testing.B) {
	var in bytes.Buffer
	for i := range 1000 {
		fmt.Fprintf(&in, "storage s%d {\n\ttype caldav\n\turl \"https://example.com/%d\"\n}\n", i, i)
	}
	for b.Loop() {
		if _, err := Parse(bytes.NewReader(in.Bytes())); err != nil {
			b.Fatal(err)
		}
	}
}
