package syncer

import (
	"context"
	"fmt"
	"testing"

	"github.com/pimsync-go/libsync/plan"
	"github.com/pimsync-go/libsync/storage"
	"github.com/pimsync-go/libsync/storage/memstore"
)

func ev(uid, summary string) []byte {
	return []byte(fmt.Sprintf("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:%s\r\nDTSTART:20260101T100000Z\r\nSUMMARY:%s\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n", uid, summary))
}

func TestSmoke(t *testing.T) {
	ctx := context.Background()
	a, b := memstore.New("a"), memstore.New("b")
	ca := a.Add("cal")
	ca.Put("one.ics", ev("one", "first"))
	ca.SetProp(ctx, storage.DisplayName, "Calendar")
	p := &Pair{Name: "p", Storage: [2]storage.Storage{a, b}, Status: newMemStatus(),
		Select: plan.Selection{From: [2]bool{true, true}}}
	res, err := p.Sync(ctx)
	if err != nil || !res.OK() {
		t.Fatalf("sync: %v %+v", err, res.Collections[0])
	}
	cb := b.Add("cal")
	if got := cb.Snapshot()["one.ics"]; string(got) != string(ev("one", "first")) {
		t.Fatalf("b has %q", got)
	}
	if props, _ := cb.Props(ctx); props[storage.DisplayName] != "Calendar" {
		t.Errorf("props on b: %v", props)
	}
	cb.Put("one.ics", ev("one", "second"))
	res, err = p.Sync(ctx)
	if err != nil || !res.OK() || res.Collections[0].Updated[plan.A] != 1 {
		t.Fatalf("second sync: %v %+v", err, res.Collections[0])
	}
	if got := ca.Snapshot()["one.ics"]; string(got) != string(ev("one", "second")) {
		t.Fatalf("a has %q", got)
	}
}

// countingStorage counts List calls on its collections.
type countingStorage struct {
	storage.Storage
	lists *int
}

func (c countingStorage) Collection(ctx context.Context, href string) (storage.Collection, error) {
	col, err := c.Storage.Collection(ctx, href)
	return countingCollection{col, c.lists}, err
}

type countingCollection struct {
	storage.Collection
	lists *int
}

func (c countingCollection) List(ctx context.Context) (storage.Listing, error) {
	*c.lists++
	return c.Collection.List(ctx)
}

// TestUnchangedVersionSkipsListing: a side whose collection version (ctag) is the one
// recorded after a clean sync is not listed again; a change on it is seen.
func TestUnchangedVersionSkipsListing(t *testing.T) {
	ctx := context.Background()
	a, b := memstore.New("a"), memstore.New("b")
	ca := a.Add("cal")
	ca.Put("one.ics", ev("one", "first"))
	var lists [2]int
	p := &Pair{Name: "p", Storage: [2]storage.Storage{countingStorage{a, &lists[0]}, countingStorage{b, &lists[1]}},
		Status: newMemStatus(), Select: plan.Selection{From: [2]bool{true, false}}}
	for i := range 3 {
		if res, err := p.Sync(ctx); err != nil || !res.OK() {
			t.Fatalf("sync %d: %v %+v", i, err, res)
		}
	}
	// Sync 1 lists both and writes b; sync 2 lists b (its version moved) and records
	// it; sync 3 lists neither.
	if lists != [2]int{1, 2} {
		t.Errorf("List calls on a, b = %v, want [1 2]", lists)
	}
	ca.Put("one.ics", ev("one", "second"))
	res, err := p.Sync(ctx)
	if err != nil || res.Collections[0].Updated[plan.B] != 1 {
		t.Fatalf("a change after skipped listings: %v %+v", err, res.Collections[0])
	}
	if lists != [2]int{2, 2} {
		t.Errorf("List calls on a, b = %v, want [2 2]", lists)
	}
}
