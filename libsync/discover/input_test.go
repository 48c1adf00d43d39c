package discover

import (
	"strings"
	"testing"
)

func TestParseInput(t *testing.T) {
	for _, tc := range []struct {
		in                 string
		url, domain, email string
		err                string
	}{
		{in: "alice@Example.COM", domain: "example.com", email: "alice@Example.COM"},
		{in: "mailto:alice@example.com", domain: "example.com", email: "alice@example.com"},
		{in: `"odd@name"@example.com`, domain: "example.com", email: `"odd@name"@example.com`},
		{in: " example.com. ", domain: "example.com"},
		{in: "https://dav.example.com/dav/", url: "https://dav.example.com/dav/"},
		{in: "http://127.0.0.1:5232", url: "http://127.0.0.1:5232/"},
		{in: "", err: "nothing to discover"},
		{in: "@example.com", err: "user before the @"},
		{in: "example.com:8443", err: "give a URL"},
		{in: "example.com/dav", err: "not a domain"},
		{in: "alice@", err: "not a domain"},
		{in: "ftp://example.com/", err: "http:// or https://"},
		{in: "https:///path", err: "http:// or https://"},
	} {
		got, err := ParseInput(tc.in)
		switch {
		case tc.err != "":
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: %v, want an error with %q", tc.in, err, tc.err)
			}
		case err != nil:
			t.Errorf("%q: %v", tc.in, err)
		case tc.url != "" && (got.URL == nil || got.URL.String() != tc.url):
			t.Errorf("%q: URL %v, want %s", tc.in, got.URL, tc.url)
		case tc.url == "" && (got.URL != nil || got.Domain != tc.domain || got.Email != tc.email):
			t.Errorf("%q: %+v, want domain %q, email %q", tc.in, got, tc.domain, tc.email)
		}
	}
}
