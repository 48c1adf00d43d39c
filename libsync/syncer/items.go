package syncer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/pimsync-go/libsync/plan"
	"github.com/pimsync-go/libsync/status"
	"github.com/pimsync-go/libsync/storage"
	"github.com/pimsync-go/libvdir/item"
)

// side is what the sync learned of one side of a collection.
type side struct {
	col        storage.Collection
	items      map[string][]plan.Item // by ident
	data       map[string][]byte      // bytes fetched this run, by href (local ones: see kept)
	local      bool                   // reading an item again is cheap (storage.Local)
	kept       int64                  // bytes of local items in data, taken from localBudget
	unreadable []string
	errs       []error
	// propsWritten is set when the sync changed a property on this side.
	propsWritten bool
	slab         []plan.Item // backs the one-item slices of items (see add)
}

// reserve makes room for n items, before a side with none yet learns them: a map that
// grows as it fills rehashes every entry several times.
func (sd *side) reserve(n int) {
	if len(sd.items) == 0 {
		sd.items = make(map[string][]plan.Item, n)
		sd.slab = make([]plan.Item, 0, n)
	}
}

// add records it under ident. Nearly every ident has one item: each gets a one-item
// slice of a shared array instead of an allocation of its own, and a second item
// under the same ident (a duplicate UID) copies the slice out.
func (sd *side) add(ident string, it plan.Item) {
	if cur := sd.items[ident]; len(cur) > 0 {
		sd.items[ident] = append(cur, it)
		return
	}
	if len(sd.slab) == cap(sd.slab) {
		sd.slab = make([]plan.Item, 0, 256)
	}
	sd.slab = append(sd.slab, it)
	n := len(sd.slab)
	sd.items[ident] = sd.slab[n-1 : n : n]
}

// items syncs the items and properties of one mapped collection.
func (p *Pair) items(ctx context.Context, key string, col [2]plan.Collection, created [2]bool, r *CollectionResult) {
	log := slog.With("pair", p.Name, "collection", key)
	records, err := p.records(key, col)
	if err != nil {
		r.Err = err
		return
	}
	var sides [2]*side
	defer func() {
		sides[plan.A].release()
		sides[plan.B].release()
	}()
	err = both(func(s plan.Side) error {
		sd, err := p.readSide(ctx, key, s, col[s], created[s], records)
		sides[s] = sd
		return err
	})
	if err != nil {
		r.Err = err
		return
	}
	if records, err = p.settle(key, records, sides); err != nil {
		r.Err = err
		return
	}
	in := plan.Input{Status: make(map[string]plan.Record, len(records)), Options: p.Options}
	for _, rec := range records {
		in.Status[rec.Ident] = fromStatus(rec)
	}
	for s := plan.A; s <= plan.B; s++ {
		in.Items[s] = sides[s].items
		in.Unreadable[s] = sides[s].unreadable
		r.ItemErrors = append(r.ItemErrors, sides[s].errs...)
	}
	pl := plan.Items(in)
	if pl.Skipped != "" {
		r.Skipped = pl.Skipped
		log.Warn("collection skipped", "why", pl.Skipped)
		return
	}
	r.Duplicates = pl.Duplicates
	for _, d := range pl.Duplicates {
		log.Error("several items share one UID; they are not synced until it is made unique (vdirtool repair)",
			"side", d.Side, "uid", d.Ident, "hrefs", d.Hrefs)
	}
	if p.OnPlan != nil {
		p.OnPlan(key, len(pl.Actions))
	}
	var gate *intentGate // nil: no write needs an intent first
	if !p.DryRun && !p.ConflictsOnly {
		if gate, err = p.recordIntents(key, pl.Actions); err != nil {
			r.Err = fmt.Errorf("record the writes about to be made: %w", err)
			return
		}
	}
	p.run(ctx, key, sides, pl.Actions, r, gate)
	if r.Err != nil {
		return // the intents could not be recorded: the writes stopped there
	}
	if err := p.props(ctx, key, sides, created, r); err != nil {
		r.ItemErrors = append(r.ItemErrors, err)
	}
	if err := p.saveVersions(ctx, key, col, created, sides, r); err != nil {
		// Only a shortcut for the next sync is lost, which then lists in full.
		log.Warn("collection version not recorded", "err", err)
	}
}

