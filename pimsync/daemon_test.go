package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/pimsync-go/libsync/cli/clitest"
	"github.com/pimsync-go/libsync/dav"
	"github.com/pimsync-go/libsync/testserver"
	"github.com/pimsync-go/libvdir/item"
)

// lockedBuffer collects a process's stderr while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// daemonProc is a running pimsync daemon.
type daemonProc struct {
	cmd    *exec.Cmd
	stderr *lockedBuffer
	done   chan error
}

// startDaemon runs pimsync -c conf -v debug daemon -r 3 ARGS… and waits for READY=1 on
// descriptor 3.
func startDaemon(t *testing.T, conf string, args ...string) *daemonProc {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	cmd := exec.Command(binary, append([]string{"-c", conf, "-v", "debug", "daemon", "-r", "3"}, args...)...)
	cmd.ExtraFiles = []*os.File{w}
	d := &daemonProc{cmd: cmd, stderr: &lockedBuffer{}, done: make(chan error, 1)}
	cmd.Stderr = d.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	go func() { d.done <- cmd.Wait() }()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			<-d.done
		}
	})
	got := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(r).ReadString('\n')
		got <- line
	}()
	select {
	case line := <-got:
		if line != "READY=1\n" {
			t.Fatalf("readiness: %q\n%s", line, d.stderr)
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("no readiness within 20 s\n%s", d.stderr)
	}
	return d
}

// stop sends SIGTERM and returns the exit status.
func (d *daemonProc) stop(t *testing.T, within time.Duration) int {
	t.Helper()
	d.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-d.done:
		d.done <- err
		return d.cmd.ProcessState.ExitCode()
	case <-time.After(within):
		t.Fatalf("the daemon did not stop within %s\n%s", within, d.stderr)
		return -1
	}
}

// syncs counts the daemon's syncs of a pair so far, from its debug log.
func (d *daemonProc) syncs(pair string) int {
	return strings.Count(d.stderr.String(), `msg="pair synced" pair=`+pair+" ")
}

// waitFor polls cond for up to d.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool, log fmt.Stringer) {
	t.Helper()
	for deadline := time.Now().Add(d); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("%s: not within %s\n%s", what, d, log)
}

// serverUIDs lists the UIDs in a server collection; none while it does not exist.
func serverUIDs(t *testing.T, srv testserver.Server, colURL string) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	ctx := context.Background()
	c := client(srv)
	list, err := c.List(ctx, colURL)
	if err != nil {
		return out
	}
	var hrefs []string
	for _, r := range list {
		hrefs = append(hrefs, r.Href)
	}
	got, err := c.Multiget(ctx, dav.Calendars, colURL, hrefs)
	if err != nil {
		return out
	}
	for _, g := range got {
		if g.Err == nil {
			out[item.UID(g.Data)] = true
		}
	}
	return out
}

