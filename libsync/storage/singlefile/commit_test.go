package singlefile

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/pimsync-go/libsync/storage"
	"github.com/pimsync-go/libsync/storage/storagetest"
)

// TestConcurrentWrites: writes made at once, some of them conflicting, each get the
// answer they would get one by one, and a fresh reading of the file agrees.
func TestConcurrentWrites(t *testing.T) {
	ctx := context.Background()
	const n = 200
	s, err := Open(filepath.Join(t.TempDir(), "%s.ics"), false)
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.CreateCollection(ctx, "cal")
	if err != nil {
		t.Fatal(err)
	}
	c, _ := s.Collection(ctx, info.Href)
	var wg sync.WaitGroup
	errs := make([]error, 2*n)
	for i := range 2 * n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			uid := fmt.Sprintf("uid-%d", i%n) // every UID twice: one create must fail
			_, _, errs[i] = c.Create(ctx, uid, storagetest.Item(uid, "x"))
		}()
	}
	wg.Wait()
	failed := 0
	for _, err := range errs {
		switch {
		case errors.Is(err, storage.ErrPrecondition):
			failed++
		case err != nil:
			t.Fatal(err)
		}
	}
	if failed != n {
		t.Errorf("%d creates refused, want %d", failed, n)
	}
	fresh, _ := Open(filepath.Join(filepath.Dir(info.Href), "%s.ics"), false)
	fc, _ := fresh.Collection(ctx, info.Href)
	l, err := fc.List(ctx)
	if err != nil || len(l.Items) != n {
		t.Fatalf("fresh List: %d items, %v", len(l.Items), err)
	}
	cached, _ := c.List(ctx)
	for i, e := range l.Items {
		if cached.Items[i] != e {
			t.Fatalf("cached listing %v differs from the file's %v", cached.Items[i], e)
		}
	}
	// Deletes at once, half with a wrong etag.
	for i, e := range l.Items {
		wg.Add(1)
		go func() {
			defer wg.Done()
			etag := e.Etag
			if i%2 == 1 {
				etag = "wrong"
			}
			errs[i] = c.Delete(ctx, e.Href, etag)
		}()
	}
	wg.Wait()
	if l, _ := fc.List(ctx); len(l.Items) != n/2 {
		t.Errorf("after deletes: %d items, want %d", len(l.Items), n/2)
	}
}