// readSide learns what one side of the collection holds, as cheaply as it can: nothing
// when this sync just created it, from the status when its version is unchanged, from
// the changes since its sync token, or by listing it in full.
func (p *Pair) readSide(ctx context.Context, key string, s plan.Side, col plan.Collection, created bool, records []status.Item) (*side, error) {
	sd := &side{items: map[string][]plan.Item{}, data: map[string][]byte{}}
	if col.Href == "" {
		return sd, nil // a dry run's collection that would be created: empty
	}
	c, err := p.Storage[s].Collection(ctx, col.Href)
	if err != nil {
		return sd, fmt.Errorf("open %s on %s: %w", col.Href, s, err)
	}
	sd.col = c
	if l, ok := c.(storage.Local); ok && l.Local() {
		sd.local = true
	}
	if created {
		return sd, nil // made empty by this sync a moment ago
	}
	unchanged, err := p.unchanged(key, s, col.Version)
	if err != nil || unchanged {
		sd.fromStatus(s, records)
		return sd, err
	}
	cl, ok := c.(storage.ChangeLister)
	if !ok {
		return sd, p.read(ctx, s, sd, col.Href, records)
	}
	token, known, err := p.Status.State(key, tokenState(s))
	if err != nil {
		return sd, err
	}
	if known && token != "" {
		// Any failure here (a forgotten token, a server that errs on old ones)
		// costs only a full listing, which is always right.
		err := p.readChanges(ctx, s, sd, cl, token, records)
		if err == nil {
			return sd, nil
		}
		sd.reset()
		slog.Info("changes since the last sync not available; listing in full",
			"pair", p.Name, "collection", key, "side", s, "err", err)
	}
	if col.SyncToken != "" {
		// The collection has sync tokens, so RFC 6578's initial sync (the changes
		// since no token) lists every item, as a PROPFIND does. Radicale answers it
		// in a third of the time: its PROPFIND builds each item's answer the long way.
		err := p.readInitial(ctx, s, sd, cl, records)
		if err == nil {
			return sd, nil
		}
		sd.reset()
		slog.Info("initial sync-collection refused; listing with PROPFIND",
			"pair", p.Name, "collection", key, "side", s, "err", err)
	}
	return sd, p.read(ctx, s, sd, col.Href, records)
}

// versionState names the status entry that keeps a side's collection version.
func versionState(s plan.Side) string { return "version_" + s.String() }

// tokenState names the status entry that keeps a side's sync token.
func tokenState(s plan.Side) string { return "token_" + s.String() }

// unchanged reports whether side s of the collection is as the last sync left it: its
// version (ctag, sync-token) is the one recorded then. Such a side is not listed.
func (p *Pair) unchanged(key string, s plan.Side, version string) (bool, error) {
	if version == "" {
		return false, nil
	}
	old, ok, err := p.Status.State(key, versionState(s))
	return ok && old == version, err
}

// reset forgets what a failed attempt learned, before listing again.
func (sd *side) reset() {
	sd.release()
	sd.items, sd.data, sd.slab = map[string][]plan.Item{}, map[string][]byte{}, nil
	sd.unreadable, sd.errs = nil, nil
}

// fromStatus fills a side that has not changed with what the status recorded of it.
func (sd *side) fromStatus(s plan.Side, records []status.Item) {
	sd.reserve(len(records))
	for _, rec := range records {
		if it := statusSide(rec, s); it.Href != "" {
			sd.add(rec.Ident, plan.Item{Href: it.Href, Etag: it.Etag, Hash: it.Hash})
		}
	}
}

