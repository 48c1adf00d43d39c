// Package storagetest is the contract every storage adapter must keep, as a test suite:
// each adapter's tests call Run with a function that makes an empty storage.
package storagetest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"testing"

	"github.com/pimsync-go/libsync/storage"
	"github.com/pimsync-go/libvdir/item"
)

// Item returns a small, valid event with the given UID and summary.
func Item(uid, summary string) []byte {
	return []byte(fmt.Sprintf("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//storagetest//EN\r\nBEGIN:VEVENT\r\nUID:%s\r\nDTSTART:20260101T100000Z\r\nSUMMARY:%s\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n", uid, summary))
}

// Card returns a small, valid vCard with the given UID and name.
func Card(uid, name string) []byte {
	return []byte(fmt.Sprintf("BEGIN:VCARD\r\nVERSION:3.0\r\nUID:%s\r\nFN:%s\r\nN:%s;;;;\r\nEND:VCARD\r\n", uid, name, name))
}

// Run checks the storage contract with events on storages made by newStorage. A
// storage may be shared with other tests (a real server's home set): each test makes
// its own collection with a unique name, removes it afterwards, and looks only at it.
func Run(t *testing.T, newStorage func(t *testing.T) storage.Storage) {
	RunWith(t, newStorage, Item)
}

// RunWith is Run with items made by newItem (Item for calendars, Card for address
// books).
func RunWith(t *testing.T, newStorage func(t *testing.T) storage.Storage, newItem func(uid, text string) []byte) {
	Item := newItem
	ctx := context.Background()
	collection := func(t *testing.T) (storage.Storage, storage.Collection, string) {
		s := newStorage(t)
		var b [6]byte
		rand.Read(b[:])
		id := "test cal ü " + hex.EncodeToString(b[:])
		info, err := s.CreateCollection(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if info.ID != id || info.Href != s.Href(id) {
			t.Fatalf("CreateCollection = %+v, want id %s at %s", info, id, s.Href(id))
		}
		c, err := s.Collection(ctx, info.Href)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { empty(ctx, s, c, info.Href) })
		return s, c, id
	}
	has := func(t *testing.T, s storage.Storage, id string) bool {
		t.Helper()
		cols, err := s.Collections(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cols {
			if c.ID == id && c.Href == s.Href(id) {
				return true
			}
		}
		return false
	}

	t.Run("collections", func(t *testing.T) {
		s, _, id := collection(t)
		if !has(t, s, id) {
			t.Fatalf("Collections does not list %q at %s", id, s.Href(id))
		}
		if _, err := s.CreateCollection(ctx, id); err == nil {
			t.Error("creating an existing collection succeeded")
		}
	})

	t.Run("item lifecycle", func(t *testing.T) {
		_, c, _ := collection(t)
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
		// Servers may rewrite an item (Radicale adds DTSTAMP, Xandikos reorders); what
		// they must keep is its content as the sync compares it.
		if got[0].Err != nil || item.Hash(got[0].Data) != item.Hash(data) || got[0].Etag != etag {
			t.Errorf("Get(%s) = %+v, %q", href, got[0], got[0].Data)
		}
		if !errors.Is(got[1].Err, storage.ErrNotFound) {
			t.Errorf("Get of a missing item: %v, want ErrNotFound", got[1].Err)
		}

		// The same ident again never replaces the first item: it is refused (CalDAV
		// servers forbid two resources with one UID) or made under another href.
		href2, _, err := c.Create(ctx, "über uid/with slash", Item("über uid/with slash", "two"))
		if err == nil && href2 == href {
			t.Errorf("second Create of one ident replaced the first at %s", href)
		}
		if got, _ := c.Get(ctx, []string{href}); len(got) != 1 || got[0].Etag != etag {
			t.Errorf("second Create of one ident changed the first: %+v", got)
		}
		if err == nil {
			items, _ := c.Get(ctx, []string{href2})
			c.Delete(ctx, href2, items[0].Etag)
		}

		if _, err := c.Update(ctx, href, "wrong", Item("x", "y")); !errors.Is(err, storage.ErrPrecondition) {
			t.Errorf("Update with a wrong etag: %v, want ErrPrecondition", err)
		}
		etag2, err := c.Update(ctx, href, etag, Item("über uid/with slash", "edited"))
		if err != nil || etag2 == etag {
			t.Fatalf("Update = %q, %v", etag2, err)
		}
		// If-Match on a missing resource is a 412 for HTTP servers, ErrNotFound for a vdir.
		if _, err := c.Update(ctx, "missing.ics", etag, data); !errors.Is(err, storage.ErrNotFound) && !errors.Is(err, storage.ErrPrecondition) {
			t.Errorf("Update of a missing item: %v, want ErrNotFound or ErrPrecondition", err)
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
		_, c, _ := collection(t)
		values := map[storage.Prop]string{storage.DisplayName: "Work 📅", storage.Color: "#3A87AD",
			storage.Description: "Things to do", storage.Order: "2"}
		for _, p := range storage.Supported(c) {
			err := c.SetProp(ctx, p, values[p])
			if errors.Is(err, storage.ErrUnsupported) && p != storage.DisplayName {
				continue // a server may refuse some (Xandikos: calendar-description)
			}
			if err != nil {
				t.Fatal(err)
			}
			if p == storage.DisplayName {
				continue
			}
			if got, err := c.Props(ctx); err != nil || got[p] != values[p] {
				t.Errorf("after setting %s: Props = %v, %v", p, got, err)
			}
			if err := c.SetProp(ctx, p, ""); err != nil {
				t.Fatal(err)
			}
		}
		props, err := c.Props(ctx)
		if err != nil || len(props) != 1 || props[storage.DisplayName] != "Work 📅" {
			t.Errorf("Props = %v, %v", props, err)
		}
	})

	t.Run("delete collection", func(t *testing.T) {
		s, c, id := collection(t)
		c.SetProp(ctx, storage.DisplayName, "x")
		href, etag, err := c.Create(ctx, "one", Item("one", "x"))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteCollection(ctx, s.Href(id)); !errors.Is(err, storage.ErrNotEmpty) {
			t.Errorf("deleting a collection with items: %v, want ErrNotEmpty", err)
		}
		c.Delete(ctx, href, etag)
		if err := s.DeleteCollection(ctx, s.Href(id)); err != nil {
			t.Errorf("deleting an empty collection: %v", err)
		}
		if has(t, s, id) {
			t.Errorf("collection %s still listed", id)
		}
	})

	t.Run("read-only", func(t *testing.T) {
		s, c, id := collection(t)
		href, etag, _ := c.Create(ctx, "one", Item("one", "x"))
		ro := storage.ReadOnly(s)
		rc, err := ro.Collection(ctx, s.Href(id))
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
		errR := ro.DeleteCollection(ctx, s.Href(id))
		for i, err := range []error{errC, errU, errD, errP, errM, errR} {
			if !errors.Is(err, storage.ErrReadOnly) {
				t.Errorf("write %d through ReadOnly: %v", i, err)
			}
		}
		if l, _ := c.List(ctx); len(l.Items) != 1 || l.Items[0].Etag != etag {
			t.Errorf("ReadOnly let a write through: %+v", l)
		}
	})

	// A storage that sends every item in one answer sends what List and Get give:
	// every listed item, once, with the same href, etag and bytes.
	t.Run("get all", func(t *testing.T) {
		s, c, id := collection(t)
		ag, ok := c.(storage.AllGetter)
		if !ok {
			t.Skipf("%T is not a storage.AllGetter", c)
		}
		want := map[string]storage.Item{}
		for _, ident := range []string{"one", "zwei ü", "three@example.com", "four/with slash"} {
			href, _, err := c.Create(ctx, ident, Item(ident, "text of "+ident))
			if err != nil {
				t.Fatal(err)
			}
			got, err := c.Get(ctx, []string{href})
			if err != nil || got[0].Err != nil {
				t.Fatalf("Get(%s) = %v, %v", href, got, err)
			}
			want[href] = got[0]
		}
		check := func(t *testing.T, ag storage.AllGetter) {
			got := map[string]storage.Item{}
			err := ag.GetAll(ctx, func(it storage.Item) error {
				if _, dup := got[it.Href]; dup {
					t.Errorf("GetAll gave %s twice", it.Href)
				}
				got[it.Href] = it
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			for href, w := range want {
				g, ok := got[href]
				switch {
				case !ok:
					t.Errorf("GetAll left out %s (it gave %d items)", href, len(got))
				case g.Err != nil || g.Etag != w.Etag || !bytes.Equal(g.Data, w.Data):
					t.Errorf("GetAll's %s = %q %q %v, Get's %q %q", href, g.Etag, g.Data, g.Err, w.Etag, w.Data)
				}
			}
			if len(got) != len(want) {
				t.Errorf("GetAll gave %d items, want %d", len(got), len(want))
			}
		}
		check(t, ag)
		rc, err := storage.ReadOnly(s).Collection(ctx, s.Href(id))
		if err != nil {
			t.Fatal(err)
		}
		check(t, rc.(storage.AllGetter))
	})
}

// empty removes a test's collection: its items first, then the collection.
func empty(ctx context.Context, s storage.Storage, c storage.Collection, href string) {
	if l, err := c.List(ctx); err == nil {
		for _, e := range l.Items {
			c.Delete(ctx, e.Href, e.Etag)
		}
	}
	s.DeleteCollection(ctx, href)
}