// TestDaemonRadicale: the daemon against a real Radicale. It signals readiness on the
// descriptor, a file created in the vdir reaches the server within 5 s, an event
// created on the server reaches the vdir within the interval (1 s) and a bit, and 1000
// files written at once into a local pair are one or a few syncs, not 1000.
func TestDaemonRadicale(t *testing.T) {
	srv := testserver.Radicale(t)
	var rnd [4]byte
	rand.Read(rnd[:])
	id := "daemon-" + hex.EncodeToString(rnd[:])
	t.Cleanup(func() { removeCollection(srv, id) })
	dir := t.TempDir()
	a, mirror := filepath.Join(dir, "a"), filepath.Join(dir, "mirror")
	os.MkdirAll(mirror, 0o755)
	write(t, filepath.Join(a, id, "first.ics"), event("first", "First"))
	conf := filepath.Join(dir, "pimsync.conf")
	write(t, conf, fmt.Sprintf("status_path %q\n", filepath.Join(dir, "status"))+
		fmt.Sprintf("storage a {\n\ttype vdir/icalendar\n\tpath %q\n}\n", a)+
		fmt.Sprintf("storage mirror {\n\ttype vdir/icalendar\n\tpath %q\n}\n", mirror)+
		strings.Replace(davStorage("server", "caldav", srv.CalendarHome, srv), "}\n", "\tinterval 1\n}\n", 1)+
		fmt.Sprintf("pair up {\n\tstorage_a a\n\tstorage_b server\n\tcollection %q\n}\n", id)+
		"pair local {\n\tstorage_a a\n\tstorage_b mirror\n\tcollections from a\n}\n")
	d := startDaemon(t, conf)
	colURL := srv.CalendarHome + url.PathEscape(id) + "/"
	onServer := func(uid string) func() bool {
		return func() bool { return serverUIDs(t, srv, colURL)[uid] }
	}
	waitFor(t, 10*time.Second, "the first sync", onServer("first"), d.stderr)

	write(t, filepath.Join(a, id, "local.ics"), event("local", "Made in the vdir"))
	waitFor(t, 5*time.Second, "a file created in the vdir on the server", onServer("local"), d.stderr)

	if _, err := client(srv).Put(context.Background(), dav.Calendars, colURL+"remote.ics", "", []byte(event("remote", "Made on the server"))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5*time.Second, "an event created on the server in the vdir", func() bool {
		m, _ := filepath.Glob(filepath.Join(a, id, "*.ics"))
		for _, f := range m {
			if strings.Contains(read(t, f), "UID:remote") {
				return true
			}
		}
		return false
	}, d.stderr)

	burst := filepath.Join(a, "burst")
	os.MkdirAll(burst, 0o755)
	waitFor(t, 5*time.Second, "the new collection in the mirror", func() bool { return exists(filepath.Join(mirror, "burst")) }, d.stderr)
	before := d.syncs("local")
	for i := range 1000 {
		write(t, filepath.Join(burst, fmt.Sprintf("%04d.ics", i)), event(fmt.Sprint("burst-", i), "Burst"))
	}
	waitFor(t, 20*time.Second, "1000 files in the mirror", func() bool {
		m, _ := filepath.Glob(filepath.Join(mirror, "burst", "*.ics"))
		return len(m) == 1000
	}, d.stderr)
	time.Sleep(2 * time.Second) // and the sync that sees the daemon's own writes
	t.Logf("1000 files: %d syncs", d.syncs("local")-before)
	if n := d.syncs("local") - before; n > 4 {
		t.Errorf("1000 files written at once took %d syncs of the pair", n)
	}
	// And 200 at once into the collection synced with Radicale: a few syncs too, each
	// uploading what it found (the first takes seconds, Radicale being slow to PUT).
	before = d.syncs("up")
	for i := range 200 {
		write(t, filepath.Join(a, id, fmt.Sprintf("burst-%03d.ics", i)), event(fmt.Sprint("up-burst-", i), "Burst"))
	}
	waitFor(t, 60*time.Second, "200 files on the server", func() bool { return len(serverUIDs(t, srv, colURL)) == 203 }, d.stderr)
	time.Sleep(2 * time.Second)
	t.Logf("200 files into the server's collection: %d syncs", d.syncs("up")-before)
	if n := d.syncs("up") - before; n > 4 {
		t.Errorf("200 files written at once into the server's collection took %d syncs", n)
	}
	if code := d.stop(t, 10*time.Second); code != 0 {
		t.Errorf("daemon exit status %d after SIGTERM\n%s", code, d.stderr)
	}
}

// TestDaemonStop: SIGTERM in the middle of a large upload lets the writes under way
// finish; the daemon exits 0 at once, nothing is lost, and the next sync completes it.
func TestDaemonStop(t *testing.T) {
	srv := testserver.Radicale(t)
	var rnd [4]byte
	rand.Read(rnd[:])
	id := "stop-" + hex.EncodeToString(rnd[:])
	t.Cleanup(func() { removeCollection(srv, id) })
	dir := t.TempDir()
	a := filepath.Join(dir, "a")
	const n = 500
	for i := range n {
		write(t, filepath.Join(a, id, fmt.Sprintf("%03d.ics", i)), event(fmt.Sprint("stop-", i), "Stop"))
	}
	conf := filepath.Join(dir, "pimsync.conf")
	write(t, conf, fmt.Sprintf("status_path %q\n", filepath.Join(dir, "status"))+
		fmt.Sprintf("storage a {\n\ttype vdir/icalendar\n\tpath %q\n}\n", a)+
		davStorage("server", "caldav", srv.CalendarHome, srv)+
		fmt.Sprintf("pair up {\n\tstorage_a a\n\tstorage_b server\n\tcollection %q\n}\n", id))
	d := startDaemon(t, conf)
	colURL := srv.CalendarHome + url.PathEscape(id) + "/"
	waitFor(t, 10*time.Second, "the upload under way", func() bool { return len(serverUIDs(t, srv, colURL)) >= 5 }, d.stderr)
	start := time.Now()
	if code := d.stop(t, 10*time.Second); code != 0 {
		t.Fatalf("exit status %d after SIGTERM\n%s", code, d.stderr)
	}
	took := time.Since(start)
	uploaded := len(serverUIDs(t, srv, colURL))
	t.Logf("stopped after %s with %d of %d uploaded", took, uploaded, n)
	// Radicale takes some 30 ms a PUT: the whole upload would take seconds more.
	if uploaded >= n || took > 5*time.Second {
		t.Errorf("the daemon went on after SIGTERM: %d of %d uploaded, stopped after %s", uploaded, n, took)
	}
	e := &env{t: t, dir: dir, a: a, conf: conf}
	lines := e.sync(0)
	if got := total(lines, "created_b"); got != n-uploaded {
		t.Errorf("the sync after created %d, want %d: %v", got, n-uploaded, lines)
	}
	if got := len(serverUIDs(t, srv, colURL)); got != n {
		t.Errorf("%d items on the server, want %d", got, n)
	}
}