// saveVersions records each side's collection version and sync token after a sync that
// left the collection wholly in sync (no conflicts, skips or errors: the status then
// says exactly what the side holds), so that the next sync finds an unchanged side
// unchanged without listing it. A side this sync wrote to has a new version, which
// catchUp learns; where it cannot, the side's token from before the writes is
// recorded (the changes since then include ours, whose etags match the status, so they
// are not fetched again) and its version is not. A version recorded earlier need not
// be cleared: any change to the side gives it a new version, which never matches.
func (p *Pair) saveVersions(ctx context.Context, key string, col [2]plan.Collection, created [2]bool, sides [2]*side, r *CollectionResult) error {
	if p.DryRun || p.ConflictsOnly || !r.OK() || r.Skips > 0 {
		return nil
	}
	// An item unreadable or outside a filter on one side has its ident left alone on
	// both: what the other side did to it is not in the status, so neither side's
	// version may say the status is all there is.
	if len(sides[plan.A].unreadable) > 0 || len(sides[plan.B].unreadable) > 0 {
		return nil
	}
	for s := plan.A; s <= plan.B; s++ {
		token, version := col[s].SyncToken, col[s].Version
		if r.Created[s]+r.Updated[s]+r.Deleted[s] > 0 || sides[s].propsWritten {
			version = ""
			if ch, ok := p.catchUp(ctx, key, s, sides[s], col[s].SyncToken, created[s]); ok {
				token, version = ch.Token, ch.Version
			}
		}
		if token != "" {
			if err := p.putState(key, tokenState(s), token); err != nil {
				return err
			}
		}
		if version != "" {
			if err := p.putState(key, versionState(s), version); err != nil {
				return err
			}
		}
	}
	return nil
}

// catchUp asks a side this sync wrote to what changed since the token it was read at
// ("" for a collection this sync created). When the answer is this sync's own writes
// and nothing else, the side holds exactly what the status says, and the answer's
// token and version can be recorded: one request now saves the next sync a listing of
// the whole collection. Anything else (another client's change meanwhile, a server
// without sync tokens) is left for the next sync to find.
func (p *Pair) catchUp(ctx context.Context, key string, s plan.Side, sd *side, token string, created bool) (storage.Changes, bool) {
	cl, ok := sd.col.(storage.ChangeLister)
	if !ok || token == "" && !created {
		return storage.Changes{}, false
	}
	ch, err := cl.Changes(ctx, token)
	if err != nil || ch.Token == "" || ch.Version == "" {
		return storage.Changes{}, false
	}
	records, err := p.Status.Items(key)
	if err != nil {
		return storage.Changes{}, false
	}
	etags := make(map[string]string, len(records))
	for _, rec := range records {
		if it := statusSide(rec, s); it.Href != "" {
			etags[it.Href] = it.Etag
		}
	}
	for _, e := range ch.Changed {
		if etag, ok := etags[e.Href]; !ok || etag != e.Etag {
			slog.Debug("changed by someone else during the sync; the next sync looks", "pair", p.Name, "collection", key, "side", s, "href", e.Href)
			return storage.Changes{}, false
		}
	}
	for _, h := range ch.Deleted {
		if _, ok := etags[h]; ok {
			return storage.Changes{}, false
		}
	}
	return ch, true
}

// putState stores a status state entry unless it already has that value.
func (p *Pair) putState(key, name, value string) error {
	old, ok, err := p.Status.State(key, name)
	if err != nil || ok && old == value {
		return err
	}
	return p.Status.PutState(key, name, value)
}

