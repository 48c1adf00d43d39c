package daemon

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pimsync-go/libsync/config"
)

// TestDaemonSinglefile: the daemon watches a singlefile storage's files (here one per
// collection directory, %s in a directory of the path): an event added to a vdir
// reaches the file, and one added to the file reaches the vdir.
func TestDaemonSinglefile(t *testing.T) {
	dir := t.TempDir()
	a, single := filepath.Join(dir, "a"), filepath.Join(dir, "single")
	os.MkdirAll(filepath.Join(a, "cal"), 0o755)
	os.MkdirAll(single, 0o755)
	os.WriteFile(filepath.Join(a, "cal", "first.ics"), []byte(event("first")), 0o644)
	conf := fmt.Sprintf(`status_path %s/status
storage a {
	type vdir/icalendar
	path %s
}
storage file {
	type singlefile/icalendar
	path %s/%%s/calendar.ics
}
pair p {
	storage_a a
	storage_b file
	collections from a
}
`, dir, a, single)
	cfg, err := config.Parse(filepath.Join(dir, "pimsync.conf"), strings.NewReader(conf))
	if err != nil {
		t.Fatal(err)
	}
	counts := &syncs{n: map[string]int{}, all: map[string][]string{}}
	d, err := Start(context.Background(), cfg, Options{Debounce: 100 * time.Millisecond, MaxDelay: time.Second,
		MinBackoff: 50 * time.Millisecond, MaxBackoff: 200 * time.Millisecond, OnSync: counts.add})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		d.Stop()
		d.Wait()
	}()
	file := filepath.Join(single, "cal", "calendar.ics")
	holds := func(uid string) func() bool {
		return func() bool {
			b, _ := os.ReadFile(file)
			return strings.Contains(string(b), "UID:"+uid+"\r\n")
		}
	}
	eventually(t, "the first sync creates the file", holds("first"))
	time.Sleep(500 * time.Millisecond) // the sync after the daemon's own writes

	os.WriteFile(filepath.Join(a, "cal", "second.ics"), []byte(event("second")), 0o644)
	eventually(t, "a vdir change reaches the file", holds("second"))
	time.Sleep(500 * time.Millisecond)

	// Another program adds an event to the file, atomically as editors do.
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	third := strings.TrimPrefix(strings.TrimSuffix(event("third"), "END:VCALENDAR\r\n"), "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n")
	edited := strings.Replace(string(b), "END:VCALENDAR\r\n", third+"END:VCALENDAR\r\n", 1)
	tmp := file + ".tmp"
	if err := os.WriteFile(tmp, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, file); err != nil {
		t.Fatal(err)
	}
	eventually(t, "a change of the file reaches the vdir", func() bool {
		m, _ := filepath.Glob(filepath.Join(a, "cal", "*.ics"))
		for _, f := range m {
			if b, _ := os.ReadFile(f); strings.Contains(string(b), "UID:third\r\n") {
				return true
			}
		}
		return false
	})
}
