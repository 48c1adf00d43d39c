package pair

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

// TestOpenPostHook: a vdir storage's post_hook, written relative to the configuration
// file, runs after a create.
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
	f := filterOf(remote)
	if f == nil {
		t.Fatal("no filter for a storage with start_date and end_date")
	}
	got := f()
	today := time.Now().UTC().Truncate(24 * time.Hour)
	if !got.Start.Equal(today.AddDate(0, 0, -30)) || !got.End.Equal(today.AddDate(1, 0, 0)) || got.Components != nil {
		t.Errorf("filter %+v, want from 30 days ago to a year from today, every component", got)
	}
	if filterOf(local) != nil {
		t.Error("a filter for a storage without start_date, end_date and item_types")
	}
}
