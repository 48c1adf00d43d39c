package scfg

import (
	"bytes"
	"strings"
	"testing"
)

func TestQuote(t *testing.T) {
	tests := []struct{ in, want string }{
		{"abc", "abc"},
		{"~/a/b.ics", "~/a/b.ics"},
		{"", `""`},
		{"a b", `"a b"`},
		{"a\tb", "\"a\tb\""},
		{"{", `"{"`},
		{"}", `"}"`},
		{"a{b", `"a{b"`},
		{"#x", `"#x"`},
		{"x#", "x#"},
		{`say "hi"`, `'say "hi"'`},
		{`a\b`, `'a\b'`},
		{`it's`, `"it's"`},
		{`it's "x"\`, `"it's \"x\"\\"`},
		{"é", "é"},
	}
	for _, tt := range tests {
		if got := Quote(tt.in); got != tt.want {
			t.Errorf("Quote(%q) = %s, want %s", tt.in, got, tt.want)
		}
		b, err := Parse(strings.NewReader("n " + Quote(tt.in)))
		if err != nil || len(b) != 1 || len(b[0].Params) != 1 || b[0].Params[0] != tt.in {
			t.Errorf("Parse(Quote(%q)): %v %s", tt.in, err, dump(b))
		}
	}
}

func TestWrite(t *testing.T) {
	b := Block{
		{Name: "status_path", Params: []string{"~/status dir/"}},
		{Name: "storage", Params: []string{"x"}, Children: Block{
			{Name: "type", Params: []string{"caldav"}},
			{Name: "password", Children: Block{
				{Name: "cmd", Params: []string{"pass", "show", "a b"}},
			}},
		}},
		{Name: "empty", Children: Block{}},
		{Name: "}"},
	}
	want := `status_path "~/status dir/"
storage x {
	type caldav
	password {
		cmd pass show "a b"
	}
}
empty
"}"
`
	var out bytes.Buffer
	if err := Write(&out, b); err != nil {
		t.Fatal(err)
	}
	if out.String() != want {
		t.Errorf("Write:\n%s\nwant\n%s", out.String(), want)
	}
	back, err := Parse(&out)
	if err != nil || !sameBlock(back, b, false) {
		t.Errorf("Parse(Write(b)) = %v, %s", err, dump(back))
	}
}

func TestWriteRefuses(t *testing.T) {
	deep := &Directive{Name: "a"}
	for d, i := deep, 0; i <= MaxDepth; i++ {
		d.Children = Block{{Name: "a"}}
		d = d.Children[0]
	}
	tests := []struct {
		name string
		b    Block
		want string
	}{
		{"newline", Block{{Name: "a", Params: []string{"x\ny"}}}, "control character U+000A"},
		{"NUL in name", Block{{Name: "a\x00"}}, "control character U+0000"},
		{"invalid UTF-8", Block{{Name: "a", Params: []string{"\xff"}}}, "invalid UTF-8"},
		{"nil directive", Block{{Name: "a", Children: Block{nil}}}, "nil directive"},
		{"too deep", Block{deep}, "nested deeper"},
		{"too long", Block{{Name: "a", Params: []string{strings.Repeat("x", MaxLineLen)}}}, "longer than"},
	}
	for _, tt := range tests {
		var out bytes.Buffer
		err := Write(&out, tt.b)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: Write: %v, want %q", tt.name, err, tt.want)
		}
		if out.Len() != 0 {
			t.Errorf("%s: Write wrote %q before failing", tt.name, out.String())
		}
	}
}
