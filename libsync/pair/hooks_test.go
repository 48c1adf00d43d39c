package pair

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pimsync-go/libsync/config"
)

// TestOpenPostHook: a vdir storage's post_hook, written relative to the configuration
// file, runs after a create; a caldav storage with filters is refused, since the sync
// does not apply them yet (filtersUnapplied).
func TestOpenPostHook(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "cal", "c"), 0o755); err != nil {
		t.Fatal(err)
	}
	log := filepath.Join(dir, "hook.log")
	if err := os.WriteFile(filepath.Join(dir, "hook"), []byte("#!/bin/sh\necho \"$1\" >>"+log+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	conf := fmt.Sprintf("status_path %s/status\nstorage local {\n\ttype vdir/icalendar\n\tpath cal\n\tpost_hook ./hook\n}\n"+
		"storage remote {\n\ttype caldav\n\turl http://127.0.0.1:1/\n\tstart_date -30d\n\tend_date +1y\n}\n", dir)
	cfg, err := config.Parse(filepath.Join(dir, "pimsync.conf"), strings.NewReader(conf))
	if err != nil {
		t.Fatal(err)
	}
	var local, remote *config.Storage
	for _, s := range cfg.Storages {
		if s.Name == "local" {
			local = s
		} else {
			remote = s
		}
	}
	s, err := OpenStorage(ctx, cfg, local)
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.Collection(ctx, filepath.Join(dir, "cal", "c"))
	if err != nil {
		t.Fatal(err)
	}
	name, _, err := c.Create(ctx, "u1", []byte("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:u1\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(log); strings.TrimSpace(string(b)) != filepath.Join(dir, "cal", "c", name) {
		t.Errorf("hook log %q", b)
	}
	if _, err := OpenStorage(ctx, cfg, remote); !errors.Is(err, ErrUnsupported) {
		t.Errorf("caldav storage with filters: %v, want ErrUnsupported", err)
	}
}
