package syncer

import (
	"context"
	"errors"
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
	// Sync 1 lists a and writes b, which it created (so there is nothing to list);
	// sync 2 lists b (its version moved, and this b cannot say what changed) and
	// records it; sync 3 lists neither.
	if lists != [2]int{1, 1} {
		t.Errorf("List calls on a, b = %v, want [1 1]", lists)
	}
	ca.Put("one.ics", ev("one", "second"))
	res, err := p.Sync(ctx)
	if err != nil || res.Collections[0].Updated[plan.B] != 1 {
		t.Fatalf("a change after skipped listings: %v %+v", err, res.Collections[0])
	}
	if lists != [2]int{2, 1} {
		t.Errorf("List calls on a, b = %v, want [2 1]", lists)
	}
}

// weakStorage is a memory storage whose etags a server would send weak: conditional
// writes fail with ErrWeakEtag, and it can write without a condition.
type weakStorage struct {
	*memstore.Storage
	// meddle, when set, runs before the refused write, as an edit by someone else
	// between the listing and the write.
	meddle func()
}

func (w weakStorage) Collection(ctx context.Context, href string) (storage.Collection, error) {
	c, err := w.Storage.Collection(ctx, href)
	return weakCollection{c.(*memstore.Collection), w.meddle}, err
}

type weakCollection struct {
	*memstore.Collection
	meddle func()
}

func (w weakCollection) Update(ctx context.Context, href, etag string, data []byte) (string, error) {
	if w.meddle != nil {
		w.meddle()
	}
	return "", storage.ErrWeakEtag
}

func (w weakCollection) Delete(ctx context.Context, href, etag string) error {
	return storage.ErrWeakEtag
}

func (w weakCollection) ForceUpdate(ctx context.Context, href string, data []byte) (string, error) {
	return w.Put(href, data), nil
}

func (w weakCollection) ForceDelete(ctx context.Context, href string) error {
	w.Drop(href)
	return nil
}

// TestWeakEtags: an item whose etag is weak is written only after it is read again and
// found unchanged; one edited meanwhile is left alone for the next sync.
func TestWeakEtags(t *testing.T) {
	ctx := context.Background()
	a, b := memstore.New("a"), memstore.New("b")
	ca, cb := a.Add("cal"), b.Add("cal")
	ca.Put("one.ics", ev("one", "first"))
	ca.Put("two.ics", ev("two", "first"))
	wb := &weakStorage{Storage: b}
	p := &Pair{Name: "p", Storage: [2]storage.Storage{a, wb}, Status: newMemStatus(),
		Select: plan.Selection{From: [2]bool{true, false}}}
	if res, err := p.Sync(ctx); err != nil || !res.OK() {
		t.Fatalf("first sync: %v %+v", err, res)
	}
	ca.Put("one.ics", ev("one", "second"))
	ca.Drop("two.ics")
	res, err := p.Sync(ctx)
	if err != nil || !res.OK() || res.Collections[0].Updated[plan.B] != 1 || res.Collections[0].Deleted[plan.B] != 1 {
		t.Fatalf("sync to a weak side: %v %+v", err, res.Collections[0])
	}
	if got := string(cb.Snapshot()["one.ics"]); got != string(ev("one", "second")) {
		t.Errorf("b has %q", got)
	}
	// Now someone edits b's item between our listing and our write.
	ca.Put("one.ics", ev("one", "third"))
	wb.meddle = func() { cb.Put("one.ics", ev("one", "edited on b meanwhile")) }
	p.Storage[plan.B] = *wb
	res, err = p.Sync(ctx)
	if err != nil || len(res.Collections[0].ItemErrors) != 1 || !errors.Is(res.Collections[0].ItemErrors[0], storage.ErrPrecondition) {
		t.Fatalf("weak etag and a concurrent edit: %v %+v", err, res.Collections[0])
	}
	if got := string(cb.Snapshot()["one.ics"]); got != string(ev("one", "edited on b meanwhile")) {
		t.Errorf("the concurrent edit on b was overwritten: %q", got)
	}
}

// changeCountingCollection counts full listings and change listings.
type changeCountingCollection struct {
	countingCollection
	changes *int
}

