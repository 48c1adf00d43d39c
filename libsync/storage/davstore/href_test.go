package davstore

import "testing"

func TestCanonicalHref(t *testing.T) {
	tests := []struct{ in, want string }{
		{"/cal/x@example.com.ics", "/cal/x@example.com.ics"},
		{"/cal/x%40example.com.ics", "/cal/x@example.com.ics"},
		{"/cal/a%2fb.ics", "/cal/a%2Fb.ics"},         // an escaped slash stays one
		{"/cal/100%25.ics", "/cal/100%25.ics"},       // so does a percent sign
		{"/cal/%c3%bc.ics", "/cal/%C3%BC.ics"},       // bytes above ASCII stay escaped
		{"/cal/a%20b.ics", "/cal/a%20b.ics"},         // a space needs its escape
		{"/cal/%7Euser%2Dx.ics", "/cal/~user-x.ics"}, // unreserved characters need none
		{"/cal/bad%zz%4.ics", "/cal/bad%zz%4.ics"},   // not escapes: as they are
	}
	for _, tt := range tests {
		if got := canonicalHref(tt.in); got != tt.want {
			t.Errorf("canonicalHref(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