// records returns the status's items for key, starting over when the key now maps
// other collections than those it recorded (the configuration changed), and records the
// mapping.
func (p *Pair) records(key string, col [2]plan.Collection) ([]status.Item, error) {
	old, ok, err := p.Status.Mapping(key)
	if err != nil {
		return nil, err
	}
	m := status.Mapping{Key: key, IDA: col[plan.A].ID, HrefA: col[plan.A].Href, IDB: col[plan.B].ID, HrefB: col[plan.B].Href}
	if ok && old.HrefA == m.HrefA && old.HrefB == m.HrefB {
		if records, ok := p.prefetched.takeRecords(key); ok {
			return records, nil
		}
		return p.Status.Items(key)
	}
	if ok {
		slog.Info("collection now maps other locations; syncing it as a first sync",
			"pair", p.Name, "collection", key, "was_a", old.HrefA, "was_b", old.HrefB)
	}
	if p.DryRun {
		return nil, nil
	}
	if ok {
		if err := p.Status.DeleteMapping(key); err != nil {
			return nil, err
		}
	}
	return nil, p.Status.PutMapping(m)
}

// read lists one side in full (or takes the listing prefetched when the sync began)
// and learns every item.
func (p *Pair) read(ctx context.Context, s plan.Side, sd *side, href string, records []status.Item) error {
	l, ok := p.prefetched.take(s, href)
	if !ok {
		var err error
		if l, err = sd.col.List(ctx); err != nil {
			return fmt.Errorf("list %s: %w", s, err)
		}
	}
	return p.learnAll(ctx, s, sd, l, records)
}

// readInitial lists one side in full with the changes since no token.
func (p *Pair) readInitial(ctx context.Context, s plan.Side, sd *side, cl storage.ChangeLister, records []status.Item) error {
	ch, err := cl.Changes(ctx, "")
	if err != nil {
		return err
	}
	if len(ch.Deleted) > 0 {
		// Nothing can be gone since no token: a server that says otherwise is not
		// answering an initial sync, and its listing is not trusted.
		return fmt.Errorf("initial sync lists %d items as deleted", len(ch.Deleted))
	}
	return p.learnAll(ctx, s, sd, storage.Listing{Items: ch.Changed}, records)
}

// readChanges builds one side's listing from what the status recorded of it and what
// changed since the sync token recorded after the last clean sync (RFC 6578): for a big
// collection with a few changes, a short REPORT instead of a listing of every item.
func (p *Pair) readChanges(ctx context.Context, s plan.Side, sd *side, cl storage.ChangeLister, token string, records []status.Item) error {
	ch, err := cl.Changes(ctx, token)
	if err != nil {
		return err
	}
	changed := ch.Changed
	skip := make(map[string]bool, len(changed)+len(ch.Deleted))
	for _, h := range ch.Deleted {
		skip[h] = true
	}
	for _, e := range changed {
		skip[e.Href] = true
	}
	var l storage.Listing
	for _, rec := range records {
		if it := statusSide(rec, s); it.Href != "" && !skip[it.Href] {
			l.Items = append(l.Items, storage.Entry{Href: it.Href, Etag: it.Etag})
		}
	}
	l.Items = append(l.Items, changed...)
	return p.learnAll(ctx, s, sd, l, records)
}

// learnAll learns the ident and hash of every listed item: from the status when the
// href and etag are the ones recorded, otherwise by fetching the item.
func (p *Pair) learnAll(ctx context.Context, s plan.Side, sd *side, l storage.Listing, records []status.Item) error {
	known := make(map[string]int, len(records)) // index into records, by href
	for i, rec := range records {
		known[statusSide(rec, s).Href] = i
	}
	seen := make(map[string]bool, len(l.Items))
	sd.reserve(len(l.Items))
	var fetch []string
	for _, e := range l.Items {
		if seen[e.Href] {
			slog.Warn("storage listed an item twice", "side", s, "href", e.Href)
			continue
		}
		seen[e.Href] = true
		if i, ok := known[e.Href]; ok && statusSide(records[i], s).Etag == e.Etag {
			sd.add(records[i].Ident, plan.Item{Href: e.Href, Etag: e.Etag, Hash: statusSide(records[i], s).Hash})
			continue
		}
		fetch = append(fetch, e.Href)
	}
	for _, u := range l.Unreadable {
		sd.unreadable = append(sd.unreadable, u.Href)
		sd.errs = append(sd.errs, fmt.Errorf("%s on %s: %s; not synced", u.Href, s, u.Reason))
	}
	// An item outside the side's filter that an earlier sync synced is left alone on
	// both sides, as an unreadable one is (the plan skips its ident), but without an
	// error: it left the window, nothing is wrong. One never synced is not looked at.
	for _, e := range l.Outside {
		if _, ok := known[e.Href]; ok {
			sd.unreadable = append(sd.unreadable, e.Href)
		}
	}
	return p.fetchAll(ctx, s, sd, p.getAll(ctx, s, sd, fetch, len(l.Items)))
}

