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
	"time"

	"github.com/pimsync-go/libsync/davtest"
	"github.com/pimsync-go/libsync/status"
)

// secret returns a string that appears nowhere unless this test put it there.
func secret(t *testing.T, prefix string) string {
	t.Helper()
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	return prefix + hex.EncodeToString(b[:])
}

// authProxy puts Basic authentication in front of an in-process DAV server, so that a
// sync through it has to send the password; it counts the requests it let through.
type authProxy struct {
	user, pass string
	next       http.Handler
	passed     atomic.Int64
}

func (p *authProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	user, pass, ok := r.BasicAuth()
	if !ok || user != p.user || pass != p.pass {
		w.Header().Set("WWW-Authenticate", `Basic realm="test"`)
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	p.passed.Add(1)
	r.Header.Del("Authorization")
	p.next.ServeHTTP(w, r)
}

// newAuthServer starts a DAV server that takes only user and pass.
func newAuthServer(t *testing.T, user, pass string) (*httptest.Server, *authProxy) {
	t.Helper()
	target, err := url.Parse(davtest.New(t).URL)
	if err != nil {
		t.Fatal(err)
	}
	p := &authProxy{user: user, pass: pass, next: httputil.NewSingleHostReverseProxy(target)}
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	return srv, p
}

// TestSecretsNotPrinted runs every command at -v debug against storages whose
// credentials are known, including ones whose servers refuse them or fail, and checks
// that no password, command output or URL password is ever printed. Trace may print
// them; debug, which users paste into bug reports, must not.
func TestSecretsNotPrinted(t *testing.T) {
	literal := secret(t, "lit")   // a password written in the file
	fromCmd := secret(t, "cmd")   // a password a { cmd } prints
	inURL := secret(t, "url")     // a password in a url's userinfo
	failed := secret(t, "failed") // printed by a password command that then fails
	secrets := []string{literal, fromCmd, inURL, failed}

	srvLit, proxyLit := newAuthServer(t, "alice", literal)
	srvCmd, proxyCmd := newAuthServer(t, "bob", fromCmd)
	srvURL, proxyURL := newAuthServer(t, "carol", inURL)
	refuse := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("WWW-Authenticate", `Basic realm="test"`)
		http.Error(w, "who are you", http.StatusUnauthorized)
	}))
	t.Cleanup(refuse.Close)
	broken := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "something broke", http.StatusInternalServerError)
	}))
	t.Cleanup(broken.Close)

	dir := t.TempDir()
	userinfo := func(srv *httptest.Server, user, pass string) string {
		u, _ := url.Parse(srv.URL + "/user/calendars/")
		u.User = url.UserPassword(user, pass)
		return u.String()
	}
	var conf strings.Builder
	fmt.Fprintf(&conf, "status_path %q\n", filepath.Join(dir, "status"))
	storage := func(name, body string) { fmt.Fprintf(&conf, "storage %s {\n%s}\n", name, body) }
	vdirStorage := func(name string) string {
		path := filepath.Join(dir, name)
		os.MkdirAll(path, 0o755)
		storage(name, fmt.Sprintf("\ttype vdir/icalendar\n\tpath %q\n", path))
		return path
	}
	pairOf := func(name, a, b, extra string) {
		fmt.Fprintf(&conf, "pair %s {\n\tstorage_a %s\n\tstorage_b %s\n\tcollections all\n%s}\n", name, a, b, extra)
	}
	local1 := vdirStorage("local1")
	local1b := vdirStorage("local1b")
	local2 := vdirStorage("local2")
	local3 := vdirStorage("local3")
	vdirStorage("local4")
	vdirStorage("local5")
	vdirStorage("local6")
	storage("remote1", fmt.Sprintf("\ttype caldav\n\turl %q\n\tusername alice\n\tpassword %q\n", srvLit.URL+"/user/calendars/", literal))
	storage("remote2", fmt.Sprintf("\ttype caldav\n\turl %q\n\tusername bob\n\tpassword {\n\t\tcmd printf %%s %s\n\t}\n", srvCmd.URL+"/user/calendars/", fromCmd))
	storage("remote3", fmt.Sprintf("\ttype caldav\n\turl %q\n", userinfo(srvURL, "carol", inURL)))
	storage("refused", fmt.Sprintf("\ttype caldav\n\turl %q\n\tusername alice\n\tpassword %q\n", refuse.URL+"/", literal))
	storage("broken", fmt.Sprintf("\ttype caldav\n\turl %q\n\tusername bob\n\tpassword {\n\t\tcmd printf %%s %s\n\t}\n", userinfo(broken, "carol", inURL), fromCmd))
	storage("badcmd", fmt.Sprintf("\ttype caldav\n\turl %q\n\tusername bob\n\tpassword {\n\t\tshell \"printf %s; exit 3\"\n\t}\n", srvCmd.URL+"/", failed))
	// remote1 is shared by two pairs, so that one of them meets a conflict for
	// resolve-conflicts to settle (cp makes b's file a copy of a's).
	pairOf("p1", "local1", "remote1", "\tconflict_resolution cmd cp\n")
	pairOf("p1b", "local1b", "remote1", "")
	pairOf("p2", "local2", "remote2", "")
	pairOf("p3", "local3", "remote3", "")
	pairOf("p4", "local4", "refused", "")
	pairOf("p5", "local5", "broken", "")
	pairOf("p6", "local6", "badcmd", "")

	e := &env{t: t, dir: dir, conf: filepath.Join(dir, "pimsync.conf")}
	if err := os.WriteFile(e.conf, []byte(conf.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(local1, "work", "x.ics"), event("x", "from local1"))
	write(t, filepath.Join(local1b, "work", "x.ics"), event("x", "from local1b"))
	write(t, filepath.Join(local2, "home", "y.ics"), event("y", "two"))
	write(t, filepath.Join(local3, "home", "z.ics"), event("z", "three"))

	var printed strings.Builder
	for _, args := range [][]string{
		{"version"},
		{"check"},
		{"discover"},
		{"sync", "-n"},
		{"sync", "p1b"},
		{"sync"},
		{"sync", "-n"},
		{"status"},
		{"status", "--json"},
		{"resolve-conflicts"},
		{"sync"},
		{"repair", "remote1", "-n"},
		{"repair", "remote2", "-n"},
		{"repair", "remote3", "-n"},
		{"repair", "refused", "-n"},
		{"repair", "broken", "-n"},
		{"repair", "badcmd", "-n"},
		{"status"},
	} {
		code, out, errOut := e.run(append([]string{"-v", "debug"}, args...)...)
		fmt.Fprintf(&printed, "$ pimsync %s (exit %d)\n%s%s", strings.Join(args, " "), code, out, errOut)
	}
	d := startDaemon(t, e.conf)
	waitFor(t, 20*time.Second, "a daemon sync", func() bool { return d.syncs("p3") > 0 }, d.stderr)
	if _, running := status.DaemonRunning(filepath.Join(dir, "status"), "p3"); !running {
		t.Error("pimsync status would not see the daemon")
	}
	checkModes(t, filepath.Join(dir, "status"), true)
	d.stop(t, 10*time.Second)
	printed.WriteString("$ pimsync daemon\n" + d.stderr.String())
	all := printed.String()

	// The test means something only if the passwords were sent and the error paths ran.
	for name, p := range map[string]*authProxy{"literal": proxyLit, "command": proxyCmd, "url": proxyURL} {
		if p.passed.Load() == 0 {
			t.Errorf("the %s password never reached its server", name)
		}
	}
	for _, want := range []string{"401", "500", "exit status 3", "conflict"} {
		if !strings.Contains(all, want) {
			t.Errorf("nothing printed mentions %q: an error path did not run", want)
		}
	}
	// The server re-encodes items, so the settled version is told by its summary.
	if got := read(t, filepath.Join(local1b, "work", "x.ics")); !strings.Contains(got, "SUMMARY:from local1\r\n") {
		t.Errorf("resolve-conflicts did not settle the conflict with a's version: local1b has %q", got)
	}
	for _, s := range secrets {
		if i := strings.Index(all, s); i >= 0 {
			t.Errorf("secret %q printed:\n…%s…", s, all[max(0, i-300):min(len(all), i+100)])
		}
	}
	checkModes(t, filepath.Join(dir, "status"), false)
	if t.Failed() {
		t.Logf("everything printed:\n%s", all)
	}
}

