package syncer

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pimsync-go/libsync/plan"
	"github.com/pimsync-go/libsync/status"
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
// until the local side has been listed and the status's records read, up to a bound,
// and records whether they had.
type slowServer struct {
	*memstore.Storage
	local       *localStore
	status      *readStatus
	overlapped  bool
	waitForList bool
}

func (s *slowServer) Collections(ctx context.Context) ([]storage.CollectionInfo, error) {
	if s.waitForList {
		deadline := time.Now().Add(2 * time.Second)
		s.overlapped = true
		for _, ch := range []chan struct{}{s.local.listed, s.status.read} {
			select {
			case <-ch:
			case <-time.After(time.Until(deadline)):
				s.overlapped = false
			}
		}
	}
	return s.Storage.Collections(ctx)
}

// readStatus is a memStatus that tells when a collection's records are read.
type readStatus struct {
	*memStatus
	read  chan struct{}
	once  sync.Once
	reads int
}

func (r *readStatus) Items(key string) ([]status.Item, error) {
	r.reads++ // the prefetch, or records: never both at once for one collection
	r.once.Do(func() { close(r.read) })
	return r.memStatus.Items(key)
}

// TestPrefetchLocal: a sync lists the local collections its status knows while the
// server answers, and uses that listing (the local side is listed once); a change made
// locally is seen, and a first sync, which knows no collection yet, works as before.
func TestPrefetchLocal(t *testing.T) {
	ctx := context.Background()
	a := &localStore{Storage: memstore.New("a"), listed: make(chan struct{})}
	st := &readStatus{memStatus: newMemStatus(), read: make(chan struct{})}
	b := &slowServer{Storage: memstore.New("b"), local: a, status: st}
	ca := a.Add("cal")
	ca.Put("one.ics", ev("one", "first"))
	p := &Pair{Name: "p", Storage: [2]storage.Storage{a, b}, Status: st,
		Select: plan.Selection{From: [2]bool{true, true}}}
	if res, err := p.Sync(ctx); err != nil || !res.OK() || res.Collections[0].Created[plan.B] != 1 {
		t.Fatalf("first sync: %v %+v", err, res)
	}

	a.listed, a.once, a.lists = make(chan struct{}), sync.Once{}, 0
	st.read, st.once, st.reads = make(chan struct{}), sync.Once{}, 0
	b.waitForList = true
	ca.Put("two.ics", ev("two", "second"))
	res, err := p.Sync(ctx)
	if err != nil || !res.OK() || res.Collections[0].Created[plan.B] != 1 {
		t.Fatalf("second sync: %v %+v", err, res)
	}
	if !b.overlapped {
		t.Error("the local collection was not listed, or its records not read, while the server listed its collections")
	}
	if a.lists != 1 {
		t.Errorf("the local collection was listed %d times, want once", a.lists)
	}

	// With nothing changed, the records the prefetch read are the only read (a sync
	// that wrote reads them again after its writes, see catchUp).
	a.listed, a.once, a.lists = make(chan struct{}), sync.Once{}, 0
	st.read, st.once, st.reads = make(chan struct{}), sync.Once{}, 0
	res, err = p.Sync(ctx)
	if err != nil || !res.OK() || res.Collections[0].Created[plan.B] != 0 {
		t.Fatalf("third sync: %v %+v", err, res)
	}
	if !b.overlapped || a.lists != 1 {
		t.Errorf("no-op: overlapped %v, listed %d times", b.overlapped, a.lists)
	}
	if st.reads != 1 {
		t.Errorf("no-op: the collection's records were read %d times, want once", st.reads)
	}
}

// requestServer is a memstore whose collection listing makes an HTTP request, as a
// server's PROPFIND would, and records whether the local side was listed before the
// request was written (it should not be; the test's handler sees whether it was
// listed while the answer is awaited).
type requestServer struct {
	*memstore.Storage
	local *localStore
	url   string
	check bool
	early bool // listed before the request was written
}

func (s *requestServer) Collections(ctx context.Context) ([]storage.CollectionInfo, error) {
	if s.check {
		s.early = false
		select {
		case <-s.local.listed:
			s.early = true
		case <-time.After(50 * time.Millisecond):
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.url, nil)
		if err != nil {
			return nil, err
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return nil, err
		}
		resp.Body.Close()
	}
	return s.Storage.Collections(ctx)
}

// TestPrefetchAfterFirstRequest: the prefetch waits until the first request to the
// server has been written, so as not to compete with it for the CPUs, and then lists
// while the server answers; a pair with no server does not wait.
func TestPrefetchAfterFirstRequest(t *testing.T) {
	defer func(d time.Duration) { prefetchDelay = d }(prefetchDelay)
	prefetchDelay = time.Hour // only the request, or the end of Collections, opens the gate

	var a *localStore
	var listedInHandler atomic.Bool // set by the handler's goroutine
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-a.listed:
			listedInHandler.Store(true)
		case <-time.After(2 * time.Second):
		}
	}))
	defer srv.Close()

	ctx := context.Background()
	a = &localStore{Storage: memstore.New("a"), listed: make(chan struct{})}
	b := &requestServer{Storage: memstore.New("b"), local: a, url: srv.URL}
	a.Add("cal").Put("one.ics", ev("one", "first"))
	p := &Pair{Name: "p", Storage: [2]storage.Storage{a, b}, Status: newMemStatus(),
		Select: plan.Selection{From: [2]bool{true, true}}}
	if res, err := p.Sync(ctx); err != nil || !res.OK() {
		t.Fatalf("first sync: %v %+v", err, res)
	}

	a.listed, a.once, a.lists = make(chan struct{}), sync.Once{}, 0
	b.check = true
	res, err := p.Sync(ctx)
	if err != nil || !res.OK() {
		t.Fatalf("second sync: %v %+v", err, res)
	}
	if b.early {
		t.Error("the local collection was listed before the request to the server was written")
	}
	if !listedInHandler.Load() {
		t.Error("the local collection was not listed while the server answered")
	}
	if a.lists != 1 {
		t.Errorf("the local collection was listed %d times, want once", a.lists)
	}

	// Two local sides: nothing to wait for.
	a.listed, a.once, a.lists = make(chan struct{}), sync.Once{}, 0
	st := &readStatus{memStatus: newMemStatus(), read: make(chan struct{})}
	c := &localWaiting{slowServer{Storage: memstore.New("c"), local: a, status: st}}
	p = &Pair{Name: "q", Storage: [2]storage.Storage{a, c}, Status: st,
		Select: plan.Selection{From: [2]bool{true, true}}}
	if res, err := p.Sync(ctx); err != nil || !res.OK() {
		t.Fatalf("local pair, first sync: %v %+v", err, res)
	}
	a.listed, a.once, a.lists = make(chan struct{}), sync.Once{}, 0
	st.read, st.once, st.reads = make(chan struct{}), sync.Once{}, 0
	c.waitForList = true
	if res, err := p.Sync(ctx); err != nil || !res.OK() {
		t.Fatalf("local pair, second sync: %v %+v", err, res)
	}
	if !c.overlapped {
		t.Error("local pair: the prefetch waited for a request that no side makes")
	}
}

// localWaiting is a slowServer on this machine.
type localWaiting struct{ slowServer }

func (*localWaiting) Local() bool { return true }
