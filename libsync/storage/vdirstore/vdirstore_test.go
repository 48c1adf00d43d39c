package vdirstore

import (
	"context"
	"os"
	"path/filepath"
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
