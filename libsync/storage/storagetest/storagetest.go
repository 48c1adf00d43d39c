// Package storagetest is the contract every storage adapter must keep, as a test suite:
// each adapter's tests call Run with a function that makes an empty storage.
package storagetest

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/pimsync-go/libsync/storage"
)

// Item returns a small, valid event with the given UID and summary.
func Item(uid, summary string) []byte {
	return []byte(fmt.Sprintf("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//storagetest//EN\r\nBEGIN:VEVENT\r\nUID:%s\r\nDTSTART:20260101T100000Z\r\nSUMMARY:%s\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n", uid, summary))
}

// Run checks the storage contract on storages made by newStorage, each empty.
func Run(t *testing.T, newStorage func(t *testing.T) storage.Storage) {
	ctx := context.Background()
	collection := func(t *testing.T) (storage.Storage, storage.Collection) {
		s := newStorage(t)
		info, err := s.CreateCollection(ctx, "cal")
		if err != nil {
			t.Fatal(err)
		}
		if info.ID != "cal" || info.Href != s.Href("cal") {
			t.Fatalf("CreateCollection = %+v, want id cal at %s", info, s.Href("cal"))
		}
		c, err := s.Collection(ctx, info.Href)
		if err != nil {
			t.Fatal(err)
		}
		return s, c
	}

	t.Run("collections", func(t *testing.T) {
		s, _ := collection(t)
		cols, err := s.Collections(ctx)
		if err != nil || len(cols) != 1 || cols[0].ID != "cal" {
			t.Fatalf("Collections = %+v, %v", cols, err)
		}
		if _, err := s.CreateCollection(ctx, "cal"); err == nil {
			t.Error("creating an existing collection succeeded")
		}
	})

	t.Run("item lifecycle", func(t *testing.T) {
		_, c := collection(t)
		data := Item("über uid/with slash", "one")
		href, etag, err := c.Create(ctx, "über uid/with slash", data)
		if err != nil {
			t.Fatal(err)
		}
		l, err := c.List(ctx)
		if err != nil || len(l.Items) != 1 || l.Items[0] != (storage.Entry{Href: href, Etag: etag}) {
			t.Fatalf("List = %+v, %v; want %s %s", l, err, href, etag)
		}
		got, err := c.Get(ctx, []string{href, "missing.ics"})
		if err != nil || len(got) != 2 {
			t.Fatalf("Get = %+v, %v", got, err)
		}
		if got[0].Err != nil || string(got[0].Data) != string(data) || got[0].Etag != etag {
			t.Errorf("Get(%s) = %+v", href, got[0])
		}
		if !errors.Is(got[1].Err, storage.ErrNotFound) {
			t.Errorf("Get of a missing item: %v, want ErrNotFound", got[1].Err)
		}

		// The same ident again never replaces the first item.
		href2, _, err := c.Create(ctx, "über uid/with slash", Item("über uid/with slash", "two"))
		if err != nil || href2 == href {
			t.Errorf("second Create of one ident: %s, %v (first %s)", href2, err, href)
		}

		if _, err := c.Update(ctx, href, "wrong", Item("x", "y")); !errors.Is(err, storage.ErrPrecondition) {
			t.Errorf("Update with a wrong etag: %v, want ErrPrecondition", err)
		}
		etag2, err := c.Update(ctx, href, etag, Item("über uid/with slash", "edited"))
		if err != nil || etag2 == etag {
			t.Fatalf("Update = %q, %v", etag2, err)
		}
		if _, err := c.Update(ctx, "missing.ics", etag, data); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("Update of a missing item: %v, want ErrNotFound", err)
		}
		if err := c.Delete(ctx, href, etag); !errors.Is(err, storage.ErrPrecondition) {
			t.Errorf("Delete with an old etag: %v, want ErrPrecondition", err)
		}
		if err := c.Delete(ctx, href, etag2); err != nil {
			t.Fatal(err)
		}
		if err := c.Delete(ctx, href, etag2); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("second Delete: %v, want ErrNotFound", err)
		}
	})

	t.Run("props", func(t *testing.T) {
		_, c := collection(t)
		if err := c.SetProp(ctx, storage.DisplayName, "Work 📅"); err != nil {
			t.Fatal(err)
		}
		if err := c.SetProp(ctx, storage.Color, "#3A87AD"); err != nil {
			t.Fatal(err)
		}
		if err := c.SetProp(ctx, storage.Color, ""); err != nil {
			t.Fatal(err)
		}
		props, err := c.Props(ctx)
		if err != nil || len(props) != 1 || props[storage.DisplayName] != "Work 📅" {
			t.Errorf("Props = %v, %v", props, err)
		}
	})

	t.Run("delete collection", func(t *testing.T) {
		s, c := collection(t)
		c.SetProp(ctx, storage.DisplayName, "x")
		href, etag, err := c.Create(ctx, "one", Item("one", "x"))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteCollection(ctx, s.Href("cal")); !errors.Is(err, storage.ErrNotEmpty) {
			t.Errorf("deleting a collection with items: %v, want ErrNotEmpty", err)
		}
		c.Delete(ctx, href, etag)
		if err := s.DeleteCollection(ctx, s.Href("cal")); err != nil {
			t.Errorf("deleting an empty collection: %v", err)
		}
		if cols, _ := s.Collections(ctx); len(cols) != 0 {
			t.Errorf("collections left: %v", cols)
		}
	})

	t.Run("read-only", func(t *testing.T) {
		s, c := collection(t)
		href, etag, _ := c.Create(ctx, "one", Item("one", "x"))
		ro := storage.ReadOnly(s)
		rc, err := ro.Collection(ctx, s.Href("cal"))
		if err != nil {
			t.Fatal(err)
		}
		if got, err := rc.Get(ctx, []string{href}); err != nil || got[0].Err != nil {
			t.Errorf("reading through ReadOnly: %v %v", err, got)
		}
		_, _, errC := rc.Create(ctx, "two", Item("two", "x"))
		_, errU := rc.Update(ctx, href, etag, Item("one", "y"))
		errD := rc.Delete(ctx, href, etag)
		errP := rc.SetProp(ctx, storage.Color, "#000000")
		_, errM := ro.CreateCollection(ctx, "other")
		errR := ro.DeleteCollection(ctx, s.Href("cal"))
		for i, err := range []error{errC, errU, errD, errP, errM, errR} {
			if !errors.Is(err, storage.ErrReadOnly) {
				t.Errorf("write %d through ReadOnly: %v", i, err)
			}
		}
		if l, _ := c.List(ctx); len(l.Items) != 1 || l.Items[0].Etag != etag {
			t.Errorf("ReadOnly let a write through: %+v", l)
		}
	})
}
