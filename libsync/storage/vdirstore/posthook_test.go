package vdirstore

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pimsync-go/libsync/storage"
)

const hookItem = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:u\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"

func TestPostHook(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	bin := t.TempDir()
	log := filepath.Join(bin, "log")
	// The hook is a program of its own; the storage runs it without a shell.
	hook := filepath.Join(bin, "hook")
	script := "#!/bin/sh\nprintf '%s\\n' \"$1\" >>" + log + "\n"
	failing := filepath.Join(bin, "failing")
	if err := os.WriteFile(hook, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(failing, []byte("#!/bin/sh\necho broken >&2\nexit 3\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(root, "cal"), 0o755); err != nil {
		t.Fatal(err)
	}
	// A file name a shell would act on: the hook must get it as one plain argument.
	odd := "x $(touch pwned); y.ics"
	if err := os.WriteFile(filepath.Join(root, "cal", odd), []byte(hookItem), 0o644); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name, hook string
		want       []string // lines of the log after the writes
	}{
		{"no hook", "", nil},
		{"hook", hook, []string{"new.ics", odd}},
		{"failing hook", failing, nil},
		{"missing hook", filepath.Join(bin, "nope"), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			os.Remove(log)
			os.Remove(filepath.Join(root, "cal", "new.ics"))
			s, err := Open(root, "ics")
			if err != nil {
				t.Fatal(err)
			}
			s.SetPostHook(tt.hook)
			c, err := s.Collection(ctx, filepath.Join(root, "cal"))
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := c.Create(ctx, "new", []byte(hookItem)); err != nil {
				t.Fatalf("Create: %v", err)
			}
			got, err := c.Get(ctx, []string{odd})
			if err != nil || got[0].Err != nil {
				t.Fatal(err, got[0].Err)
			}
			if _, err := c.Update(ctx, odd, got[0].Etag, []byte(hookItem)); err != nil {
				t.Fatalf("Update: %v", err)
			}
			// A write that fails runs no hook.
			if _, err := c.Update(ctx, odd, "stale", []byte(hookItem)); err == nil {
				t.Fatal("Update with a stale etag worked")
			}
			var lines []string
			if b, err := os.ReadFile(log); err == nil {
				for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
					lines = append(lines, filepath.Base(l))
				}
			}
			if strings.Join(lines, "|") != strings.Join(tt.want, "|") {
				t.Errorf("hook saw %q, want %q", lines, tt.want)
			}
		})
	}
	if _, err := os.Stat("pwned"); err == nil {
		t.Error("a file name was run by a shell")
	}
	var _ storage.Collection = (*Collection)(nil)
}
