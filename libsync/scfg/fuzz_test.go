package scfg

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// FuzzParse checks that Parse never panics, that it fails only with an *Error, and that
// what it accepts survives a trip through Write unchanged.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"",
		"a b c\n",
		"storage x {\n\ttype caldav\n\tpassword {\n\t\tcmd pass show \"a b\"\n\t}\n}\n",
		"a \"b\\\"c\" 'd\\' e\\ f\r\n# comment\n\n",
		"\"}\" \"{\" '#'\n",
		"a {\n",
		"}\n",
		"a { b\n",
		"a \"b\n",
		"a\x00\n",
		"\xff\n",
		"a\"b\"'c'd {\n\t\"\" ''\n}",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := Parse(bytes.NewReader(data))
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Parse: %v is no *Error", err)
			}
			if e.Line < 1 || e.Col < 1 {
				t.Fatalf("Parse: bad position in %v", err)
			}
			return
		}
		var out bytes.Buffer
		if err := Write(&out, b); err != nil {
			if strings.Contains(err.Error(), "longer than") {
				return // quoting and indenting can push a line near the limit over it
			}
			t.Fatalf("Write: %v\n%s", err, dump(b))
		}
		back, err := Parse(bytes.NewReader(out.Bytes()))
		if err != nil {
			t.Fatalf("Parse(Write(b)): %v\n%s", err, out.String())
		}
		if !sameBlock(b, back, false) {
			t.Fatalf("round trip changed the block:\n%s\nto\n%s\nvia\n%s", dump(b), dump(back), out.String())
		}
	})
}
