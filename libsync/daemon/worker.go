package daemon

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"github.com/pimsync-go/libsync/pair"
	"github.com/pimsync-go/libsync/status"
	"github.com/pimsync-go/libsync/syncer"
)

// worker keeps one pair in sync.
type worker struct {
	d    *Daemon
	name string
	wake chan struct{} // a change arrived

	mu      sync.Mutex
	pending map[string]bool // collections changed locally since the last sync
	all     bool            // and a change anywhere
	first   time.Time       // when the first of the pending changes came
	last    time.Time       // and the latest

	failures int // in a row
}

func newWorker(d *Daemon, name string) *worker {
	return &worker{d: d, name: name, wake: make(chan struct{}, 1), pending: map[string]bool{}}
}

// changed notes a local change in collection key ("" for anywhere in the pair).
func (w *worker) changed(key string) {
	w.mu.Lock()
	if key == "" {
		w.all = true
	} else {
		w.pending[key] = true
	}
	now := time.Now()
	if w.first.IsZero() {
		w.first = now
	}
	w.last = now
	w.mu.Unlock()
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// take returns the changes noted so far and forgets them: nil for every collection.
func (w *worker) take() (only []string, any bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	any = w.all || len(w.pending) > 0
	if !w.all {
		for k := range w.pending {
			only = append(only, k)
		}
		sort.Strings(only)
	}
	w.pending, w.all, w.first, w.last = map[string]bool{}, false, time.Time{}, time.Time{}
	return only, any
}

// sleep waits for d or until the daemon stops; false means it stops.
func (w *worker) sleep(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-w.d.stop:
		return false
	}
}

// backoff is the wait after the latest of failures in a row.
func (w *worker) backoff() time.Duration {
	b := w.d.opt.MinBackoff
	for i := 1; i < w.failures && b < w.d.opt.MaxBackoff; i++ {
		b *= 2
	}
	return min(b, w.d.opt.MaxBackoff)
}

// fail counts a failure, says when the pair is tried again, and waits until then.
func (w *worker) fail(what string, err error) bool {
	w.failures++
	wait := w.backoff()
	slog.Error(what, "pair", w.name, "err", err, "retry_in", wait, "failures", w.failures)
	return w.sleep(wait)
}

// run prepares the pair, then syncs it whenever something may have changed, until the
// daemon stops. ready gets one value once the pair is prepared or has failed to be.
func (w *worker) run(ready chan<- struct{}) {
	signalled := false
	signal := func() {
		if !signalled {
			signalled = true
			ready <- struct{}{}
		}
	}
	defer signal()
	d := w.d
	var prep *pair.Prepared
	for prep == nil {
		start := time.Now()
		p, err := pair.Prepare(d.ctx, d.cfg, w.name, pair.Options{})
		if err == nil {
			prep = p
			break
		}
		pair.RecordFailure(d.ctx, d.cfg, w.name, start, err, true)
		signal()
		if !w.fail("pair not ready", err) {
			return
		}
	}
	var release func()
	for release == nil {
		r, err := status.Daemon(prep.StatusDir(), w.name)
		if err == nil {
			release = r
			break
		}
		signal()
		if !w.fail("pair not run", err) {
			return
		}
	}
	defer release()
	w.failures = 0
	signal()
	w.loop(prep)
}

// loop syncs the pair at the start and then on changes and every interval.
func (w *worker) loop(prep *pair.Prepared) {
	d := w.d
	interval := min(prep.Config.A.Interval, prep.Config.B.Interval)
	var only []string // nil: every collection
	var nextPoll time.Time
	for now := true; !d.stopping(); {
		if now {
			if only == nil {
				nextPoll = time.Now().Add(interval)
			}
			if err := w.sync(prep, only); err != nil {
				if !w.fail("pair not synced", err) {
					return
				}
				only = nil
				continue
			}
			w.failures = 0
		}
		// Wait for a local change (then for it to settle) or the next poll, which
		// syncs of single collections do not put off.
		poll := time.NewTimer(time.Until(nextPoll))
		select {
		case <-d.stop:
			poll.Stop()
			return
		case <-poll.C:
			w.take() // a full sync covers whatever was pending
			only, now = nil, true
		case <-w.wake:
			poll.Stop()
			if !w.settle() {
				return
			}
			only, now = w.take()
		}
	}
}