// learn records a fetched item's ident and hash.
func (p *Pair) learn(s plan.Side, sd *side, it storage.Item, l learned) {
	if it.Err != nil {
		sd.unreadable = append(sd.unreadable, it.Href)
		if !errors.Is(it.Err, storage.ErrNotFound) { // deleted since listed: simply gone
			sd.errs = append(sd.errs, fmt.Errorf("%s on %s: %w", it.Href, s, it.Err))
		}
		return
	}
	if l.info.Components == 0 {
		sd.unreadable = append(sd.unreadable, it.Href)
		sd.errs = append(sd.errs, fmt.Errorf("%s on %s: not a calendar item or contact: %v", it.Href, s, l.err))
		return
	}
	if l.err != nil {
		// Servers and other programs reject or repair such items their own way; we
		// copy the bytes as they are, and say so.
		slog.Warn("malformed item; syncing it unchanged", "side", s, "href", it.Href, "err", l.err)
	}
	hash := l.hash
	ident := l.info.UID
	if ident == "" {
		ident = hash
	}
	sd.add(ident, plan.Item{Href: it.Href, Etag: it.Etag, Hash: hash})
	if it.Data != nil {
		sd.data[it.Href] = it.Data
		if sd.local {
			sd.kept += int64(len(it.Data))
		}
	}
}

// localBudget bounds the bytes of local items kept from their first read (for their
// hash) to their copy, across every sync of the process. Within it, an initial sync
// reads each file once; past it, files are read again when copied, so a vdir of any
// size syncs in bounded memory. Items from a server are always kept: fetching them
// again costs a request.
var localBudget = budget{limit: 16 << 20}

// budget is a count of bytes that many goroutines take from and give back.
type budget struct {
	limit int64
	used  atomic.Int64
}

// take reserves n bytes, if they are left.
func (b *budget) take(n int64) bool {
	if b.used.Add(n) > b.limit {
		b.used.Add(-n)
		return false
	}
	return true
}

// give returns n bytes taken before.
func (b *budget) give(n int64) { b.used.Add(-n) }

// release gives back the bytes the side kept, once the sync is done with them.
func (sd *side) release() {
	if sd != nil && sd.kept > 0 {
		localBudget.give(sd.kept)
		sd.kept = 0
	}
}

