package syncer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/pimsync-go/libsync/config"
	"github.com/pimsync-go/libsync/plan"
	"github.com/pimsync-go/libsync/storage"
	"github.com/pimsync-go/libvdir/item"
)

// getAll fetches the items at hrefs with one storage.AllGetter answer when they are
// most of what the side listed and more than one chunk (the first sync against a full
// collection), and returns those it left out, for fetchAll. An answer that fails is no
// failure of the sync: what it did not bring is fetched in chunks. Items are learned in
// the order of hrefs, as fetchAll learns them. A local side reads its files as cheaply
// one by one, and keeps within localBudget (fetchAll).
func (p *Pair) getAll(ctx context.Context, s plan.Side, sd *side, hrefs []string, listed int) []string {
	ag, ok := sd.col.(storage.AllGetter)
	size := orDefault(p.FetchSize[s], config.DefaultMultigetSize)
	if !ok || sd.local || len(hrefs) <= size || 2*len(hrefs) < listed {
		return hrefs
	}
	type fetched struct {
		it storage.Item
		l  learned
	}
	got := make(map[string]*fetched, len(hrefs))
	for _, h := range hrefs {
		got[h] = nil
	}
	n := 0
	err := ag.GetAll(ctx, func(it storage.Item) error {
		if f, wanted := got[it.Href]; !wanted || f != nil {
			return nil // new since the listing, or sent twice
		}
		if p.stopped() {
			return ErrStopped
		}
		got[it.Href] = &fetched{it, inspect(it)}
		n++
		return nil
	})
	switch {
	case err == nil:
	case errors.Is(err, storage.ErrUnsupported), errors.Is(err, ErrStopped), ctx.Err() != nil:
		// Said by fetchAll, which stops too.
	default:
		slog.Info("fetching every item at once failed; fetching the rest in chunks",
			"side", s, "fetched", n, "left", len(hrefs)-n, "err", err)
	}
	var left []string
	for _, h := range hrefs {
		if f := got[h]; f != nil {
			p.learn(s, sd, f.it, f.l)
		} else {
			left = append(left, h)
		}
	}
	return left
}

// fetchAll fetches and learns the items at hrefs, in chunks of FetchSize, several
// chunks at once (as many as the side takes requests at once, see slot). What they bring is
// recorded in the order of hrefs, whichever chunk comes first, so that messages and
// plans do not depend on timing.
func (p *Pair) fetchAll(ctx context.Context, s plan.Side, sd *side, hrefs []string) error {
	size := orDefault(p.FetchSize[s], config.DefaultMultigetSize)
	type chunk struct {
		hrefs   []string
		got     []storage.Item
		learned []learned
		err     error
		kept    int64 // bytes of local items kept, taken from localBudget
	}
	var chunks []*chunk
	for start := 0; start < len(hrefs); start += size {
		chunks = append(chunks, &chunk{hrefs: hrefs[start:min(start+size, len(hrefs))]})
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sem := p.slot(s)
	var wg sync.WaitGroup
	var failed sync.Once
	var firstErr error // the failure that stopped the others, not their cancellation
	for _, c := range chunks {
		if ctx.Err() != nil {
			break
		}
		if p.stopped() {
			failed.Do(func() { firstErr = ErrStopped })
			break
		}
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			c.got, c.err = sd.col.Get(ctx, c.hrefs)
			if c.err != nil {
				failed.Do(func() {
					firstErr = c.err
					cancel() // the side cannot be read: no use fetching the rest
				})
				return
			}
			c.learned = make([]learned, len(c.got))
			for i, it := range c.got {
				keep := true
				if sd.local {
					n := int64(len(it.Data))
					if keep = localBudget.take(n); keep {
						c.kept += n
					}
				}
				c.learned[i] = inspect(it)
				if !keep {
					c.got[i].Data = nil // read again when copied
				}
			}
		}()
	}
	wg.Wait()
	var taken int64
	for _, c := range chunks {
		taken += c.kept
	}
	if firstErr == nil && ctx.Err() != nil {
		firstErr = ctx.Err()
	}
	if firstErr != nil {
		localBudget.give(taken)
		return fmt.Errorf("fetch from %s: %w", s, firstErr)
	}
	before := sd.kept
	for _, c := range chunks {
		p.learnChunk(s, sd, c.hrefs, c.got, c.learned)
	}
	// What learn did not keep (unreadable items, duplicates) goes back.
	localBudget.give(taken - (sd.kept - before))
	return nil
}

// learnChunk records what one Get returned for hrefs; an href it left out is
// unreadable, never taken for deleted.
func (p *Pair) learnChunk(s plan.Side, sd *side, hrefs []string, got []storage.Item, learned []learned) {
	missing := make(map[string]bool, len(hrefs))
	for _, h := range hrefs {
		missing[h] = true
	}
	for i, it := range got {
		if !missing[it.Href] {
			continue // not asked for, or answered twice
		}
		delete(missing, it.Href)
		p.learn(s, sd, it, learned[i])
	}
	for _, h := range hrefs {
		if missing[h] {
			sd.unreadable = append(sd.unreadable, h)
			sd.errs = append(sd.errs, fmt.Errorf("%s on %s: the storage did not return it; not synced", h, s))
		}
	}
}

// learned is what parsing tells of a fetched item; it is worked out outside the lock
// that guards the side, since hashing thousands of items is most of a read's work.
type learned struct {
	info item.Info
	err  error
	hash string
}

func inspect(it storage.Item) learned {
	if it.Err != nil {
		return learned{}
	}
	info, hash, err := item.InspectHash(it.Data)
	if info.Components == 0 {
		return learned{info: info, err: err}
	}
	return learned{info: info, err: err, hash: hash}
}
