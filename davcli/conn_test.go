package main

import (
	"net/url"
	"strings"
	"testing"

	"github.com/pimsync-go/libsync/dav"
)

// TestResolve: every href or URL becomes a full URL with no userinfo to print, and a
// password it carried is kept for the requests to its host only.
func TestResolve(t *testing.T) {
	base, err := url.Parse("https://dav.example.com/cal/me/")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		ref, want, err string
		auth           string // the origin a password was kept for
	}{
		{ref: "work/", want: "https://dav.example.com/cal/me/work/"},
		{ref: "/other/x.ics", want: "https://dav.example.com/other/x.ics"},
		{ref: "http://a.example/x", want: "http://a.example/x"},
		{ref: "https://u:pw@a.example/x", want: "https://a.example/x", auth: "https://a.example"},
		// A network-path reference brings its own host and userinfo.
		{ref: "//u:pw@b.example/x", want: "https://b.example/x", auth: "https://b.example"},
		{ref: "https://@", err: "names no host"},
		{ref: "//@", err: "names no host"},
		{ref: "ftp://u:pw@a.example/x", err: `"ftp://a.example/x" is not an http`},
	}
	for _, tt := range tests {
		t.Run(tt.ref, func(t *testing.T) {
			cn := &conn{base: base, c: &dav.Client{}, auth: &argAuth{by: map[string]*url.Userinfo{}}}
			got, err := cn.resolve(tt.ref)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("resolve(%q) = %q, %v; want an error with %q", tt.ref, got, err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("resolve(%q) = %q, %v; want %q", tt.ref, got, err, tt.want)
			}
			kept := 0
			if tt.auth != "" {
				kept = 1
			}
			if len(cn.auth.by) != kept {
				t.Fatalf("passwords kept for %v, want one for %q", cn.auth.by, tt.auth)
			}
			if tt.auth != "" {
				if pw, _ := cn.auth.by[tt.auth].Password(); pw != "pw" {
					t.Errorf("password for %s = %q, want pw", tt.auth, pw)
				}
			}
		})
	}
}
