package main

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/pimsync-go/libsync/davtest"
)

// secretsProxy puts Basic authentication in front of an in-process DAV server and
// counts the requests that carried the right credentials.
type secretsProxy struct {
	user, pass string
	next       http.Handler
	passed     atomic.Int64
}

func (p *secretsProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if user, pass, ok := r.BasicAuth(); !ok || user != p.user || pass != p.pass {
		w.Header().Set("WWW-Authenticate", `Basic realm="test"`)
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	p.passed.Add(1)
	p.next.ServeHTTP(w, r)
}

// TestSecretsNotPrinted runs every command at -v debug with a password from
// $DAVCLI_PASSWORD, one from --password-cmd, one from a pimsync.conf storage and one in
// the URL, against servers that take them, refuse them (401) or fail (500), and checks
// that no password is printed.
func TestSecretsNotPrinted(t *testing.T) {
	newSecret := func(prefix string) string {
		var b [12]byte
		rand.Read(b[:])
		return prefix + hex.EncodeToString(b[:])
	}
	fromEnv, fromCmd, fromConf, inURL := newSecret("env"), newSecret("cmd"), newSecret("conf"), newSecret("url")
	secrets := []string{fromEnv, fromCmd, fromConf, inURL}

	refuse := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("WWW-Authenticate", `Basic realm="test"`)
		http.Error(w, "who are you", http.StatusUnauthorized)
	}))
	t.Cleanup(refuse.Close)
	broken := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "something broke", http.StatusInternalServerError)
	}))
	t.Cleanup(broken.Close)

	// front starts a server that takes user and pass and returns its calendar home's
	// path and the base URL to give davcli (with userinfo when inBase is set).
	var proxies []*secretsProxy
	front := func(user, pass string, inBase bool) (string, string) {
		srv := davtest.New(t)
		srv.NewCalendar(t)
		target, _ := url.Parse(srv.URL)
		p := &secretsProxy{user: user, pass: pass, next: httputil.NewSingleHostReverseProxy(target)}
		proxies = append(proxies, p)
		hs := httptest.NewServer(p)
		t.Cleanup(hs.Close)
		base, _ := url.Parse(hs.URL + "/")
		if inBase {
			base.User = url.UserPassword(user, pass)
		}
		return strings.TrimPrefix(srv.CalendarHome, srv.URL), base.String()
	}
	withUser := func(base, user, pass string) string {
		u, _ := url.Parse(base)
		u.User = url.UserPassword(user, pass)
		return u.String()
	}

	dir := t.TempDir()
	conf := filepath.Join(dir, "pimsync.conf")
	home, confBase := front("dana", fromConf, false)
	os.WriteFile(conf, []byte(fmt.Sprintf("status_path %q\nstorage remote {\n\ttype caldav\n\turl %q\n\tusername dana\n\tpassword %q\n}\n",
		filepath.Join(dir, "status"), confBase+strings.TrimPrefix(home, "/"), fromConf)), 0o600)
	item := filepath.Join(dir, "item.ics")
	os.WriteFile(item, []byte(event("secret-test", "Secret test")), 0o600)

	type setup struct {
		name     string
		password string // $DAVCLI_PASSWORD; "-" for unset
		flags    []string
	}
	var setups []setup
	home, base := front("alice", fromEnv, false)
	setups = append(setups, setup{"env", fromEnv, []string{"--url", base, "-u", "alice"}})
	_, base = front("bob", fromCmd, false)
	setups = append(setups, setup{"cmd", "-", []string{"--url", base, "-u", "bob", "--password-cmd", "printf %s " + fromCmd}})
	_, base = front("carol", inURL, true)
	setups = append(setups, setup{"url", "-", []string{"--url", base}})
	setups = append(setups,
		setup{"storage", "-", []string{"-c", conf, "--storage", "remote"}},
		setup{"refused", fromEnv, []string{"--url", refuse.URL + "/", "-u", "alice"}},
		setup{"refused url", "-", []string{"--url", withUser(refuse.URL+"/", "carol", inURL)}},
		setup{"broken", "-", []string{"--url", withUser(broken.URL+"/", "carol", inURL), "--password-cmd", "printf %s " + fromCmd}},
		setup{"failing cmd", "-", []string{"--url", refuse.URL + "/", "-u", "bob", "--password-cmd", "printf %s " + fromCmd + "; exit 3"}},
	)
	// No base: the password is in each argument's URL.
	_, argBase := front("erin", inURL, true)
	setups = append(setups, setup{"in arguments", "-", nil})

	// Every server's calendar home has the same path, so one list of commands fits all.
	col := home + "secrets/"
	var printed strings.Builder
	for _, s := range setups {
		if s.password == "-" {
			t.Setenv("DAVCLI_PASSWORD", "")
			os.Unsetenv("DAVCLI_PASSWORD")
		} else {
			t.Setenv("DAVCLI_PASSWORD", s.password)
		}
		for _, args := range [][]string{
			{"collections"},
			{"collections", home},
			{"mkcol", col, "--displayname", "Secrets"},
			{"props", col},
			{"proppatch", col, "color", "#112233"},
			{"put", col + "x.ics", item, "--create"},
			{"ls", col, "--uid"},
			{"get", col + "x.ics"},
			{"changes", col},
			{"repair", col, "-n"},
			{"rm", col + "x.ics", "--force"},
			{"ls", "http://127.0.0.1:1/nothing/"},
		} {
			full := append(append([]string{"-v", "debug"}, s.flags...), args...)
			if s.name == "in arguments" {
				full = []string{"-v", "debug", args[0]}
				for _, a := range args[1:] {
					if strings.HasPrefix(a, home) {
						a = argBase + a
					}
					full = append(full, a)
				}
			}
			code, out, errOut := davcli(t, "", full...)
			fmt.Fprintf(&printed, "$ davcli (%s) %s (exit %d)\n%s%s", s.name, strings.Join(args, " "), code, out, errOut)
		}
	}
	all := printed.String()
	for i, p := range proxies {
		if p.passed.Load() == 0 {
			t.Errorf("server %d (user %s) never got its password", i, p.user)
		}
	}
	for _, want := range []string{"401", "500", "exit status 3", "BEGIN:VCALENDAR"} {
		if !strings.Contains(all, want) {
			t.Errorf("nothing printed mentions %q: a path did not run", want)
		}
	}
	for _, s := range secrets {
		if i := strings.Index(all, s); i >= 0 {
			t.Errorf("secret %q printed:\n…%s…", s, all[max(0, i-300):min(len(all), i+100)])
		}
	}
	if t.Failed() {
		t.Logf("everything printed:\n%s", all)
	}
}

