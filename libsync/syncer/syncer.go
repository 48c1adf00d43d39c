// Package syncer runs one pair's sync: it maps the collections of both storages, lists
// each collection's items on both sides, fetches only what changed since the last sync,
// asks package plan what to do, and carries the plan out with conditional writes,
// committing every completed action to the status as it completes.
package syncer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/pimsync-go/libsync/config"
	"github.com/pimsync-go/libsync/plan"
	"github.com/pimsync-go/libsync/status"
	"github.com/pimsync-go/libsync/storage"
)

// Status is what the sync needs of the status database (status.DB).
type Status interface {
	Mapping(key string) (status.Mapping, bool, error)
	Mappings() ([]status.Mapping, error)
	PutMapping(m status.Mapping) error
	DeleteMapping(key string) error
	Items(key string) ([]status.Item, error)
	PutItem(key string, it status.Item) error
	DeleteItem(key, ident string) error
	Props(key string) (map[string]string, error)
	PutProp(key, name, value string) error
	DeleteProp(key, name string) error
	State(key, name string) (string, bool, error)
	PutState(key, name, value string) error
	PutIntents(key string, intents []status.Item) error
	Intents(key string) ([]status.Item, error)
	SettleIntents(key string, items []status.Item) error
}

// Pair is one configured pair, ready to sync.
type Pair struct {
	Name    string
	Storage [2]storage.Storage
	Status  Status
	Select  plan.Selection
	plan.Options
	// DeleteSync propagates a collection's deletion (on_delete sync).
	DeleteSync bool
	// Only restricts the sync to these collection keys; empty means all.
	Only []string
	// DryRun plans and reports but writes nothing, neither to the storages nor to the
	// status.
	DryRun bool
	// Writes bounds the requests in flight to each side, item writes and fetches (0
	// means config.DefaultConcurrency): a small server may need fewer, and a local
	// disk shares one flush among all the writes that wait for it, so the more at once
	// the fewer flushes.
	Writes [2]int
	// Concurrency bounds the item actions in flight per collection, whichever side they
	// write to (0 means Writes[A] + Writes[B]).
	Concurrency int
	// FetchSize is how many items one Get asks each side for (0 means
	// config.DefaultMultigetSize).
	FetchSize [2]int
	// Parallel is how many collections sync at once (0 means 4). They share the
	// sides' Writes, which bound every request in flight to a side, reads included.
	Parallel int
	// Stop, once closed, ends the sync early and cleanly: no collection, fetch or
	// action starts any more, those under way finish and are committed, and the ones
	// left are reported with ErrStopped. Cancelling the context instead also breaks
	// off requests in flight.
	Stop <-chan struct{}
	// Resolver, if set, settles conflicts (resolve-conflicts).
	Resolver Resolver
	// ConflictsOnly does nothing but settle conflicts with Resolver.
	ConflictsOnly bool
	// OnCollection, if set, is called for every collection created or deleted (or, in
	// a dry run, planned to be), with a description.
	OnCollection func(key, what string)
	// OnPlan, if set, is called once a collection's plan is made, with the number of
	// item actions it has (for progress reports).
	OnPlan func(key string, actions int)
	// OnAction, if set, is called for every item action once it is done (or, in a dry
	// run, planned), with its error.
	OnAction func(key string, a plan.Action, err error)

	resolving sync.Mutex // held while Resolver runs

	slotsOnce sync.Once
	slots     [2]chan struct{} // a token per request in flight to each side

	prefetched *prefetch // local listings started at the beginning of Sync
}

// ErrStopped is the error of what a sync left undone because Stop was closed.
var ErrStopped = errors.New("stopped before it was done")

func (p *Pair) stopped() bool {
	select {
	case <-p.Stop:
		return true
	default:
		return false
	}
}

// slot returns the semaphore that bounds the requests in flight to side s.
func (p *Pair) slot(s plan.Side) chan struct{} {
	p.slotsOnce.Do(func() {
		for i := range p.slots {
			p.slots[i] = make(chan struct{}, orDefault(p.Writes[i], config.DefaultConcurrency))
		}
	})
	return p.slots[s]
}