// run carries out the actions, up to Concurrency at a time and Writes[side] to a side,
// committing each one to the status as soon as it is done. A creation or update starts
// once gate (nil: no intents) has its intent on disk; when gate fails, r.Err says so and
// no later action starts.
func (p *Pair) run(ctx context.Context, key string, sides [2]*side, actions []plan.Action, r *CollectionResult, gate *intentGate) {
	defer gate.close()
	writes := [2]chan struct{}{p.slot(plan.A), p.slot(plan.B)}
	sem := make(chan struct{}, orDefault(p.Concurrency, cap(writes[0])+cap(writes[1])))
	var mu sync.Mutex
	var wg sync.WaitGroup
	done := func(a plan.Action, err error) {
		mu.Lock()
		defer mu.Unlock()
		r.count(a, err)
		if p.OnAction != nil {
			p.OnAction(key, a, err)
		}
	}
	for i, a := range actions {
		resolve := a.Op == plan.Conflict && p.Resolver != nil && !p.DryRun
		switch {
		case p.ConflictsOnly && a.Op != plan.Conflict:
			continue
		case resolve:
		case a.Op == plan.Conflict || a.Op == plan.Skip || p.DryRun:
			done(a, nil)
			continue
		case ctx.Err() != nil:
			done(a, ctx.Err())
			continue
		case p.stopped():
			done(a, ErrStopped)
			continue
		}
		if err := gate.wait(i); err != nil {
			r.Err = fmt.Errorf("record the writes about to be made: %w", err)
			break // the writes that started finish; none of the rest starts
		}
		sem <- struct{}{}
		if p.stopped() { // while it waited for a slot
			<-sem
			done(a, ErrStopped)
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if resolve {
				err := p.resolve(ctx, key, sides, a)
				if err != nil {
					// The conflict stays; say why it was not resolved.
					a.Why = fmt.Sprintf("%s; not resolved: %v", a.Why, err)
					done(a, nil)
					return
				}
				done(plan.Action{Op: plan.Save, Ident: a.Ident, Cur: a.Cur}, nil)
				mu.Lock()
				r.Resolved++
				mu.Unlock()
				return
			}
			release := func() {}
			if a.Op == plan.Create || a.Op == plan.Update || a.Op == plan.Delete {
				writes[a.To] <- struct{}{}
				var once sync.Once
				release = func() { once.Do(func() { <-writes[a.To] }) }
				defer release()
				if p.stopped() { // while it waited for the side
					done(a, ErrStopped)
					return
				}
			}
			done(a, p.apply(ctx, key, sides, a, release))
		}()
	}
	wg.Wait()
	sort.Slice(r.Conflicts, func(i, j int) bool { return r.Conflicts[i].Ident < r.Conflicts[j].Ident })
}

// apply carries out one action and commits it to the status. It calls written once
// the storage has done its part: the commit that follows is no request to the storage,
// and waiting for it (with many others, in one transaction) need not hold up the
// side's next write.
func (p *Pair) apply(ctx context.Context, key string, sides [2]*side, a plan.Action, written func()) error {
	switch a.Op {
	case plan.Save:
		return p.Status.PutItem(key, toStatus(a.Ident, *a.Cur[plan.A], *a.Cur[plan.B]))
	case plan.Forget:
		return p.Status.DeleteItem(key, a.Ident)
	case plan.Delete:
		cur := a.Cur[a.To]
		err := sides[a.To].col.Delete(ctx, cur.Href, cur.Etag)
		if errors.Is(err, storage.ErrWeakEtag) {
			err = sides[a.To].force(ctx, *cur, func(f storage.Forcer) error { return f.ForceDelete(ctx, cur.Href) })
		}
		if err != nil && !errors.Is(err, storage.ErrNotFound) {
			return fmt.Errorf("delete %s on %s: %w", cur.Href, a.To, err)
		}
		written()
		return p.Status.DeleteItem(key, a.Ident)
	}
	from := a.To.Other()
	src := *a.Source()
	data, err := sides[from].bytes(ctx, src)
	if err != nil {
		return fmt.Errorf("read %s on %s: %w", src.Href, from, err)
	}
	var wrote plan.Item
	if a.Op == plan.Create {
		href, etag, err := sides[a.To].col.Create(ctx, a.Ident, data)
		if err != nil {
			return fmt.Errorf("create %s on %s: %w", a.Ident, a.To, err)
		}
		wrote = plan.Item{Href: href, Etag: etag, Hash: src.Hash}
	} else {
		cur := a.Cur[a.To]
		etag, err := sides[a.To].col.Update(ctx, cur.Href, cur.Etag, data)
		if errors.Is(err, storage.ErrWeakEtag) {
			err = sides[a.To].force(ctx, *cur, func(f storage.Forcer) (err error) {
				etag, err = f.ForceUpdate(ctx, cur.Href, data)
				return err
			})
		}
		if err != nil {
			return fmt.Errorf("update %s on %s: %w", cur.Href, a.To, err)
		}
		wrote = plan.Item{Href: cur.Href, Etag: etag, Hash: src.Hash}
	}
	written()
	var rec [2]plan.Item
	rec[from], rec[a.To] = src, wrote
	return p.Status.PutItem(key, toStatus(a.Ident, rec[plan.A], rec[plan.B]))
}

