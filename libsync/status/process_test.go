package status

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"reflect"
	"sync"
	"testing"
)

// The tests here re-run the test binary as a child (TestHelperProcess) so that the lock
// and the durability are checked between real processes.
const (
	helperModeEnv = "PIMSYNC_STATUS_HELPER"
	helperDirEnv  = "PIMSYNC_STATUS_HELPER_DIR"
	crashItems    = 200
)

func crashItem(i int) Item {
	return item(fmt.Sprintf("uid-%04d@example.com", i), fmt.Sprint(i))
}

// TestHelperProcess is the child's side. In "hold" and "hold-ro" it keeps the pair open
// until its standard input closes; in "crash" it writes crashItems items from 8
// goroutines and then dies without closing anything.
func TestHelperProcess(t *testing.T) {
	mode := os.Getenv(helperModeEnv)
	if mode == "" {
		t.Skip("runs only as the child of the cross-process tests")
	}
	dir := os.Getenv(helperDirEnv)
	fail := func(err error) {
		fmt.Fprintln(os.Stderr, "helper:", err)
		os.Exit(3)
	}
	switch mode {
	case "hold", "hold-ro":
		open := Open
		if mode == "hold-ro" {
			open = OpenReadOnly
		}
		db, err := open(dir, "p")
		if err != nil {
			fail(err)
		}
		fmt.Println("ready")
		_, _ = io.Copy(io.Discard, os.Stdin)
		if err := db.Close(); err != nil {
			fail(err)
		}
	case "crash":
		db, err := Open(dir, "p")
		if err != nil {
			fail(err)
		}
		if err := db.PutMapping(Mapping{Key: "k", IDA: "a"}); err != nil {
			fail(err)
		}
		var wg sync.WaitGroup
		for w := range 8 {
			wg.Go(func() {
				for i := w; i < crashItems; i += 8 {
					if err := db.PutItem("k", crashItem(i)); err != nil {
						fail(err)
					}
				}
			})
		}
		wg.Wait()
		if err := db.PutState("k", "token", "last"); err != nil {
			fail(err)
		}
		fmt.Println("done")
		p, err := os.FindProcess(os.Getpid())
		if err != nil {
			fail(err)
		}
		_ = p.Kill()
		select {}
	default:
		fail(fmt.Errorf("unknown mode %q", mode))
	}
}

type helper struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	out    *bufio.Scanner
	stderr *bytes.Buffer
}

func startHelper(t *testing.T, mode, dir string) *helper {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), helperModeEnv+"="+mode, helperDirEnv+"="+dir)
	h := &helper{cmd: cmd, stderr: new(bytes.Buffer)}
	cmd.Stderr = h.stderr
	var err error
	if h.stdin, err = cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	h.out = bufio.NewScanner(stdout)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	return h
}

// expect waits for the child to print line.
func (h *helper) expect(t *testing.T, line string) {
	t.Helper()
	for h.out.Scan() {
		if h.out.Text() == line {
			return
		}
	}
	err := h.cmd.Wait()
	t.Fatalf("child ended (%v) without printing %q; stderr:\n%s", err, line, h.stderr)
}

func TestLockAcrossProcesses(t *testing.T) {
	t.Run("writer", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		h := startHelper(t, "hold", dir)
		h.expect(t, "ready")
		var wg sync.WaitGroup
		wg.Go(func() { checkLocked(t, "Open", func() (*DB, error) { return Open(dir, "p") }, "p") })
		wg.Go(func() { checkLocked(t, "OpenReadOnly", func() (*DB, error) { return OpenReadOnly(dir, "p") }, "p") })
		wg.Go(func() {
			db, err := Open(dir, "other")
			if err != nil {
				t.Errorf("another pair: %v", err)
				return
			}
			db.Close()
		})
		wg.Wait()
		h.stdin.Close()
		if err := h.cmd.Wait(); err != nil {
			t.Fatalf("child: %v; stderr:\n%s", err, h.stderr)
		}
		db, err := Open(dir, "p")
		if err != nil {
			t.Fatalf("Open after the child ended: %v", err)
		}
		db.Close()
	})
	t.Run("reader", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		openT(t, dir, "p").Close()
		h := startHelper(t, "hold-ro", dir)
		h.expect(t, "ready")
		ro, err := OpenReadOnly(dir, "p")
		if err != nil {
			t.Fatalf("a second reader: %v", err)
		}
		ro.Close()
		checkLocked(t, "Open", func() (*DB, error) { return Open(dir, "p") }, "p")
		h.stdin.Close()
		if err := h.cmd.Wait(); err != nil {
			t.Fatalf("child: %v; stderr:\n%s", err, h.stderr)
		}
	})
}

func TestCrashDurability(t *testing.T) {
	dir := t.TempDir()
	h := startHelper(t, "crash", dir)
	h.expect(t, "done")
	err := h.cmd.Wait()
	if ps := h.cmd.ProcessState; ps.Success() || ps.ExitCode() == 3 {
		t.Fatalf("the child ended with %v instead of being killed; stderr:\n%s", err, h.stderr)
	}

	db := openT(t, dir, "p")
	got := mustItems(t, db, "k")
	if len(got) != crashItems {
		t.Fatalf("%d items after the crash, want %d", len(got), crashItems)
	}
	for i, it := range got {
		if want := crashItem(i); !reflect.DeepEqual(it, want) {
			t.Errorf("item %d = %q, want %q", i, it, want)
		}
	}
	if v, ok, err := db.State("k", "token"); v != "last" || !ok || err != nil {
		t.Errorf("State = %q, %v, %v", v, ok, err)
	}
}
