package syncer

import (
	"context"
	"sync"

	"github.com/pimsync-go/libsync/plan"
	"github.com/pimsync-go/libsync/status"
	"github.com/pimsync-go/libsync/storage"
)

// prefetch lists, while the servers answer the sync's first requests, the local
// collections (vdirs, single files) the status knows, and reads the status's records
// of each collection: a no-op sync of a vdir and a server then costs the server's
// answer, not that plus the listing of every file and the reading of every record after
// it. A listing is what the collection held when it was taken, as one taken a moment
// later would be; the writes that follow are conditional on what it saw either way.
// The records cannot change meanwhile: only the sync of their collection writes them.
type prefetch struct {
	mu      sync.Mutex
	lists   map[prefetchKey]*prefetched
	records map[string]*prefetchedRecords // by mapping key
}

type prefetchedRecords struct {
	done  chan struct{}
	items []status.Item
	err   error
}

type prefetchKey struct {
	side plan.Side
	href string
}

type prefetched struct {
	done    chan struct{}
	listing storage.Listing
	err     error
}

// startPrefetch starts listing each local collection of the status's mappings. Sides
// whose storage is not local are left alone: a server's listing is not cheap, and the
// ctag or sync-token check may make it unneeded.
func (p *Pair) startPrefetch(ctx context.Context) {
	mappings, err := p.Status.Mappings()
	if err != nil || len(mappings) == 0 {
		return // Collections reports the error
	}
	pf := &prefetch{lists: map[prefetchKey]*prefetched{}, records: map[string]*prefetchedRecords{}}
	for _, m := range mappings {
		if !p.selected(m.Key) {
			continue
		}
		r := &prefetchedRecords{done: make(chan struct{})}
		pf.records[m.Key] = r
		go func() {
			defer close(r.done)
			r.items, r.err = p.Status.Items(m.Key)
		}()
		for s, href := range [2]string{m.HrefA, m.HrefB} {
			side := plan.Side(s)
			if href == "" || !isLocal(p.Storage[side]) {
				continue
			}
			f := &prefetched{done: make(chan struct{})}
			pf.lists[prefetchKey{side, href}] = f
			go func() {
				defer close(f.done)
				c, err := p.Storage[side].Collection(ctx, href)
				if err != nil {
					f.err = err
					return
				}
				f.listing, f.err = c.List(ctx)
			}()
		}
	}
	p.prefetched = pf
}

// isLocal reports whether st's collections are on this machine.
func isLocal(st storage.Storage) bool {
	l, ok := storage.Unwrap(st).(storage.Local)
	return ok && l.Local()
}

// take returns the listing prefetched for href on side s, once; ok is false when there
// is none (or it failed: the caller lists again, and reports that error).
func (pf *prefetch) take(s plan.Side, href string) (storage.Listing, bool) {
	if pf == nil {
		return storage.Listing{}, false
	}
	pf.mu.Lock()
	f := pf.lists[prefetchKey{s, href}]
	delete(pf.lists, prefetchKey{s, href})
	pf.mu.Unlock()
	if f == nil {
		return storage.Listing{}, false
	}
	<-f.done
	return f.listing, f.err == nil
}

// takeRecords returns the status's records of the collection key, read when the sync
// began, once; ok is false when there are none (or reading failed: the caller reads
// again, and reports that error).
func (pf *prefetch) takeRecords(key string) ([]status.Item, bool) {
	if pf == nil {
		return nil, false
	}
	pf.mu.Lock()
	r := pf.records[key]
	delete(pf.records, key)
	pf.mu.Unlock()
	if r == nil {
		return nil, false
	}
	<-r.done
	return r.items, r.err == nil
}
