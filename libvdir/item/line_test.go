package item

import (
	"reflect"
	"testing"
)

func TestUnfold(t *testing.T) {
	type line struct {
		Num  int
		Text string
	}
	tests := []struct {
		name string
		in   string
		want []line
	}{
		{"crlf", "A:1\r\nB:2\r\n", []line{{1, "A:1"}, {2, "B:2"}}},
		{"lf without final newline", "A:1\nB:2", []line{{1, "A:1"}, {2, "B:2"}}},
		{"fold with space", "SUMMARY:Hel\r\n lo\r\nX:y\r\n", []line{{1, "SUMMARY:Hello"}, {3, "X:y"}}},
		{"fold with tab keeps later white space", "A:a\n\t b\n", []line{{1, "A:a b"}}},
		{"fold inside a UTF-8 sequence", "S:\xc3\r\n \xa4\r\n", []line{{1, "S:ä"}}},
		{"blank lines dropped", "A:1\r\n\r\n  \r\nB:2\r\n", []line{{1, "A:1 "}, {4, "B:2"}}},
		{"leading continuation has nothing to join", " \tX:1\n", []line{{1, "X:1"}}},
		{"quoted-printable soft break", "NOTE;ENCODING=QUOTED-PRINTABLE:a=\r\nb=3D\r\nC:1\r\n",
			[]line{{1, "NOTE;ENCODING=QUOTED-PRINTABLE:ab=3D"}, {3, "C:1"}}},
		{"blank lines go before a soft break", "NOTE;ENCODING=QUOTED-PRINTABLE:a=\r\n\r\n\r\nb\r\nC:1=\r\r\n",
			[]line{{1, "NOTE;ENCODING=QUOTED-PRINTABLE:ab"}, {5, "C:1="}}},
		{"bare QUOTED-PRINTABLE parameter", "NOTE;quoted-printable:a=\nb\n", []line{{1, "NOTE;quoted-printable:ab"}}},
		{"soft break only on a complete line", "N;ENCODING=QUOTED-PRINTABLE:M=\r\n C3=BC\r\nX:1\r\n",
			[]line{{1, "N;ENCODING=QUOTED-PRINTABLE:M=C3=BC"}, {3, "X:1"}}},
		{"base64 padding is no soft break", "PHOTO;ENCODING=b:AA==\nX:1\n", []line{{1, "PHOTO;ENCODING=b:AA=="}, {2, "X:1"}}},
		{"lone CR ends a line", "A:1\rB:2\r\rC:3", []line{{1, "A:1"}, {2, "B:2"}, {4, "C:3"}}},
		{"empty", "", []line{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := []line{}
			for _, l := range Unfold([]byte(tt.in)) {
				got = append(got, line{l.Num, string(l.Text)})
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Unfold(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

// Joining folded lines must copy: the input belongs to the caller.
func TestUnfoldDoesNotWriteInput(t *testing.T) {
	in := []byte("A:x\r\n y\r\nB:z\r\n")
	orig := string(in)
	lines := Unfold(in)
	lines[0].Text = append(lines[0].Text, "more"...)
	if string(in) != orig {
		t.Fatalf("input changed to %q", in)
	}
}

func TestSplitValue(t *testing.T) {
	tests := []struct {
		in, head, value string
		ok              bool
	}{
		{"UID:abc", "UID", "abc", true},
		{`UID;X-A="a:b;c":v:w`, `UID;X-A="a:b;c"`, "v:w", true},
		{`X:"not:a:param"`, "X", `"not:a:param"`, true},
		{"no colon here", "", "", false},
		{`X;A="unterminated:v`, "", "", false},
	}
	for _, tt := range tests {
		head, value, ok := splitValue([]byte(tt.in))
		if string(head) != tt.head || string(value) != tt.value || ok != tt.ok {
			t.Errorf("splitValue(%q) = %q, %q, %v; want %q, %q, %v", tt.in, head, value, ok, tt.head, tt.value, tt.ok)
		}
	}
}