// bytes returns an item's content: from this run's fetches, or fetched now, provided
// it is still the version listed.
func (sd *side) bytes(ctx context.Context, it plan.Item) ([]byte, error) {
	if d, ok := sd.data[it.Href]; ok {
		return d, nil
	}
	got, err := sd.fetch(ctx, it.Href)
	if err != nil {
		return nil, err
	}
	if got.Etag != it.Etag {
		return nil, fmt.Errorf("%w since it was listed", storage.ErrPrecondition)
	}
	return got.Data, nil
}

// fetch reads one item now.
func (sd *side) fetch(ctx context.Context, href string) (storage.Item, error) {
	got, err := sd.col.Get(ctx, []string{href})
	switch {
	case err != nil:
		return storage.Item{}, err
	case len(got) != 1:
		return storage.Item{}, fmt.Errorf("%s: %w", href, storage.ErrNotFound)
	case got[0].Err != nil:
		return storage.Item{}, got[0].Err
	}
	return got[0], nil
}

// force writes over an item whose etag is weak: it reads the item again and writes
// without a condition only when its content is still the one planned with (vdirsyncer
// would never write it; If-Match cannot use a weak etag).
func (sd *side) force(ctx context.Context, cur plan.Item, write func(storage.Forcer) error) error {
	f, ok := sd.col.(storage.Forcer)
	if !ok {
		return storage.ErrWeakEtag
	}
	got, err := sd.fetch(ctx, cur.Href)
	if err != nil {
		return err
	}
	if item.Hash(got.Data) != cur.Hash {
		return fmt.Errorf("%s: %w since it was listed (its etag is weak, so its content was compared)", cur.Href, storage.ErrPrecondition)
	}
	return write(f)
}

// count adds a finished action to the result.
func (r *CollectionResult) count(a plan.Action, err error) {
	if err != nil {
		r.ItemErrors = append(r.ItemErrors, fmt.Errorf("%s: %w", a.Ident, err))
		return
	}
	switch a.Op {
	case plan.Create:
		r.Created[a.To]++
	case plan.Update:
		r.Updated[a.To]++
	case plan.Delete:
		r.Deleted[a.To]++
	case plan.Conflict:
		c := ItemConflict{Ident: a.Ident, Why: a.Why}
		for s := plan.A; s <= plan.B; s++ {
			if a.Cur[s] != nil {
				c.Href[s] = a.Cur[s].Href
			}
		}
		r.Conflicts = append(r.Conflicts, c)
	case plan.Skip:
		r.Skips++
	}
}

func statusSide(it status.Item, s plan.Side) status.Side {
	if s == plan.A {
		return it.A
	}
	return it.B
}

func fromStatus(it status.Item) plan.Record {
	return plan.Record{Ident: it.Ident, Side: [2]plan.Item{
		{Href: it.A.Href, Etag: it.A.Etag, Hash: it.A.Hash},
		{Href: it.B.Href, Etag: it.B.Etag, Hash: it.B.Hash},
	}}
}

func toStatus(ident string, a, b plan.Item) status.Item {
	return status.Item{Ident: ident,
		A: status.Side{Href: a.Href, Etag: a.Etag, Hash: a.Hash},
		B: status.Side{Href: b.Href, Etag: b.Etag, Hash: b.Hash},
	}
}

func orDefault(n, def int) int {
	if n <= 0 {
		return def
	}
	return n
}
