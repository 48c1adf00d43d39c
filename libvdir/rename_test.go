package vdir

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestRename(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	c, err := OpenCollection(dir, "ics")
	if err != nil {
		t.Fatal(err)
	}
	etag, err := c.Create(ctx, "a b.ics", []byte("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Create(ctx, "taken.ics", []byte("x")); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, etag, to string
		want           error
	}{
		{"a b.ics", etag, "taken.ics", ErrExists},
		{"a b.ics", "stale", "new.ics", ErrEtagMismatch},
		{"gone.ics", etag, "new.ics", ErrNotFound},
		{"a b.ics", etag, "../x.ics", ErrInvalidName},
		{"a b.ics", etag, "new.ics", nil},
	}
	for _, tt := range tests {
		err := c.Rename(ctx, tt.name, tt.etag, tt.to)
		if tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) {
			t.Errorf("Rename(%q → %q): %v, want %v", tt.name, tt.to, err, tt.want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "a b.ics")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("old name still there: %v", err)
	}
	it, err := c.Get(ctx, "new.ics")
	if err != nil || it.Etag != etag {
		t.Errorf("new.ics: etag %q (was %q), %v", it.Etag, etag, err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "taken.ics")); string(b) != "x" {
		t.Errorf("taken.ics overwritten: %q", b)
	}
}
