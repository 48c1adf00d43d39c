package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestTwoWriters: two pimsync sync processes started together on one pair: the second
// waits for the first's lock and then either runs after it or refuses with a clear
// message; either way every item is on b once and the next sync has nothing to do.
func TestTwoWriters(t *testing.T) {
	e := newEnv(t, "")
	for i := range 1500 {
		write(t, filepath.Join(e.a, "c", fmt.Sprintf("i%04d.ics", i)), event(fmt.Sprintf("i%04d", i), "one"))
	}
	var cmds [2]*exec.Cmd
	var outs [2]bytes.Buffer
	for i := range cmds {
		cmds[i] = exec.Command(binary, "-c", e.conf, "sync")
		cmds[i].Stdout, cmds[i].Stderr = &outs[i], &outs[i]
		if err := cmds[i].Start(); err != nil {
			t.Fatal(err)
		}
	}
	for i, cmd := range cmds {
		err := cmd.Wait()
		code := cmd.ProcessState.ExitCode()
		switch {
		case err == nil:
		case code == 1 && strings.Contains(outs[i].String(), "is being synced by another process"):
			t.Logf("process %d refused: %s", i, strings.TrimSpace(outs[i].String()))
		default:
			t.Errorf("process %d: exit %d\n%s", i, code, outs[i].String())
		}
	}
	entries, err := os.ReadDir(filepath.Join(e.b, "c"))
	if err != nil || len(entries) != 1500 {
		t.Fatalf("b holds %d files, %v; want 1500", len(entries), err)
	}
	lines := e.sync(0)
	if n := total(lines, "created_a") + total(lines, "created_b") + total(lines, "updated_a") + total(lines, "updated_b"); n != 0 {
		t.Errorf("the next sync still did something: %v", lines)
	}
}

// TestDaemonAndSync: manual syncs of a pair run back to back while its daemon syncs
// 1500 new files: whichever holds the pair's lock, the other waits for it or gives up
// with a clear message (a manual sync exits 1, the daemon tries again later); the
// daemon keeps going and stops cleanly, every item is on b once, and the next sync
// has nothing to do.
func TestDaemonAndSync(t *testing.T) {
	e := newEnv(t, "")
	os.MkdirAll(filepath.Join(e.a, "c"), 0o755)
	e.sync(0) // the collection on both sides, so the daemon watches it from the start
	d := startDaemon(t, e.conf)

	type outcome struct {
		code int
		out  string
	}
	stop := make(chan struct{})
	results := make(chan []outcome)
	go func() {
		var got []outcome
		for {
			select {
			case <-stop:
				results <- got
				return
			default:
			}
			out, err := exec.Command(binary, "-c", e.conf, "sync").CombinedOutput()
			var ee *exec.ExitError
			code := 0
			if errors.As(err, &ee) {
				code = ee.ExitCode()
			} else if err != nil {
				code = -1
			}
			got = append(got, outcome{code, string(out)})
		}
	}()
	// Written as editors do, whole or not at all: a sync meeting a file half written
	// reports it, rightly, and exits 1.
	tmp := filepath.Join(e.dir, "new.tmp")
	for i := range 1500 {
		write(t, tmp, event(fmt.Sprintf("i%04d", i), "one"))
		if err := os.Rename(tmp, filepath.Join(e.a, "c", fmt.Sprintf("i%04d.ics", i))); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, 30*time.Second, "1500 files on b and a sync by the daemon", func() bool {
		return d.syncs("cal") > 0 && countFiles(t, filepath.Join(e.b, "c")) == 1500
	}, d.stderr)
	close(stop)
	ran, refused := 0, 0
	for _, o := range <-results {
		switch {
		case o.code == 0:
			ran++
		case o.code == 1 && strings.Contains(o.out, "is being synced by another process"):
			refused++
		default:
			t.Errorf("manual sync: exit %d\n%s", o.code, o.out)
		}
	}
	if code := d.stop(t, 10*time.Second); code != 0 {
		t.Errorf("daemon exit %d\n%s", code, d.stderr)
	}
	if strings.Contains(d.stderr.String(), "panic") {
		t.Errorf("the daemon panicked:\n%s", d.stderr)
	}
	daemonRefused := strings.Count(d.stderr.String(), "is being synced by another process")
	t.Logf("manual syncs: %d ran, %d refused; the daemon synced %d times, %d of them refused",
		ran, refused, d.syncs("cal"), daemonRefused)
	lines := e.sync(0)
	if n := total(lines, "created_a") + total(lines, "created_b") + total(lines, "updated_a") + total(lines, "updated_b") +
		total(lines, "deleted_a") + total(lines, "deleted_b"); n != 0 {
		t.Errorf("the next sync still did something: %v", lines)
	}
	if n := countFiles(t, filepath.Join(e.b, "c")); n != 1500 {
		t.Errorf("b holds %d files, want 1500", n)
	}
}

func countFiles(t *testing.T, dir string) int {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return len(entries)
}
