package syncer

import (
	"context"
	"strings"
	"testing"

	"github.com/pimsync-go/libsync/plan"
	"github.com/pimsync-go/libsync/storage"
	"github.com/pimsync-go/libsync/storage/memstore"
)

// windowStorage lists, of each collection, the items whose href out does not name as
// Outside, as a CalDAV storage with start_date and end_date lists what left its window.
type windowStorage struct {
	storage.Storage
	out map[string]bool
}

func (w windowStorage) Collections(ctx context.Context) ([]storage.CollectionInfo, error) {
	cols, err := w.Storage.Collections(ctx)
	for i := range cols {
		cols[i].Version, cols[i].SyncToken = "", "" // a filtered side is listed every time
	}
	return cols, err
}

func (w windowStorage) Collection(ctx context.Context, href string) (storage.Collection, error) {
	c, err := w.Storage.Collection(ctx, href)
	return windowCollection{c, w.out}, err
}

type windowCollection struct {
	storage.Collection
	out map[string]bool
}

func (w windowCollection) List(ctx context.Context) (storage.Listing, error) {
	l, err := w.Collection.List(ctx)
	var in []storage.Entry
	for _, e := range l.Items {
		if w.out[e.Href] {
			l.Outside = append(l.Outside, e)
		} else {
			in = append(in, e)
		}
	}
	l.Items = in
	return l, err
}

// TestOutsideFilter: an item that leaves a side's filter stays on both sides and is not
// synced while outside, without an error; one never synced is not copied; once back
// inside, what changed meanwhile on the other side arrives.
func TestOutsideFilter(t *testing.T) {
	ctx := context.Background()
	a, b := memstore.New("a"), memstore.New("b")
	ca := a.Add("cal")
	for _, id := range []string{"x", "y"} {
		ca.Put(id+".ics", ev(id, "v1"))
	}
	out := map[string]bool{}
	p := &Pair{Name: "p", Storage: [2]storage.Storage{windowStorage{a, out}, b},
		Status: newMemStatus(), Select: plan.Selection{From: [2]bool{true, false}}}
	sync := func(step string) *CollectionResult {
		t.Helper()
		res, err := p.Sync(ctx)
		if err != nil || len(res.Collections) != 1 || !res.OK() {
			t.Fatalf("%s: %v %+v", step, err, res)
		}
		return res.Collections[0]
	}
	sync("first sync")
	cb := b.Add("cal")
	if len(cb.Snapshot()) != 2 {
		t.Fatalf("b holds %q", cb.Snapshot())
	}

	out["y.ics"], out["w.ics"] = true, true
	ca.Put("w.ics", ev("w", "v1")) // outside from the start
	r := sync("y left the window")
	if r.Deleted != [2]int{} || r.Created != [2]int{} || len(r.ItemErrors) != 0 {
		t.Errorf("y left the window: %+v", r)
	}
	snap := cb.Snapshot()
	if len(snap) != 2 || snap[hrefOf(snap, "y")] == nil {
		t.Errorf("b holds %q after y left a's window", keys(snap))
	}

	for h := range snap {
		if strings.Contains(h, "y") {
			cb.Put(h, ev("y", "edited on b"))
		}
	}
	r = sync("y edited on b while outside")
	if r.Updated != [2]int{} {
		t.Errorf("an item outside the window was synced: %+v", r)
	}
	if got := string(ca.Snapshot()["y.ics"]); got != string(ev("y", "v1")) {
		t.Errorf("a's y is %q", got)
	}

	delete(out, "y.ics")
	r = sync("y back in the window")
	if r.Updated[plan.A] != 1 {
		t.Errorf("y back in the window: %+v", r)
	}
	if got := string(ca.Snapshot()["y.ics"]); got != string(ev("y", "edited on b")) {
		t.Errorf("a's y is %q, want b's edit", got)
	}
}

func hrefOf(snap map[string][]byte, sub string) string {
	for h := range snap {
		if strings.Contains(h, sub) {
			return h
		}
	}
	return ""
}

func keys(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
