package dav

import (
	"bytes"
	"io"
	"testing"
	"testing/iotest"
)

// FuzzCRReader checks crReader against a whole-body reference (the way keepCR was
// written before it streamed: find where each piece of markup ends, then convert),
// read at once and one byte at a time: markup cut across reads must come out the same.
func FuzzCRReader(f *testing.F) {
	for _, seed := range []string{
		"<a>x\r\ny</a>", "<a\r\nb='\r>'>\r</a>", "<!-- \r --><![CDATA[\r]]>\r", "no cr",
		"<![CDATA[]]]>\r", "<!--->\r<?>\r<??x\r?>\r", "<![CDA\r>\r", "<!-\r>\r", "<a b=\"'\r>\">\r",
		"<![CDATA[]]\r>]]>\r", "\r<", "<![CDATA[\r",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		want := referenceKeepCR(body)
		if got := keepCR(body); !bytes.Equal(got, want) {
			t.Fatalf("keepCR(%q) = %q, want %q", body, got, want)
		}
		got, err := io.ReadAll(&crReader{r: iotest.OneByteReader(bytes.NewReader(body))})
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("crReader one byte at a time (%q) = %q, want %q", body, got, want)
		}
	})
}

// keepCR is crReader over a whole body, for tests that compare a body with what the
// decoder reads of it.
func keepCR(body []byte) []byte {
	if !bytes.Contains(body, []byte{'\r'}) {
		return body
	}
	var c crReader
	return c.convert(make([]byte, 0, len(body)+len(body)/32), body)
}

// referenceKeepCR converts a whole body by finding where each piece of markup ends.
func referenceKeepCR(body []byte) []byte {
	if !bytes.Contains(body, []byte{'\r'}) {
		return body
	}
	out := make([]byte, 0, len(body)+len(body)/32)
	for i := 0; i < len(body); {
		switch {
		case body[i] == '<':
			end := markupEnd(body, i)
			if bytes.HasPrefix(body[i:], []byte("<![CDATA[")) {
				out = append(out, bytes.ReplaceAll(body[i:end], []byte{'\r'}, []byte("]]>&#13;<![CDATA["))...)
			} else {
				out = append(out, body[i:end]...)
			}
			i = end
		case body[i] == '\r':
			out = append(out, "&#13;"...)
			i++
		default:
			out = append(out, body[i])
			i++
		}
	}
	return out
}

// markupEnd returns the index just past the markup that starts at body[i] == '<'.
func markupEnd(body []byte, i int) int {
	rest := body[i:]
	closer := ">"
	switch {
	case bytes.HasPrefix(rest, []byte("<![CDATA[")):
		closer = "]]>"
	case bytes.HasPrefix(rest, []byte("<!--")):
		closer = "-->"
	case bytes.HasPrefix(rest, []byte("<?")):
		closer = "?>"
	}
	if closer == ">" {
		// A tag: '>' may appear inside quoted attribute values.
		var quote byte
		for j := i + 1; j < len(body); j++ {
			switch c := body[j]; {
			case quote != 0:
				if c == quote {
					quote = 0
				}
			case c == '"' || c == '\'':
				quote = c
			case c == '>':
				return j + 1
			}
		}
		return len(body)
	}
	if k := bytes.Index(rest, []byte(closer)); k >= 0 {
		return i + k + len(closer)
	}
	return len(body)
}