func (c changeCountingCollection) Changes(ctx context.Context, token string) (storage.Changes, error) {
	*c.changes++
	return c.Collection.(storage.ChangeLister).Changes(ctx, token)
}

type changeCountingStorage struct {
	countingStorage
	changes *int
}

func (c changeCountingStorage) Collection(ctx context.Context, href string) (storage.Collection, error) {
	col, err := c.Storage.Collection(ctx, href)
	return changeCountingCollection{countingCollection{col, c.lists}, c.changes}, err
}

// TestSyncTokenListsChanges: a side with sync tokens is listed with the changes since no
// token (RFC 6578's initial sync); after a clean sync, it is asked only for what
// changed since; edits, deletes and moves arrive; a token the storage no longer knows
// falls back to a full listing.
func TestSyncTokenListsChanges(t *testing.T) {
	ctx := context.Background()
	a, b := memstore.New("a"), memstore.New("b")
	ca, cb := a.Add("cal"), b.Add("cal")
	for _, id := range []string{"1", "2", "3"} {
		ca.Put(id+".ics", ev(id, "v1"))
	}
	var lists, changes int
	st := newMemStatus()
	p := &Pair{Name: "p", Storage: [2]storage.Storage{changeCountingStorage{countingStorage{a, &lists}, &changes}, b},
		Status: st, Select: plan.Selection{From: [2]bool{true, false}}}
	if res, err := p.Sync(ctx); err != nil || !res.OK() {
		t.Fatalf("first sync: %v %+v", err, res)
	}
	if lists != 0 || changes != 1 {
		t.Fatalf("first sync: %d listings, %d change listings of a; want 0 and 1", lists, changes)
	}
	ca.Put("1.ics", ev("1", "v2"))
	ca.Drop("2.ics")
	ca.Drop("3.ics")
	ca.Put("moved.ics", ev("3", "v1"))
	res, err := p.Sync(ctx)
	if err != nil || !res.OK() {
		t.Fatalf("second sync: %v %+v", err, res)
	}
	if lists != 0 || changes != 2 {
		t.Errorf("second sync: %d listings, %d change listings of a; want 0 and 2", lists, changes)
	}
	if r := res.Collections[0]; r.Updated[plan.B] != 1 || r.Deleted[plan.B] != 1 || r.Created[plan.B] != 0 {
		t.Errorf("second sync: %+v", r)
	}
	snap := cb.Snapshot()
	if len(snap) != 2 || string(snap["1.ics"]) != string(ev("1", "v2")) {
		t.Errorf("b holds %q", snap)
	}
	// A token the storage does not know (a server that forgot it): a full listing.
	st.state["cal"]["token_a"] = "t999"
	st.state["cal"]["version_a"] = ""
	ca.Put("4.ics", ev("4", "v1"))
	if res, err := p.Sync(ctx); err != nil || !res.OK() || res.Collections[0].Created[plan.B] != 1 {
		t.Fatalf("sync with a forgotten token: %v %+v", err, res.Collections[0])
	}
	if lists != 0 || changes != 4 {
		t.Errorf("forgotten token: %d listings, %d change listings; want 0 and 4 (the token, then none)", lists, changes)
	}
}

// refusingInitial is a collection whose server has sync tokens but errs on the initial
// sync, or answers it with deletions.
type refusingInitial struct {
	storage.Collection
	deleted bool
}

func (r refusingInitial) Changes(ctx context.Context, token string) (storage.Changes, error) {
	cl := r.Collection.(countingCollection).Collection.(storage.ChangeLister)
	if token != "" {
		return cl.Changes(ctx, token)
	}
	if r.deleted {
		ch, err := cl.Changes(ctx, token)
		ch.Deleted = append(ch.Deleted, "ghost.ics")
		return ch, err
	}
	return storage.Changes{}, fmt.Errorf("REPORT: 501 Not Implemented")
}

type refusingInitialStorage struct {
	countingStorage
	deleted bool
}

func (r refusingInitialStorage) Collection(ctx context.Context, href string) (storage.Collection, error) {
	col, err := r.countingStorage.Collection(ctx, href)
	return refusingInitial{col, r.deleted}, err
}