// settle waits until no change has come for Debounce, or MaxDelay has passed since
// the first; false means the daemon stops.
func (w *worker) settle() bool {
	for {
		w.mu.Lock()
		first, last := w.first, w.last
		w.mu.Unlock()
		if first.IsZero() {
			return true
		}
		until := last.Add(w.d.opt.Debounce)
		if limit := first.Add(w.d.opt.MaxDelay); limit.Before(until) {
			until = limit
		}
		wait := time.Until(until)
		if wait <= 0 {
			return true
		}
		t := time.NewTimer(wait)
		select {
		case <-w.d.stop:
			t.Stop()
			return false
		case <-t.C:
		case <-w.wake:
			t.Stop()
		}
	}
}

// sync runs one sync of the collections only (nil: all) and then watches the pair's
// vdir directories as the status now maps them. Its error is one that kept the pair
// from syncing at all; item errors and conflicts are in the status and the log, and
// are tried again at the next change or poll, without a backoff.
func (w *worker) sync(prep *pair.Prepared, only []string) error {
	d := w.d
	o, err := prep.Open(pair.Options{Only: only})
	if err != nil {
		return err
	}
	o.Stop = d.stop
	// Watch before syncing, so that no change made while it runs goes unseen; and
	// again after, for the collections it created.
	d.watch(w, w.dirs(prep, o))
	res, err := o.Sync(d.ctx)
	dirs := w.dirs(prep, o)
	if cerr := o.Close(); err == nil && cerr != nil {
		err = cerr
	}
	d.watch(w, dirs)
	if d.opt.OnSync != nil {
		d.opt.OnSync(w.name, res, err)
	}
	logResult(w.name, only, res, err)
	if errors.Is(err, syncer.ErrStopped) {
		return nil
	}
	return err
}

// dirs lists the directories to watch: each vdir side's root (a collection appearing
// or going) and every directory in it, and where a singlefile side's files are. A
// change in a collection the status maps syncs that collection; one in a directory it
// does not map yet (before the pair's first sync, say) or in a singlefile's syncs the
// whole pair.
func (w *worker) dirs(prep *pair.Prepared, o *pair.Opened) map[string]string {
	keys := map[string]string{}
	if maps, err := o.Status.Mappings(); err == nil {
		for _, m := range maps {
			for _, href := range []string{m.HrefA, m.HrefB} {
				if href != "" {
					keys[href] = m.Key
				}
			}
		}
	}
	out := map[string]string{}
	for _, dirs := range prep.WatchDirs() {
		for _, dir := range dirs {
			out[dir] = "" // a singlefile: sync the pair
		}
	}
	for _, root := range prep.Roots() {
		if root == "" {
			continue
		}
		out[root] = ""
		entries, err := os.ReadDir(root)
		if err != nil {
			continue
		}
		for _, e := range entries {
			if e.IsDir() {
				dir := filepath.Join(root, e.Name())
				out[dir] = keys[dir]
			}
		}
	}
	return out
}

// logResult says what a sync did, in one line per collection that changed something.
func logResult(name string, only []string, res *syncer.Result, err error) {
	if res != nil {
		for _, cr := range res.Collections {
			n := cr.Created[0] + cr.Created[1] + cr.Updated[0] + cr.Updated[1] + cr.Deleted[0] + cr.Deleted[1]
			if n == 0 && cr.OK() {
				continue
			}
			slog.Info("collection synced", "pair", name, "collection", cr.Key,
				"created", cr.Created, "updated", cr.Updated, "deleted", cr.Deleted,
				"conflicts", len(cr.Conflicts), "errors", len(cr.ItemErrors))
		}
	}
	level := slog.LevelDebug
	if err != nil {
		level = slog.LevelWarn
	}
	slog.Log(context.Background(), level, "pair synced", "pair", name, "collections", only, "err", err)
}