// checkModes checks that the status directory and every file in it are the user's
// alone; daemon says that a daemon's mark must be among them.
func checkModes(t *testing.T, dir string, daemon bool) {
	t.Helper()
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode() != os.ModeDir|0o700 {
		t.Errorf("%s: mode %v, want drwx------", dir, fi.Mode())
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	dbs, marks := 0, 0
	for _, ent := range entries {
		fi, err := ent.Info()
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode() != 0o600 {
			t.Errorf("%s: mode %v, want -rw-------", ent.Name(), fi.Mode())
		}
		switch filepath.Ext(ent.Name()) {
		case ".db":
			dbs++
		case ".daemon":
			marks++
		}
	}
	if dbs == 0 || daemon && marks == 0 {
		t.Errorf("status directory holds %d status files and %d daemon marks: %v", dbs, marks, entries)
	}
}

// TestConfigModeWarning: a configuration others can read warns when it holds a password
// itself, and only then.
func TestConfigModeWarning(t *testing.T) {
	const warning = "other users can read"
	literal := "\tusername u\n\tpassword hunter2\n"
	command := "\tusername u\n\tpassword {\n\t\tcmd printf %s hunter2\n\t}\n"
	for _, c := range []struct {
		name  string
		creds string
		mode  os.FileMode
		want  bool
	}{
		{"literal, world-readable", literal, 0o644, true},
		{"literal, group-readable", literal, 0o640, true},
		{"literal, private", literal, 0o600, false},
		{"command, world-readable", command, 0o644, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t, "")
			// An unused storage is enough: the warning comes from reading the file.
			text := read(t, e.conf) + "storage remote {\n\ttype caldav\n\turl http://127.0.0.1:1/\n" + c.creds + "}\n"
			write(t, e.conf, text)
			if err := os.Chmod(e.conf, c.mode); err != nil {
				t.Fatal(err)
			}
			code, out, errOut := e.run("status")
			if got := strings.Contains(errOut, warning); got != c.want {
				t.Errorf("warned %v, want %v: exit %d\nstdout %s\nstderr %s", got, c.want, code, out, errOut)
			}
			if c.want && (!strings.Contains(errOut, "file="+e.conf) || !strings.Contains(errOut, "chmod 600") || strings.Contains(errOut, "hunter2")) {
				t.Errorf("the warning should name the file and the fix, and not the password: %s", errOut)
			}
		})
	}
}