// TestDaemonFailingPair: a pair whose server is down keeps failing, with growing waits,
// while another pair keeps syncing; pimsync status shows both, and the daemon.
func TestDaemonFailingPair(t *testing.T) {
	srv := testserver.Radicale(t)
	target, _ := url.Parse(srv.URL)
	proxy := httptest.NewServer(httputil.NewSingleHostReverseProxy(target))
	var rnd [4]byte
	rand.Read(rnd[:])
	id := "failing-" + hex.EncodeToString(rnd[:])
	t.Cleanup(func() { removeCollection(srv, id) })
	dir := t.TempDir()
	a, mirror := filepath.Join(dir, "a"), filepath.Join(dir, "mirror")
	os.MkdirAll(mirror, 0o755)
	write(t, filepath.Join(a, id, "x.ics"), event("x", "X"))
	home := proxy.URL + strings.TrimPrefix(srv.CalendarHome, strings.TrimSuffix(srv.URL, "/"))
	conf := filepath.Join(dir, "pimsync.conf")
	write(t, conf, fmt.Sprintf("status_path %q\n", filepath.Join(dir, "status"))+
		fmt.Sprintf("storage a {\n\ttype vdir/icalendar\n\tpath %q\n}\n", a)+
		fmt.Sprintf("storage mirror {\n\ttype vdir/icalendar\n\tpath %q\n}\n", mirror)+
		strings.Replace(davStorage("server", "caldav", home, srv), "}\n", "\tinterval 1\n}\n", 1)+
		fmt.Sprintf("pair up {\n\tstorage_a a\n\tstorage_b server\n\tcollection %q\n}\n", id)+
		"pair local {\n\tstorage_a a\n\tstorage_b mirror\n\tcollections from a\n}\n")
	e := &env{t: t, dir: dir, a: a, conf: conf}
	e.sync(0)
	proxy.Close() // the server goes away

	d := startDaemon(t, conf)
	write(t, filepath.Join(a, id, "y.ics"), event("y", "Y"))
	waitFor(t, 5*time.Second, "the local pair syncing", func() bool { return exists(filepath.Join(mirror, id, "y.ics")) }, d.stderr)
	// The first failure waits 5 s, the second 10 s.
	waitFor(t, 15*time.Second, "the failing pair tried twice, waiting longer", func() bool {
		return strings.Contains(d.stderr.String(), "retry_in=10s")
	}, d.stderr)

	code, out, errOut := e.run("status")
	if code != 1 {
		t.Errorf("status with a failing pair: exit %d\n%s\n%s", code, out, errOut)
	}
	states := map[string]map[string]any{}
	for _, l := range clitest.JSONLines(t, out) {
		states[l["pair"].(string)] = l
	}
	if up := states["up"]; up["state"] != "failed" || up["daemon"] != true || !strings.Contains(up["error"].(string), "127.0.0.1") {
		t.Errorf("the failing pair: %v", up)
	}
	if local := states["local"]; local["state"] != "ok" || local["daemon"] != true {
		t.Errorf("the other pair: %v", local)
	}
	if code := d.stop(t, 10*time.Second); code != 0 {
		t.Errorf("exit status %d after SIGTERM", code)
	}
}

