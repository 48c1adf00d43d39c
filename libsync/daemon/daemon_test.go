package daemon

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pimsync-go/libsync/config"
	"github.com/pimsync-go/libsync/status"
	"github.com/pimsync-go/libsync/syncer"
)

func event(uid string) string {
	return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:" + uid +
		"\r\nDTSTART:20260105T100000Z\r\nSUMMARY:x\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
}

// syncs counts the daemon's syncs per pair, and keeps the collections of each.
type syncs struct {
	mu  sync.Mutex
	n   map[string]int
	all map[string][]string // the collections of every sync, joined by commas
}

func (s *syncs) add(p string, res *syncer.Result, _ error) {
	s.mu.Lock()
	s.n[p]++
	var keys []string
	if res != nil {
		for _, c := range res.Collections {
			keys = append(keys, c.Key)
		}
	}
	s.all[p] = append(s.all[p], strings.Join(keys, ","))
	s.mu.Unlock()
}

// since returns the collections of each sync of p after the first n.
func (s *syncs) since(p string, n int) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.all[p][n:]...)
}

func (s *syncs) get(p string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n[p]
}

// eventually waits up to 5 s for cond.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("%s: not within 5 s", what)
}

// TestDaemon: a pair of vdirs syncs at the start, a file written on one side reaches
// the other, a burst of files is one or a few syncs, and a pair whose storage is
// missing fails (with growing waits) without holding up the other.
func TestDaemon(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	for _, d := range []string{filepath.Join(a, "cal"), filepath.Join(a, "work"), b} {
		os.MkdirAll(d, 0o755)
	}
	os.WriteFile(filepath.Join(a, "cal", "first.ics"), []byte(event("first")), 0o644)
	conf := fmt.Sprintf(`status_path %s/status
storage a {
	type vdir/icalendar
	path %s
}
storage b {
	type vdir/icalendar
	path %s
}
storage gone {
	type vdir/icalendar
	path %s/gone
	interval 1
}
pair good {
	storage_a a
	storage_b b
	collections from a
}
pair bad {
	storage_a a
	storage_b gone
	collections from a
}
`, dir, a, b, dir)
	cfg, err := config.Parse(filepath.Join(dir, "pimsync.conf"), strings.NewReader(conf))
	if err != nil {
		t.Fatal(err)
	}
	counts := &syncs{n: map[string]int{}, all: map[string][]string{}}
	d, err := Start(context.Background(), cfg, Options{Debounce: 200 * time.Millisecond, MaxDelay: 2 * time.Second,
		MinBackoff: 50 * time.Millisecond, MaxBackoff: 200 * time.Millisecond, OnSync: counts.add})
	if err != nil {
		t.Fatal(err)
	}
	stopped := false
	defer func() {
		if !stopped {
			d.Stop()
			d.Wait()
		}
	}()
	// Ready means prepared: the good pair's first sync may still run.
	at := func(name string) string { return filepath.Join(b, "cal", name) }
	eventually(t, "the first sync", func() bool { _, err := os.Stat(at("first.ics")); return err == nil })
	if pid, running := status.DaemonRunning(filepath.Join(dir, "status"), "good"); !running || pid == "" {
		t.Error("status does not see the daemon")
	}

	// The first sync's own writes (b's new collections) bring one more, whole sync;
	// let it pass, then only the collection that changes syncs, not work.
	time.Sleep(time.Second)
	n := counts.get("good")
	os.WriteFile(filepath.Join(a, "cal", "second.ics"), []byte(event("second")), 0o644)
	eventually(t, "a new file on a", func() bool { _, err := os.Stat(at("second.ics")); return err == nil })
	time.Sleep(500 * time.Millisecond)
	for _, keys := range counts.since("good", n) {
		if keys != "cal" {
			t.Errorf("a change in cal synced %q", keys)
		}
	}

	before := counts.get("good")
	for i := range 300 {
		os.WriteFile(filepath.Join(a, "cal", fmt.Sprintf("burst-%03d.ics", i)), []byte(event(fmt.Sprint("burst", i))), 0o644)
	}
	eventually(t, "a burst of 300 files", func() bool {
		m, _ := filepath.Glob(filepath.Join(b, "cal", "burst*.ics"))
		return len(m) == 300
	})
	time.Sleep(500 * time.Millisecond) // the sync that follows the daemon's own writes
	t.Logf("a burst of 300 files: %d syncs", counts.get("good")-before)
	if n := counts.get("good") - before; n > 4 {
		t.Errorf("a burst of 300 files took %d syncs", n)
	}
	if n := counts.get("bad"); n != 0 {
		t.Errorf("the pair whose storage is missing synced %d times", n)
	}

	d.Stop()
	done := make(chan struct{})
	go func() { d.Wait(); close(done) }()
	select {
	case <-done:
		stopped = true
	case <-time.After(5 * time.Second):
		t.Fatal("the daemon did not stop")
	}
	if _, running := status.DaemonRunning(filepath.Join(dir, "status"), "good"); running {
		t.Error("the daemon's mark stays after it stopped")
	}
}
