package syncer

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/pimsync-go/libsync/plan"
	"github.com/pimsync-go/libsync/storage"
	"github.com/pimsync-go/libsync/storage/memstore"
	"github.com/pimsync-go/libvdir/item"
)

// localStorage presents a memstore as a local one (a vdir) and counts the items read.
type localStorage struct {
	storage.Storage
	reads *atomic.Int64
}

func (l localStorage) Collection(ctx context.Context, href string) (storage.Collection, error) {
	c, err := l.Storage.Collection(ctx, href)
	return localCollection{c, l.reads}, err
}

type localCollection struct {
	storage.Collection
	reads *atomic.Int64
}

func (localCollection) Local() bool { return true }

func (l localCollection) Get(ctx context.Context, hrefs []string) ([]storage.Item, error) {
	l.reads.Add(int64(len(hrefs)))
	return l.Collection.Get(ctx, hrefs)
}

// TestLocalBudget: local items are read once while their bytes fit the budget and
// again when copied past it, and every byte taken from the budget is given back.
func TestLocalBudget(t *testing.T) {
	const n = 20
	tests := []struct {
		name  string
		limit int64
		reads int64
	}{
		{"within the budget", 16 << 20, n},
		{"past the budget", 0, 2 * n},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			old := localBudget.limit
			localBudget.limit = tt.limit
			defer func() { localBudget.limit = old }()
			ctx := context.Background()
			a, b := memstore.New("a"), memstore.New("b")
			ca := a.Add("cal")
			for i := range n {
				ca.Put(fmt.Sprintf("%d.ics", i), ev(fmt.Sprint(i), "v1"))
			}
			ca.Put("bad.ics", []byte("not an item")) // read, kept, not synced: given back
			var reads atomic.Int64
			st := newMemStatus()
			p := &Pair{Name: "p", Storage: [2]storage.Storage{localStorage{a, &reads}, b},
				Status: st, Select: plan.Selection{From: [2]bool{true, false}}}
			res, err := p.Sync(ctx)
			if err != nil || len(res.Collections) != 1 || res.Collections[0].Created[plan.B] != n {
				t.Fatalf("sync: %v %+v", err, res)
			}
			if got := reads.Load(); got != tt.reads+1 {
				t.Errorf("%d items read, want %d", got, tt.reads+1)
			}
			if used := localBudget.used.Load(); used != 0 {
				t.Errorf("%d bytes still taken from the budget", used)
			}
			if snap := b.Add("cal").Snapshot(); len(snap) != n {
				t.Errorf("b holds %d items", len(snap))
			}
			// New items are hashed as they are copied, not before: the status has
			// each one's hash all the same.
			recs, _ := st.Items("cal")
			for _, rec := range recs {
				want := item.Hash(ev(rec.Ident, "v1"))
				if rec.A.Hash != want || rec.B.Hash != want {
					t.Errorf("%s recorded with hashes %q, %q; want %q", rec.Ident, rec.A.Hash, rec.B.Hash, want)
				}
			}
			if len(recs) != n {
				t.Errorf("%d records, want %d", len(recs), n)
			}
		})
	}
}
