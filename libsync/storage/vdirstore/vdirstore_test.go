package vdirstore

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pimsync-go/libsync/storage"
	"github.com/pimsync-go/libsync/storage/storagetest"
)

func TestContract(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) storage.Storage {
		s, err := Open(t.TempDir(), "ics")
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

// TestUnreadableListed: a link out of the storage is listed as unreadable, so the sync
// knows the item exists and never takes it for deleted.
func TestUnreadableListed(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	s, err := Open(root, "ics")
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.CreateCollection(ctx, "cal")
	if err != nil {
		t.Fatal(err)
	}
	secret := filepath.Join(t.TempDir(), "secret.ics")
	os.WriteFile(secret, storagetest.Item("secret", "x"), 0o600)
	os.Symlink(secret, filepath.Join(info.Href, "link.ics"))
	c, _ := s.Collection(ctx, info.Href)
	l, err := c.List(ctx)
	if err != nil || len(l.Items) != 0 || len(l.Unreadable) != 1 || l.Unreadable[0].Href != "link.ics" {
		t.Fatalf("List = %+v, %v", l, err)
	}
	if _, err := s.Collection(ctx, "/elsewhere/cal"); err == nil {
		t.Error("a collection outside the storage root opened")
	}
}

// TestMaxSize: an item file larger than max_size is not read; the error says so and
// names the directive, and smaller items read as before.
func TestMaxSize(t *testing.T) {
	ctx := context.Background()
	s, err := Open(t.TempDir(), "ics")
	if err != nil {
		t.Fatal(err)
	}
	s.SetMaxSize(2048)
	info, err := s.CreateCollection(ctx, "cal")
	if err != nil {
		t.Fatal(err)
	}
	small := storagetest.Item("small", "x")
	big := storagetest.Item("big", strings.Repeat("x", 3000))
	os.WriteFile(filepath.Join(info.Href, "small.ics"), small, 0o600)
	os.WriteFile(filepath.Join(info.Href, "big.ics"), big, 0o600)
	c, _ := s.Collection(ctx, info.Href)
	got, err := c.Get(ctx, []string{"small.ics", "big.ics"})
	if err != nil || len(got) != 2 {
		t.Fatalf("Get = %+v, %v", got, err)
	}
	if got[0].Err != nil || string(got[0].Data) != string(small) {
		t.Errorf("small item: %q, %v", got[0].Data, got[0].Err)
	}
	if err := got[1].Err; !errors.Is(err, storage.ErrTooLarge) || !strings.Contains(err.Error(), "max_size") || got[1].Data != nil {
		t.Errorf("big item: %d bytes, %v; want ErrTooLarge naming max_size", len(got[1].Data), err)
	}
}
