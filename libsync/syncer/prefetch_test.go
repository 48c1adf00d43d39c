package syncer

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/pimsync-go/libsync/plan"
	"github.com/pimsync-go/libsync/storage"
	"github.com/pimsync-go/libsync/storage/memstore"
)

// localStore is a memstore that says it is local and tells when one of its collections
// is listed.
type localStore struct {
	*memstore.Storage
	listed chan struct{}
	once   sync.Once
	lists  int
}

func (l *localStore) Local() bool { return true }

func (l *localStore) Collection(ctx context.Context, href string) (storage.Collection, error) {
	c, err := l.Storage.Collection(ctx, href)
	return &localCol{Collection: c, store: l}, err
}

type localCol struct {
	storage.Collection
	store *localStore
}

func (c *localCol) List(ctx context.Context) (storage.Listing, error) {
	c.store.lists++ // the prefetch, or read: never both at once for one collection
	c.store.once.Do(func() { close(c.store.listed) })
	return c.Collection.List(ctx)
}

// slowServer is a memstore whose collection listing (the PROPFIND of a home set) waits
// until the local side has been listed, up to a bound, and records whether it had.
type slowServer struct {
	*memstore.Storage
	local       *localStore
	overlapped  bool
	waitForList bool
}

func (s *slowServer) Collections(ctx context.Context) ([]storage.CollectionInfo, error) {
	if s.waitForList {
		select {
		case <-s.local.listed:
			s.overlapped = true
		case <-time.After(2 * time.Second):
		}
	}
	return s.Storage.Collections(ctx)
}

// TestPrefetchLocal: a sync lists the local collections its status knows while the
// server answers, and uses that listing (the local side is listed once); a change made
// locally is seen, and a first sync, which knows no collection yet, works as before.
func TestPrefetchLocal(t *testing.T) {
	ctx := context.Background()
	a := &localStore{Storage: memstore.New("a"), listed: make(chan struct{})}
	b := &slowServer{Storage: memstore.New("b"), local: a}
	ca := a.Add("cal")
	ca.Put("one.ics", ev("one", "first"))
	p := &Pair{Name: "p", Storage: [2]storage.Storage{a, b}, Status: newMemStatus(),
		Select: plan.Selection{From: [2]bool{true, true}}}
	if res, err := p.Sync(ctx); err != nil || !res.OK() || res.Collections[0].Created[plan.B] != 1 {
		t.Fatalf("first sync: %v %+v", err, res)
	}

	a.listed, a.once, a.lists = make(chan struct{}), sync.Once{}, 0
	b.waitForList = true
	ca.Put("two.ics", ev("two", "second"))
	res, err := p.Sync(ctx)
	if err != nil || !res.OK() || res.Collections[0].Created[plan.B] != 1 {
		t.Fatalf("second sync: %v %+v", err, res)
	}
	if !b.overlapped {
		t.Error("the local collection was not listed while the server listed its collections")
	}
	if a.lists != 1 {
		t.Errorf("the local collection was listed %d times, want once", a.lists)
	}
}