// Sync syncs every selected collection of the pair. Errors of single items and
// collections are in the result; the error return is for failures that stop the whole
// pair (the storages cannot be listed, the status cannot be read).
func (p *Pair) Sync(ctx context.Context) (*Result, error) {
	res := &Result{Pair: p.Name}
	traced, g := p.firstRequest(ctx)
	p.startPrefetch(ctx, g)
	defer func() { p.prefetched = nil }()
	mapped, err := p.Collections(traced)
	g.open()
	if err != nil {
		return nil, err
	}
	var selected []plan.Mapped
	for _, m := range mapped {
		if p.selected(m.Key) {
			selected = append(selected, m)
		}
	}
	// Collections sync side by side: a server's latency is paid once for all of
	// them, not once per calendar. Results keep the order of the mapping.
	results := make([]*CollectionResult, len(selected))
	sem := make(chan struct{}, orDefault(p.Parallel, 4))
	var wg sync.WaitGroup
	for i, m := range selected {
		sem <- struct{}{}
		if ctx.Err() != nil || p.stopped() {
			<-sem
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			results[i] = p.collection(ctx, m)
		}()
	}
	wg.Wait()
	for _, r := range results {
		if r != nil {
			res.Collections = append(res.Collections, r)
		}
	}
	if err := ctx.Err(); err != nil {
		return res, err
	}
	if p.stopped() {
		return res, ErrStopped
	}
	for _, key := range p.Only {
		found := false
		for _, m := range mapped {
			found = found || m.Key == key
		}
		if !found {
			res.Collections = append(res.Collections, &CollectionResult{Key: key,
				Err: fmt.Errorf("pair %s has no collection %s", p.Name, key)})
		}
	}
	return res, nil
}

// Collections lists both sides' collections and maps them as the configuration and the
// status say, without changing anything.
func (p *Pair) Collections(ctx context.Context) ([]plan.Mapped, error) {
	var have [2][]plan.Collection
	err := both(func(s plan.Side) error {
		cols, err := p.Storage[s].Collections(ctx)
		if err != nil {
			return fmt.Errorf("list collections of %s: %w", p.Storage[s], err)
		}
		for _, c := range cols {
			have[s] = append(have[s], plan.Collection{ID: c.ID, Href: c.Href, Version: c.Version, SyncToken: c.SyncToken})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	mappings, err := p.Status.Mappings()
	if err != nil {
		return nil, err
	}
	known := map[string][2]string{}
	for _, m := range mappings {
		known[m.Key] = [2]string{m.HrefA, m.HrefB}
	}
	return plan.Collections(plan.CollectionsInput{
		Have: have, Select: p.Select, Known: known,
		DeleteSync: p.DeleteSync, ReadOnly: p.ReadOnly, OneWay: p.OneWay,
	}), nil
}

func (p *Pair) selected(key string) bool {
	if len(p.Only) == 0 {
		return true
	}
	for _, k := range p.Only {
		if k == key {
			return true
		}
	}
	return false
}

// collection carries out one collection's decision and syncs its items.
func (p *Pair) collection(ctx context.Context, m plan.Mapped) *CollectionResult {
	r := &CollectionResult{Key: m.Key, Skipped: m.Skip}
	log := slog.With("pair", p.Name, "collection", m.Key)
	if m.Skip != "" {
		log.Warn("collection skipped", "why", m.Skip)
		return r
	}
	if m.Forget {
		log.Info("collection gone from both sides")
		if !p.DryRun {
			r.Err = p.Status.DeleteMapping(m.Key)
		}
		return r
	}
	if m.Deleting {
		s := m.Delete
		what := fmt.Sprintf("delete on %s (%s)", s, m.Why)
		if p.DryRun {
			r.Deleted[s]++
			r.collectionOp(p, what)
			return r
		}
		err := p.Storage[s].DeleteCollection(ctx, m.Col[s].Href)
		switch {
		case errors.Is(err, storage.ErrNotEmpty):
			r.Skipped = fmt.Sprintf("%s; not deleted on %s because it still has items there", m.Why, s)
			log.Warn("collection not deleted", "why", r.Skipped)
		case err != nil:
			r.Err = fmt.Errorf("delete collection %s: %w", m.Col[s].Href, err)
		default:
			r.Deleted[s]++
			r.collectionOp(p, what)
			r.Err = p.Status.DeleteMapping(m.Key)
		}
		return r
	}
	col := m.Col
	for s := plan.A; s <= plan.B; s++ {
		if !m.Create[s] {
			continue
		}
		what := fmt.Sprintf("create %s on %s (%s)", col[s].ID, s, m.Why)
		if p.DryRun {
			r.collectionOp(p, what)
			continue
		}
		info, err := p.Storage[s].CreateCollection(ctx, col[s].ID)
		if err != nil {
			r.Err = fmt.Errorf("create collection %s on %s: %w", col[s].ID, s, err)
			return r
		}
		r.collectionOp(p, what)
		col[s] = plan.Collection{ID: info.ID, Href: info.Href}
		log.Info("collection created", "side", s, "href", info.Href)
	}
	p.items(ctx, m.Key, col, m.Create, r)
	return r
}

func (r *CollectionResult) collectionOp(p *Pair, what string) {
	r.CollectionOps = append(r.CollectionOps, what)
	if p.OnCollection != nil {
		p.OnCollection(r.Key, what)
	}
}

// both runs fn for A and B concurrently and returns the first error.
func both(fn func(plan.Side) error) error {
	var errs [2]error
	var wg sync.WaitGroup
	for s := plan.A; s <= plan.B; s++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[s] = fn(s)
		}()
	}
	wg.Wait()
	return errors.Join(errs[0], errs[1])
}
