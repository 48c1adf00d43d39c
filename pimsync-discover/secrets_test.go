package main

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/pimsync-go/libsync/davtest"
)

// TestSecretsNotPrinted discovers at -v debug with passwords from $DAVCLI_PASSWORD,
// from --password-cmd and in the URL, from servers that take them, refuse them and
// fail, and checks that no password is printed.
func TestSecretsNotPrinted(t *testing.T) {
	newSecret := func(prefix string) string {
		var b [12]byte
		rand.Read(b[:])
		return prefix + hex.EncodeToString(b[:])
	}
	fromEnv, fromCmd, inURL := newSecret("env"), newSecret("cmd"), newSecret("url")
	server := davtest.New(t)
	server.NewCalendar(t)
	broken := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "something broke", http.StatusInternalServerError)
	}))
	t.Cleanup(broken.Close)
	withUser := func(base, user, pass string) string {
		u, _ := url.Parse(base)
		u.User = url.UserPassword(user, pass)
		return u.String()
	}
	envFront := authProxy(t, server.URL, "alice", fromEnv)
	cmdFront := authProxy(t, server.URL, "bob", fromCmd)
	urlFront := authProxy(t, server.URL, "carol", inURL)

	for _, c := range []struct {
		name     string
		password string // $DAVCLI_PASSWORD
		args     []string
		code     int
	}{
		{"env", fromEnv, []string{"-u", "alice", envFront}, 0},
		{"cmd", "", []string{"-u", "bob", "--password-cmd", "printf %s " + fromCmd, cmdFront}, 0},
		{"url", "", []string{withUser(urlFront, "carol", inURL)}, 0},
		{"refused", fromEnv, []string{"-u", "alice", cmdFront}, 1},
		{"refused url", "", []string{withUser(envFront, "carol", inURL)}, 1},
		{"broken", fromEnv, []string{"-u", "alice", withUser(broken.URL+"/", "carol", inURL)}, 1},
		{"failing cmd", "", []string{"-u", "bob", "--password-cmd", "printf %s " + fromCmd + "; exit 3", cmdFront}, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv("DAVCLI_USERNAME", "")
			t.Setenv("DAVCLI_PASSWORD", c.password)
			if c.password == "" {
				os.Unsetenv("DAVCLI_PASSWORD")
			}
			code, out, errOut := run(t, append([]string{"-v", "debug", "--caldav"}, c.args...)...)
			if code != c.code || code == 0 && !strings.Contains(out, `"home_set"`) {
				t.Errorf("exit %d, want %d\nstdout %s\nstderr %s", code, c.code, out, errOut)
			}
			for _, s := range []string{fromEnv, fromCmd, inURL} {
				if strings.Contains(out+errOut, s) {
					t.Errorf("secret %q printed:\nstdout %s\nstderr %s", s, out, errOut)
				}
			}
		})
	}
}
