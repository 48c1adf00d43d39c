package cli

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/pimsync-go/libsync/dav"
)

// TestLogin: flags and the environment win over --storage, which fills in the rest;
// a password command's first line is the password; paths in the configuration are
// relative to it.
func TestLogin(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "pimsync.conf")
	os.WriteFile(conf, []byte(`status_path st
storage books {
	type carddav
	url https://dav.example.com/
	username alice
	password {
		cmd printf from-storage
	}
	tls_root ca.pem
	tls_fingerprint AB:CD
	auth_cert ~/client.pem
}
storage local {
	type vdir/vcard
	path v
}
`), 0o600)
	home, _ := os.UserHomeDir()
	tests := []struct {
		name  string
		flags DAVFlags
		url   string
		env   string // $DAVCLI_PASSWORD
		want  Login
	}{
		{"flags only", DAVFlags{Username: "bob", PasswordCmd: "printf 'pw\\nuser: bob\\n'"}, "https://x.example/", "",
			Login{URL: "https://x.example/", User: "bob", Password: "pw"}},
		{"environment", DAVFlags{Username: "bob"}, "x.example", "env-pw",
			Login{URL: "x.example", User: "bob", Password: "env-pw"}},
		{"storage fills in", DAVFlags{Storage: "books", Config: conf}, "", "",
			Login{URL: "https://dav.example.com/", User: "alice", Password: "from-storage", Kind: dav.AddressBooks,
				HTTP: dav.HTTPOptions{TLSRoot: filepath.Join(dir, "ca.pem"), TLSFingerprint: "AB:CD", AuthCert: []string{filepath.Join(home, "client.pem")}}}},
		{"flags and environment win", DAVFlags{Storage: "books", Config: conf, Username: "bob", TLSFingerprint: "EF"}, "https://other/", "env-pw",
			Login{URL: "https://other/", User: "bob", Password: "env-pw", Kind: dav.AddressBooks,
				HTTP: dav.HTTPOptions{TLSRoot: filepath.Join(dir, "ca.pem"), TLSFingerprint: "EF", AuthCert: []string{filepath.Join(home, "client.pem")}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("DAVCLI_PASSWORD", tt.env)
			got, err := tt.flags.Login(context.Background(), tt.url)
			if err != nil {
				t.Fatal(err)
			}
			if got.URL != tt.want.URL || got.User != tt.want.User || got.Password != tt.want.Password || got.Kind != tt.want.Kind ||
				got.HTTP.TLSRoot != tt.want.HTTP.TLSRoot || got.HTTP.TLSFingerprint != tt.want.HTTP.TLSFingerprint ||
				!slices.Equal(got.HTTP.AuthCert, tt.want.HTTP.AuthCert) {
				t.Errorf("got %+v\nwant %+v", *got, tt.want)
			}
		})
	}
	for _, name := range []string{"local", "nope"} {
		_, err := (&DAVFlags{Storage: name, Config: conf}).Login(context.Background(), "")
		var ue *UsageError
		if !errors.As(err, &ue) {
			t.Errorf("--storage %s: %v, want a usage error", name, err)
		}
	}
}
