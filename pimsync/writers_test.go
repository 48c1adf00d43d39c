package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
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
