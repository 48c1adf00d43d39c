package storage_test

import (
	"context"
	"errors"
	"testing"

	"github.com/pimsync-go/libsync/storage"
	"github.com/pimsync-go/libsync/storage/memstore"
	"github.com/pimsync-go/libsync/storage/vdirstore"
)

// TestReadOnly: the wrapper refuses every write, and passes through what a sync reads:
// the changes since a sync token, whether the collection is local, its properties.
func TestReadOnly(t *testing.T) {
	ctx := context.Background()
	m := memstore.New("m")
	mc := m.Add("cal")
	mc.Put("1.ics", []byte("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"))
	ro := storage.ReadOnly(m)
	c, err := ro.Collection(ctx, "/cal/")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.Create(ctx, "x", []byte("x")); !errors.Is(err, storage.ErrReadOnly) {
		t.Errorf("Create: %v", err)
	}
	if _, err := c.Update(ctx, "1.ics", "e1", []byte("x")); !errors.Is(err, storage.ErrReadOnly) {
		t.Errorf("Update: %v", err)
	}
	if err := c.Delete(ctx, "1.ics", "e1"); !errors.Is(err, storage.ErrReadOnly) {
		t.Errorf("Delete: %v", err)
	}
	if _, err := ro.CreateCollection(ctx, "new"); !errors.Is(err, storage.ErrReadOnly) {
		t.Errorf("CreateCollection: %v", err)
	}
	cl, ok := c.(storage.ChangeLister)
	if !ok {
		t.Fatal("the wrapper hides Changes")
	}
	if ch, err := cl.Changes(ctx, ""); err != nil || len(ch.Changed) != 1 {
		t.Errorf("Changes = %+v, %v", ch, err)
	}
	if l, ok := c.(storage.Local); !ok || l.Local() {
		t.Error("a memory collection passes for local")
	}

	dir := t.TempDir()
	vs, err := vdirstore.Open(dir, "ics")
	if err != nil {
		t.Fatal(err)
	}
	info, err := vs.CreateCollection(ctx, "cal")
	if err != nil {
		t.Fatal(err)
	}
	vc, err := storage.ReadOnly(vs).Collection(ctx, info.Href)
	if err != nil {
		t.Fatal(err)
	}
	if l, ok := vc.(storage.Local); !ok || !l.Local() {
		t.Error("a read-only vdir does not pass for local")
	}
	if _, err := vc.(storage.ChangeLister).Changes(ctx, ""); !errors.Is(err, storage.ErrUnsupported) {
		t.Errorf("Changes of a vdir: %v, want ErrUnsupported", err)
	}
	if storage.Unwrap(storage.ReadOnly(vs)) != storage.Storage(vs) {
		t.Error("Unwrap does not give the wrapped storage back")
	}
}
