package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	vdir "github.com/pimsync-go/libvdir"
)

// TestBigItem: a 50 MB item (a contact card's photo, say, or a calendar with a huge
// attachment) syncs between vdirs byte for byte, in memory bounded by a few copies of
// it, and an item past the limit (vdir.MaxItemSize) fails by name while the others
// sync.
func TestBigItem(t *testing.T) {
	e := newEnv(t, "")
	// The item is written and compared a piece at a time: a test process that held it
	// would be counted in the peak RSS of pimsync, whose exec replaces a copy of it.
	bigPath := filepath.Join(e.a, "c", "big.ics")
	os.MkdirAll(filepath.Dir(bigPath), 0o755)
	f, err := os.Create(bigPath)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	w.WriteString("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:big\r\nSUMMARY:big\r\n")
	line := "X-PAD:" + strings.Repeat("x", 68) + "\r\n"
	for range (50 << 20) / len(line) {
		w.WriteString(line)
	}
	w.WriteString("END:VEVENT\r\nEND:VCALENDAR\r\n")
	if err := w.Flush(); err != nil || f.Close() != nil {
		t.Fatal(err)
	}
	size := fileSize(t, bigPath)
	write(t, filepath.Join(e.a, "c", "small.ics"), event("small", "one"))

	cmd := exec.Command(binary, "-c", e.conf, "sync")
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("sync: %v\n%s\n%s", err, out.String(), errOut.String())
	}
	if got, want := fileSum(t, filepath.Join(e.b, "c", "big.ics")), fileSum(t, bigPath); got != want {
		t.Fatalf("big item on b: SHA-256 %s, want the %s of a", got, want)
	}
	if rss, ok := peakRSS(cmd.ProcessState); ok {
		figure(t, "big item: a %d MB item synced vdir to vdir byte for byte with a peak RSS of %d MB", size>>20, rss>>20)
		// The item is held a few times over: as read, as its hash's normal form, and
		// while copied, each with the garbage collector's slack.
		if limit := 8 * size; rss > limit {
			t.Errorf("peak RSS %d MB for a %d MB item; want at most %d MB", rss>>20, size>>20, limit>>20)
		}
	}
	if !exists(filepath.Join(e.b, "c", "small.ics")) {
		t.Error("the small item did not sync")
	}

	// Past the limit: a clear error naming the file, and the rest syncs. (A sparse
	// file: its size alone is refused, before any of it is read.)
	huge := filepath.Join(e.a, "c", "huge.ics")
	f, err = os.Create(huge)
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

// fileSize is the size of the file at path.
func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

// fileSum is the hex SHA-256 of the file at path, read a piece at a time.
func fileSum(t *testing.T, path string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}
