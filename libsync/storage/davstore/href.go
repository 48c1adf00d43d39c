package davstore

import (
	"net/url"
	"strings"
)

// canonicalHref writes an item's href one way, whichever way the server wrote it: a
// percent-escape stands for a character that needs none in a path segment is decoded,
// and other escapes get upper-case hex. Servers differ here (Radicale lists a file
// created as x@example.com.ics as x%40example.com.ics), and the sync compares hrefs as
// strings: without this, an item's href in a listing would not be the one recorded
// when the item was created, nor the one in a sync-collection answer. Escapes that
// matter are kept: %2F is not a slash, %25 not a percent sign, and bytes above ASCII
// stay escaped.
func canonicalHref(h string) string {
	if !strings.Contains(h, "%") {
		return h
	}
	var b strings.Builder
	b.Grow(len(h))
	for i := 0; i < len(h); i++ {
		c := h[i]
		if c != '%' || i+2 >= len(h) || !isHex(h[i+1]) || !isHex(h[i+2]) {
			b.WriteByte(c)
			continue
		}
		v := unhex(h[i+1])<<4 | unhex(h[i+2])
		if v < 0x80 && v != '/' && v != '%' && url.PathEscape(string(rune(v))) == string(rune(v)) {
			b.WriteByte(v)
		} else {
			b.WriteByte('%')
			b.WriteString(strings.ToUpper(h[i+1 : i+3]))
		}
		i += 2
	}
	return b.String()
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}
