package vdir

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// crashItem is version v of an item: 2 MB, so that writing it takes many pages (a kill
// lands mid-write often), and self-checking, as every line names the version.
func crashItem(name string, v int) []byte {
	line := fmt.Sprintf("X-PAD:%08d %s\r\n", v, strings.Repeat("x", 50))
	var b bytes.Buffer
	fmt.Fprintf(&b, "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:%s\r\nX-VERSION:%08d\r\n", name, v)
	b.WriteString(strings.Repeat(line, 2<<20/len(line)))
	b.WriteString("END:VEVENT\r\nEND:VCALENDAR\r\n")
	return b.Bytes()
}

// TestCrashLeavesNoPartialItem kills a process that creates and updates items, at
// random moments, and checks that every item file left is one whole version.
func TestCrashLeavesNoPartialItem(t *testing.T) {
	if dir := os.Getenv("VDIR_CRASH_WRITER"); dir != "" {
		crashWriter(dir)
		return
	}
	if testing.Short() {
		t.Skip("spawns processes")
	}
	dir := t.TempDir()
	rounds := 25
	for round := 0; round < rounds; round++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashLeavesNoPartialItem$")
		cmd.Env = append(os.Environ(), "VDIR_CRASH_WRITER="+dir, fmt.Sprintf("VDIR_CRASH_SEED=%d", round))
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Wait for the first write, then kill at a random moment of the ones after it.
		if _, err := out.Read(make([]byte, 1)); err != nil {
			t.Fatalf("writer died before writing: %v", err)
		}
		time.Sleep(time.Duration(rand.IntN(30_000)) * time.Microsecond)
		cmd.Process.Kill()
		cmd.Wait()
	}

	c, err := OpenCollection(dir, "ics")
	if err != nil {
		t.Fatal(err)
	}
	l, err := c.List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Items) == 0 {
		t.Fatal("the writer never got an item written; the test proves nothing")
	}
	for _, e := range l.Items {
		it, err := c.Get(context.Background(), e.Name)
		if err != nil {
			t.Fatal(err)
		}
		var v int
		fmt.Sscanf(string(it.Data[bytes.Index(it.Data, []byte("X-VERSION:"))+10:]), "%d", &v)
		if want := crashItem(strings.TrimSuffix(e.Name, ".ics"), v); !bytes.Equal(it.Data, want) {
			t.Errorf("%s is not a whole version (%d bytes)", e.Name, len(it.Data))
		}
	}
	tmps, _ := filepath.Glob(filepath.Join(dir, "*.tmp"))
	t.Logf("%d rounds, %d items whole, %d temporary files left by kills", rounds, len(l.Items), len(tmps))
}

// crashWriter creates and rewrites five items forever, until it is killed.
func crashWriter(dir string) {
	c, err := OpenCollection(dir, "ics")
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	seed := os.Getenv("VDIR_CRASH_SEED")
	for i := 0; ; i++ {
		name := fmt.Sprintf("item%d", i%5)
		var v int
		fmt.Sscanf(seed, "%d", &v)
		v = v*1_000_000 + i
		it, err := c.Get(ctx, name+".ics")
		switch {
		case errors.Is(err, ErrNotFound):
			_, err = c.Create(ctx, name+".ics", crashItem(name, v))
		case err == nil:
			_, err = c.Update(ctx, name+".ics", it.Etag, crashItem(name, v))
		}
		if err != nil {
			panic(err)
		}
		if i == 0 {
			os.Stdout.Write([]byte{'.'})
		}
	}
}
