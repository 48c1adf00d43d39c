// Package daemon keeps pairs in sync continuously: each pair syncs once at the start,
// then whenever a watched vdir directory changes (after the burst of changes settles),
// and every interval to see what changed on servers. A pair that fails retries with
// a growing delay and never holds up the others; every run goes to the pair's status,
// where pimsync status shows it.
package daemon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/pimsync-go/libsync/config"
	"github.com/pimsync-go/libsync/syncer"
	"github.com/pimsync-go/libsync/watch"
)

// Options tune a daemon; the zero value is what pimsync daemon uses.
type Options struct {
	// Pairs are the pairs to run; none means all.
	Pairs []string
	// Debounce is how long local changes must have stopped before they are synced
	// (default 1 s): an editor's save, or a checkout of a thousand files, is one sync.
	Debounce time.Duration
	// MaxDelay bounds how long a stream of changes can put its sync off (default 10 s).
	MaxDelay time.Duration
	// MinBackoff and MaxBackoff bound the wait before a failed pair is tried again; it
	// doubles with each failure in a row (defaults 5 s and 15 min).
	MinBackoff, MaxBackoff time.Duration
	// Grace is how long Stop lets a sync finish what it started before breaking off
	// its requests (default 30 s).
	Grace time.Duration
	// OnSync, if set, is called after every sync of a pair, with its result.
	OnSync func(pair string, res *syncer.Result, err error)
}

func (o *Options) defaults() {
	set := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	set(&o.Debounce, time.Second)
	set(&o.MaxDelay, 10*time.Second)
	set(&o.MinBackoff, 5*time.Second)
	set(&o.MaxBackoff, 15*time.Minute)
	set(&o.Grace, 30*time.Second)
}

// Daemon runs pairs until Stop.
type Daemon struct {
	opt     Options
	cfg     *config.Config
	watcher *watch.Watcher
	stop    chan struct{}
	// hard is cancelled Grace after Stop, to break off requests still in flight.
	ctx      context.Context
	hard     context.CancelFunc
	stopOnce sync.Once
	wg       sync.WaitGroup

	mu      sync.Mutex
	watched map[string][]*target // watched directory → who to tell
	workers []*worker
}

// target is a worker and what a change in one directory means to it.
type target struct {
	w   *worker
	key string // the collection key; "" for a storage root: every collection
}

// Start prepares every pair (runs credential commands, opens storages, finds home
// sets), starts them syncing, and returns once each pair is ready or has failed its
// first attempt: the moment a service manager may be told the daemon is ready. Pairs
// that failed keep trying in the background.
func Start(ctx context.Context, cfg *config.Config, opt Options) (*Daemon, error) {
	opt.defaults()
	names := opt.Pairs
	if len(names) == 0 {
		for _, p := range cfg.Pairs {
			names = append(names, p.Name)
		}
	}
	for _, n := range names {
		if cfg.Pair(n) == nil {
			return nil, fmt.Errorf("no pair %s in %s", n, cfg.File)
		}
	}
	w, err := watch.New()
	if err != nil {
		return nil, err
	}
	hardCtx, hard := context.WithCancel(context.WithoutCancel(ctx))
	d := &Daemon{opt: opt, cfg: cfg, watcher: w, stop: make(chan struct{}), ctx: hardCtx, hard: hard,
		watched: map[string][]*target{}}
	go func() {
		select {
		case <-ctx.Done():
			d.Stop()
		case <-d.stop:
		}
	}()
	go d.route()
	ready := make(chan struct{}, len(names))
	for _, n := range names {
		wk := newWorker(d, n)
		d.workers = append(d.workers, wk)
		d.wg.Add(1)
		go func() {
			defer d.wg.Done()
			wk.run(ready)
		}()
	}
	for range names {
		select {
		case <-ready:
		case <-d.stop:
			return d, nil
		}
	}
	return d, nil
}

// Stop asks every pair to finish: no sync starts any more, and one under way finishes
// the actions it started (each committed to the status), or is broken off after Grace.
func (d *Daemon) Stop() {
	d.stopOnce.Do(func() {
		close(d.stop)
		go func() {
			t := time.NewTimer(d.opt.Grace)
			defer t.Stop()
			select {
			case <-t.C:
				slog.Warn("stopping: breaking off the syncs still running", "after", d.opt.Grace)
				d.hard()
			case <-d.ctx.Done():
			}
		}()
	})
}

// Wait waits until every pair has stopped, after Stop.
func (d *Daemon) Wait() {
	d.wg.Wait()
	d.watcher.Close()
	d.hard()
}

// stopping reports whether Stop was called.
func (d *Daemon) stopping() bool {
	select {
	case <-d.stop:
		return true
	default:
		return false
	}
}

// route hands each watcher event to the pairs that watch the directory.
func (d *Daemon) route() {
	for e := range d.watcher.Events {
		d.mu.Lock()
		if e.All {
			for _, w := range d.workers {
				w.changed("")
			}
		} else {
			for _, t := range d.watched[e.Dir] {
				t.w.changed(t.key)
			}
		}
		d.mu.Unlock()
	}
}

// watch makes the daemon tell w about changes in dirs (directory → collection key, ""
// for a whole storage), replacing what w watched before.
func (d *Daemon) watch(w *worker, dirs map[string]string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for dir, ts := range d.watched {
		kept := ts[:0]
		for _, t := range ts {
			if t.w != w {
				kept = append(kept, t)
			}
		}
		if len(kept) == 0 {
			delete(d.watched, dir)
			d.watcher.Remove(dir)
		} else {
			d.watched[dir] = kept
		}
	}
	for dir, key := range dirs {
		if err := d.watcher.Add(dir); err != nil {
			if !errors.Is(err, watch.ErrClosed) {
				slog.Warn("local changes are seen at the next poll only", "pair", w.name, "dir", dir, "err", err)
			}
			continue
		}
		d.watched[dir] = append(d.watched[dir], &target{w: w, key: key})
	}
}
