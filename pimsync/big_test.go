package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"

	vdir "github.com/pimsync-go/libvdir"
)

// TestBigItem: a 50 MB item (a contact card's photo, say, or a calendar with a huge
// attachment) syncs between vdirs byte for byte, in memory bounded by a few copies of
// it, and an item past the limit (vdir.MaxItemSize) fails by name while the others
// sync.
func TestBigItem(t *testing.T) {
	e := newEnv(t, "")
	line := "X-PAD:" + strings.Repeat("x", 68) + "\r\n"
	var big bytes.Buffer
	big.WriteString("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:big\r\nSUMMARY:big\r\n")
	for big.Len() < 50<<20 {
		big.WriteString(line)
	}
	big.WriteString("END:VEVENT\r\nEND:VCALENDAR\r\n")
	write(t, filepath.Join(e.a, "c", "big.ics"), big.String())
	write(t, filepath.Join(e.a, "c", "small.ics"), event("small", "one"))

	cmd := exec.Command(binary, "-c", e.conf, "sync")
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("sync: %v\n%s\n%s", err, out.String(), errOut.String())
	}
	got, err := os.ReadFile(filepath.Join(e.b, "c", "big.ics"))
	if err != nil || !bytes.Equal(got, big.Bytes()) {
		t.Fatalf("big item on b: %d bytes, %v; want the %d bytes of a", len(got), err, big.Len())
	}
	rss := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss << 10 // KiB on Linux
	t.Logf("a %d MB item synced with a peak RSS of %d MB", big.Len()>>20, rss>>20)
	// The item is held a few times over: as read, as its hash's normal form, and
	// while copied, each with the garbage collector's slack.
	if limit := int64(8 * big.Len()); rss > limit && !raceEnabled {
		t.Errorf("peak RSS %d MB for a %d MB item; want at most %d MB", rss>>20, big.Len()>>20, limit>>20)
	}
	if !exists(filepath.Join(e.b, "c", "small.ics")) {
		t.Error("the small item did not sync")
	}

	// Past the limit: a clear error naming the file, and the rest syncs. (A sparse
	// file: its size alone is refused, before any of it is read.)
	huge := filepath.Join(e.a, "c", "huge.ics")
	f, err := os.Create(huge)
	if err != nil {
		t.Fatal(err)
	}
	f.Truncate(vdir.MaxItemSize + 1)
	f.Close()
	write(t, filepath.Join(e.a, "c", "later.ics"), event("later", "one"))
	code, stdout, stderr := e.run("sync")
	if code != 1 || !strings.Contains(stdout+stderr, "huge.ics") || !strings.Contains(stdout+stderr, "too large") {
		t.Errorf("an item past the limit: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if !exists(filepath.Join(e.b, "c", "later.ics")) {
		t.Error("an item past the limit held up the others")
	}
	entries, _ := os.ReadDir(filepath.Join(e.b, "c"))
	if len(entries) != 3 {
		t.Errorf("b holds %d files, want big, small and later", len(entries))
	}
}

// TestMaxSize: a storage's max_size lowers the limit: an item above it fails by name,
// saying which directive to raise, and the rest syncs; raised, it syncs too.
func TestMaxSize(t *testing.T) {
	e := newEnv(t, "")
	conf := func(size string) {
		text, err := os.ReadFile(e.conf)
		if err != nil {
			t.Fatal(err)
		}
		re := regexp.MustCompile(`(?s)(storage local \{\n\ttype vdir/icalendar\n\tpath "[^"]*"\n)(\tmax_size \S+\n)?`)
		write(t, e.conf, re.ReplaceAllString(string(text), "${1}\tmax_size "+size+"\n"))
	}
	conf("4K")
	write(t, filepath.Join(e.a, "c", "big.ics"), event("big", strings.Repeat("x", 5000)))
	write(t, filepath.Join(e.a, "c", "small.ics"), event("small", "one"))
	code, stdout, stderr := e.run("sync")
	if code != 1 || !strings.Contains(stderr, "big.ics") || !strings.Contains(stderr, "max_size") {
		t.Errorf("an item above max_size: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if !exists(filepath.Join(e.b, "c", "small.ics")) || exists(filepath.Join(e.b, "c", "big.ics")) {
		t.Error("want small on b and not big")
	}
	conf("8K")
	e.sync(0)
	if !exists(filepath.Join(e.b, "c", "big.ics")) {
		t.Error("with max_size raised, big did not sync")
	}
}
