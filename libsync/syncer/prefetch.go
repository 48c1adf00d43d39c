package syncer

import (
	"context"
	"net/http/httptrace"
	"sync"
	"time"

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
	lists   map[prefetchKey]*pending[storage.Listing]
	records map[string]*pending[[]status.Item] // by mapping key
}

type prefetchKey struct {
	side plan.Side
	href string
}

// pending is a value being worked out in the background.
type pending[T any] struct {
	done chan struct{}
	v    T
	err  error
}

// start works out a value with fn in the background.
func start[T any](fn func() (T, error)) *pending[T] {
	p := &pending[T]{done: make(chan struct{})}
	go func() {
		defer close(p.done)
		p.v, p.err = fn()
	}()
	return p
}

// takeFrom removes the value under k from m (guarded by mu) and waits for it; ok is
// false when there is none or it failed (the caller works it out again, and reports
// that error).
func takeFrom[K comparable, T any](mu *sync.Mutex, m map[K]*pending[T], k K) (v T, ok bool) {
	mu.Lock()
	p := m[k]
	delete(m, k)
	mu.Unlock()
	if p == nil {
		return v, false
	}
	<-p.done
	return p.v, p.err == nil
}

// prefetchDelay is how long the prefetch waits at most for the sync's first request to
// a server to be written. Until then, listing a vdir competes for the CPUs with
// connecting and writing that request: on 2 CPUs a no-op sync against Xandikos wrote
// its PROPFIND 2.8 to 6.0 ms after main began, and 2.1 to 2.8 ms with this wait
// (runtime traces of eight runs each). A server far away takes longer than this to
// connect to; the listing should not wait for that.
var prefetchDelay = 5 * time.Millisecond

// gate holds the prefetch back until it is opened or prefetchDelay has passed.
type gate struct {
	ch   chan struct{}
	once sync.Once
}

func newGate() *gate { return &gate{ch: make(chan struct{})} }

func (g *gate) open() { g.once.Do(func() { close(g.ch) }) }

func (g *gate) wait() {
	t := time.NewTimer(prefetchDelay)
	defer t.Stop()
	select {
	case <-g.ch:
	case <-t.C:
	}
}

// firstRequest returns a gate that opens when the first HTTP request made with the
// returned context has been written, and that context. A pair with no side on a server
// makes no request: its gate is open from the start.
func (p *Pair) firstRequest(ctx context.Context) (context.Context, *gate) {
	g := newGate()
	if isLocal(p.Storage[plan.A]) && isLocal(p.Storage[plan.B]) {
		g.open()
		return ctx, g
	}
	return httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		WroteRequest: func(httptrace.WroteRequestInfo) { g.open() },
	}), g
}

// startPrefetch starts listing each local collection of the status's mappings, once g
// lets it. Sides whose storage is not local are left alone: a server's listing is not
// cheap, and the ctag or sync-token check may make it unneeded.
func (p *Pair) startPrefetch(ctx context.Context, g *gate) {
	mappings, err := p.Status.Mappings()
	if err != nil || len(mappings) == 0 {
		return // Collections reports the error
	}
	pf := &prefetch{lists: map[prefetchKey]*pending[storage.Listing]{}, records: map[string]*pending[[]status.Item]{}}
	for _, m := range mappings {
		if !p.selected(m.Key) {
			continue
		}
		pf.records[m.Key] = start(func() ([]status.Item, error) {
			g.wait()
			return p.Status.Items(m.Key)
		})
		for s, href := range [2]string{m.HrefA, m.HrefB} {
			side := plan.Side(s)
			if href == "" || !isLocal(p.Storage[side]) {
				continue
			}
			pf.lists[prefetchKey{side, href}] = start(func() (storage.Listing, error) {
				g.wait()
				c, err := p.Storage[side].Collection(ctx, href)
				if err != nil {
					return storage.Listing{}, err
				}
				return c.List(ctx)
			})
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
	return takeFrom(&pf.mu, pf.lists, prefetchKey{s, href})
}

// takeRecords returns the status's records of the collection key, read when the sync
// began, once; ok is false when there are none (or reading failed: the caller reads
// again, and reports that error).
func (pf *prefetch) takeRecords(key string) ([]status.Item, bool) {
	if pf == nil {
		return nil, false
	}
	return takeFrom(&pf.mu, pf.records, key)
}