// TestDaemonUsage: readiness descriptors the daemon refuses.
func TestDaemonUsage(t *testing.T) {
	e := newEnv(t, "")
	for _, args := range [][]string{{"daemon", "-r", "0"}, {"daemon", "-r", "1"}, {"daemon", "-r", "2"}, {"daemon", "-r", "9"}, {"daemon", "cal/c"}} {
		if code, _, errOut := e.run(args...); code != 2 || !strings.Contains(errOut, "daemon") && !strings.Contains(errOut, "descriptor") {
			t.Errorf("%q: exit %d, %s", args, code, errOut)
		}
	}
	// READY_FD naming a standard descriptor is refused the same way: the daemon must
	// not write READY=1 into its own input, output or log.
	for _, fd := range []string{"0", "1", "2", "x"} {
		cmd := exec.Command(binary, "-c", e.conf, "daemon")
		cmd.Env = append(os.Environ(), "READY_FD="+fd)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		err := cmd.Run()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 2 || !strings.Contains(stderr.String(), "READY_FD") {
			t.Errorf("READY_FD=%s: %v, %s", fd, err, &stderr)
		}
	}
}

// TestDaemonNotifyAndReload: systemd's NOTIFY_SOCKET hears READY=1 and, at SIGINT (a
// Ctrl-C; TestDaemonStop sends SIGTERM), STOPPING=1; SIGHUP with a broken configuration keeps the running one, and with a
// good one starts its new pair.
func TestDaemonNotifyAndReload(t *testing.T) {
	e := newEnv(t, "")
	write(t, filepath.Join(e.a, "c", "x.ics"), event("x", "X"))
	sockDir, err := os.MkdirTemp("", "notify") // short: sun_path is 108 bytes
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(sockDir)
	sock := filepath.Join(sockDir, "notify.sock")
	l, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	heard := make(chan string, 10)
	go func() {
		buf := make([]byte, 256)
		for {
			n, err := l.Read(buf)
			if err != nil {
				return
			}
			heard <- string(buf[:n])
		}
	}()
	expect := func(want string) {
		t.Helper()
		select {
		case got := <-heard:
			if got != want {
				t.Errorf("NOTIFY_SOCKET got %q, want %q", got, want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("NOTIFY_SOCKET: no %q", want)
		}
	}
	// Readiness by READY_FD as well, as s6 and dinit pass it.
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	cmd := exec.Command(binary, "-c", e.conf, "daemon")
	cmd.Env = append(os.Environ(), "NOTIFY_SOCKET="+sock, "READY_FD=3")
	cmd.ExtraFiles = []*os.File{w}
	stderr := &lockedBuffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	defer cmd.Process.Kill()
	expect("READY=1")
	if b, err := io.ReadAll(r); err != nil || string(b) != "READY=1\n" {
		t.Errorf("READY_FD: %q, %v (the descriptor must be closed after)", b, err)
	}
	waitFor(t, 5*time.Second, "the first sync", func() bool { return exists(filepath.Join(e.b, "c", "x.ics")) }, stderr)

	good := read(t, e.conf)
	write(t, e.conf, good+"pair broken {\n")
	cmd.Process.Signal(syscall.SIGHUP)
	waitFor(t, 5*time.Second, "the broken configuration refused", func() bool {
		return strings.Contains(stderr.String(), "configuration not reloaded")
	}, stderr)
	write(t, filepath.Join(e.a, "c", "y.ics"), event("y", "Y"))
	waitFor(t, 5*time.Second, "the running configuration still syncing", func() bool { return exists(filepath.Join(e.b, "c", "y.ics")) }, stderr)

	third := filepath.Join(e.dir, "third")
	os.Mkdir(third, 0o755)
	write(t, e.conf, good+fmt.Sprintf("storage third {\n\ttype vdir/icalendar\n\tpath %q\n}\npair more {\n\tstorage_a local\n\tstorage_b third\n\tcollections from a\n}\n", third))
	cmd.Process.Signal(syscall.SIGHUP)
	expect("RELOADING=1")
	expect("READY=1")
	waitFor(t, 5*time.Second, "the new pair syncing", func() bool { return exists(filepath.Join(third, "c", "x.ics")) }, stderr)

	cmd.Process.Signal(syscall.SIGINT)
	expect("STOPPING=1")
	if err := cmd.Wait(); err != nil {
		t.Errorf("exit after SIGINT: %v\n%s", err, stderr)
	}
}