func TestTakeUserinfo(t *testing.T) {
	for _, c := range []struct {
		base, user, password       string
		wantBase, wantUser, wantPw string
	}{
		{"https://u:p@dav.example/x/", "", "", "https://dav.example/x/", "u", "p"},
		{"https://u@dav.example/", "", "", "https://dav.example/", "u", ""},
		// Given credentials win, as they do over the URL's in net/http; the URL is
		// cleaned all the same.
		{"https://u:p@dav.example/", "flag", "", "https://dav.example/", "flag", ""},
		{"https://u:p@dav.example/", "", "env", "https://dav.example/", "", "env"},
		{"https://dav.example/", "flag", "env", "https://dav.example/", "flag", "env"},
		{"", "", "", "", "", ""},
		{"alice@example.com", "", "", "alice@example.com", "", ""},
	} {
		user, pw := c.user, c.password
		if got := takeUserinfo(c.base, &user, &pw); got != c.wantBase || user != c.wantUser || pw != c.wantPw {
			t.Errorf("takeUserinfo(%q, %q, %q) = %q, %q, %q; want %q, %q, %q",
				c.base, c.user, c.password, got, user, pw, c.wantBase, c.wantUser, c.wantPw)
		}
	}
}

// TestConfigExposed: --storage reads pimsync.conf as pimsync does, with the warning
// when others can read a literal password in it, and none when only its owner can.
func TestConfigExposed(t *testing.T) {
	conf := filepath.Join(t.TempDir(), "pimsync.conf")
	text := "status_path /tmp/st\nstorage remote {\n\ttype caldav\n\turl http://127.0.0.1:1/\n\tusername u\n\tpassword literal-secret\n}\n"
	for _, mode := range []os.FileMode{0o644, 0o600} {
		if err := os.WriteFile(conf, []byte(text), mode); err != nil {
			t.Fatal(err)
		}
		os.Chmod(conf, mode)
		_, _, errOut := davcli(t, "", "-c", conf, "--storage", "remote", "ls", "/c/")
		if warned := strings.Contains(errOut, "other users can read"); warned != (mode == 0o644) {
			t.Errorf("mode %o: warned %v\n%s", mode, warned, errOut)
		}
		if strings.Contains(errOut, "literal-secret") {
			t.Errorf("mode %o: the password is printed\n%s", mode, errOut)
		}
	}
}