// TestInitialSyncRefused: a server that errs on RFC 6578's initial sync, or answers it
// with deletions, is listed with PROPFIND instead, and every item still arrives.
func TestInitialSyncRefused(t *testing.T) {
	for _, deleted := range []bool{false, true} {
		ctx := context.Background()
		a, b := memstore.New("a"), memstore.New("b")
		ca, cb := a.Add("cal"), b.Add("cal")
		for _, id := range []string{"1", "2", "3"} {
			ca.Put(id+".ics", ev(id, "v1"))
		}
		var lists int
		p := &Pair{Name: "p", Storage: [2]storage.Storage{refusingInitialStorage{countingStorage{a, &lists}, deleted}, b},
			Status: newMemStatus(), Select: plan.Selection{From: [2]bool{true, false}}}
		res, err := p.Sync(ctx)
		if err != nil || !res.OK() {
			t.Fatalf("deleted %v: %v %+v", deleted, err, res)
		}
		if lists != 1 || len(cb.Snapshot()) != 3 {
			t.Errorf("deleted %v: %d listings, b holds %d items; want 1 and 3", deleted, lists, len(cb.Snapshot()))
		}
	}
}

// meddlingStorage lets a test change a collection as another client would, right after
// the sync's first item write to it.
type meddlingStorage struct {
	changeCountingStorage
	meddle func()
}

func (m meddlingStorage) Collection(ctx context.Context, href string) (storage.Collection, error) {
	col, err := m.changeCountingStorage.Collection(ctx, href)
	return meddlingCollection{col.(changeCountingCollection), m.meddle}, err
}

type meddlingCollection struct {
	changeCountingCollection
	meddle func()
}

func (m meddlingCollection) Create(ctx context.Context, ident string, data []byte) (string, string, error) {
	href, etag, err := m.changeCountingCollection.Create(ctx, ident, data)
	if m.meddle != nil {
		m.meddle()
	}
	return href, etag, err
}

// TestCatchUp: after a sync that wrote to a side with sync tokens, the side's new token
// and version are learned from its changes, so the next sync with nothing to do neither
// lists it nor asks for its changes; a change another client made during the sync is
// noticed and left for the next sync, which brings it.
func TestCatchUp(t *testing.T) {
	ctx := context.Background()
	a, b := memstore.New("a"), memstore.New("b")
	ca := a.Add("cal")
	for _, id := range []string{"1", "2", "3"} {
		ca.Put(id+".ics", ev(id, "v1"))
	}
	var lists, changes int
	mb := &meddlingStorage{changeCountingStorage: changeCountingStorage{countingStorage{b, &lists}, &changes}}
	p := &Pair{Name: "p", Storage: [2]storage.Storage{a, mb}, Status: newMemStatus(),
		Select: plan.Selection{From: [2]bool{true, false}}}
	sync := func(what string, wantLists, wantChanges int) *CollectionResult {
		t.Helper()
		lists, changes = 0, 0
		res, err := p.Sync(ctx)
		if err != nil || len(res.Collections) != 1 || !res.OK() {
			t.Fatalf("%s: %v %+v", what, err, res)
		}
		if lists != wantLists || changes != wantChanges {
			t.Errorf("%s: %d listings and %d change listings of b, want %d and %d", what, lists, changes, wantLists, wantChanges)
		}
		return res.Collections[0]
	}
	// b's collection is created, so it is not listed; once written to, everything in
	// it since its start is asked for once.
	if r := sync("first sync", 0, 1); r.Created[plan.B] != 3 {
		t.Errorf("first sync: %+v", r)
	}
	sync("no-op after creating", 0, 0)
	ca.Put("1.ics", ev("1", "v2"))
	sync("an edit", 0, 1)
	sync("no-op after the edit", 0, 0)

	// Another client adds an item to b while the sync writes there.
	col, err := b.Collection(ctx, "/cal/")
	if err != nil {
		t.Fatal(err)
	}
	mb.meddle = func() { col.(*memstore.Collection).Put("other.ics", ev("other", "from elsewhere")) }
	p.Storage[plan.B] = *mb
	ca.Put("4.ics", ev("4", "v1"))
	sync("a write while another client writes", 0, 1)
	mb.meddle = nil
	p.Storage[plan.B] = *mb
	if r := sync("the sync after", 0, 1); r.Created[plan.A] != 1 {
		t.Errorf("the other client's item did not reach a: %+v", r)
	}
	sync("and then a no-op", 0, 0)
}
