package main

import (
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/pimsync-go/libsync/cli"
	"github.com/pimsync-go/libsync/config"
	"github.com/pimsync-go/libsync/pair"
	"github.com/pimsync-go/libsync/plan"
	"github.com/pimsync-go/libsync/storage"
	"github.com/pimsync-go/libsync/syncer"
)

// syncCmd is "pimsync sync".
type syncCmd struct {
	DryRun bool     `short:"n" help:"Print what would be done and change nothing."`
	Pairs  []string `arg:"" optional:"" name:"pair" complete:"pairs" help:"Pairs, or PAIR/COLLECTION, to sync (default: all)."`
}

// summary is one line of sync's output: what happened to one collection.
type summary struct {
	Pair       string `json:"pair"`
	Collection string `json:"collection"`
	CreatedA   int    `json:"created_a"`
	CreatedB   int    `json:"created_b"`
	UpdatedA   int    `json:"updated_a"`
	UpdatedB   int    `json:"updated_b"`
	DeletedA   int    `json:"deleted_a"`
	DeletedB   int    `json:"deleted_b"`
	Conflicts  int    `json:"conflicts"`
	Errors     int    `json:"errors"`
	Skipped    string `json:"skipped"`
}

// planned is one line of a dry run's output: one thing sync would do.
type planned struct {
	Pair       string `json:"pair"`
	Collection string `json:"collection"`
	Op         string `json:"op"`
	Side       string `json:"side"`
	UID        string `json:"uid"`
	Href       string `json:"href"`
	Why        string `json:"why"`
}

// parallelPairs is how many pairs sync at once. Pairs have storages and status files
// of their own, so they only share the machine; a few at once hide each other's
// waiting on servers and disks.
const parallelPairs = 4

// synced is what became of one target pair.
type synced struct {
	name string
	res  *syncer.Result
	err  error // the pair could not be opened or synced at all
}

// Run syncs the target pairs, several at once; one pair failing does not stop the
// others. The output comes in configuration order whatever the order pairs finish in;
// a dry run goes pair by pair, since it prints as it plans.
func (c *syncCmd) Run(e *cli.Env, g *grammar) error {
	cfg, targets, err := g.targets(c.Pairs)
	if err != nil {
		return err
	}
	var out *cli.Printer
	if c.DryRun {
		out = cli.NewPrinter(e, "PAIR", "COLLECTION", "OP", "SIDE", "UID", "WHY")
	} else {
		out = cli.NewPrinter(e, "PAIR", "COLLECTION", "CREATED a/b", "UPDATED a/b", "DELETED a/b", "CONFLICTS", "ERRORS", "NOTE")
	}
	var bar *progress
	if !c.DryRun && cli.IsTerminal(e.Stderr) {
		bar = &progress{w: e.Stderr}
	}
	workers := parallelPairs
	if c.DryRun {
		workers = 1
	}
	results := make([]chan synced, len(targets))
	sem := make(chan struct{}, workers)
	for i, t := range targets {
		results[i] = make(chan synced, 1)
		go func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			results[i] <- c.syncPair(e, cfg, t, out, bar)
		}()
	}
	failed := false
	for _, ch := range results {
		r := <-ch
		if r.err != nil {
			slog.Error("pair not synced", "pair", r.name, "err", r.err)
			failed = true
			continue
		}
		if !r.res.OK() {
			failed = true
		}
		for _, cr := range r.res.Collections {
			report(r.name, cr, c.DryRun)
			if c.DryRun {
				continue
			}
			s := summarize(r.name, cr)
			out.Emit(s, s.Pair, s.Collection,
				pairOf(s.CreatedA, s.CreatedB), pairOf(s.UpdatedA, s.UpdatedB), pairOf(s.DeletedA, s.DeletedB),
				strconv.Itoa(s.Conflicts), strconv.Itoa(s.Errors), s.Skipped)
		}
	}
	if bar != nil {
		bar.finish()
	}
	return finish(out, failed)
}

// syncPair opens and syncs one target pair; a dry run prints its plan to out as it
// goes.
func (c *syncCmd) syncPair(e *cli.Env, cfg *config.Config, t target, out *cli.Printer, bar *progress) synced {
	start := time.Now()
	opt := pair.Options{DryRun: c.DryRun, Only: t.collections}
	pp, err := pair.Prepare(e.Ctx, cfg, t.pair.Name, opt)
	if err != nil {
		if !c.DryRun {
			pair.RecordFailure(e.Ctx, cfg, t.pair.Name, start, err, false)
		}
		return synced{name: t.pair.Name, err: err}
	}
	p, err := pp.Open(opt)
	if err != nil {
		return synced{name: t.pair.Name, err: err}
	}
	defer p.Close()
	if c.DryRun {
		p.OnAction = func(key string, a plan.Action, _ error) {
			if a.Op == plan.Save || a.Op == plan.Forget {
				return // status bookkeeping, nothing a user would see
			}
			r := planned{Pair: p.Name, Collection: key, Op: a.Op.String(), UID: a.Ident, Why: a.Why}
			if a.Op != plan.Conflict {
				r.Side = a.To.String()
				if cur := a.Cur[a.To]; cur != nil {
					r.Href = cur.Href
				}
			}
			out.Emit(r, r.Pair, r.Collection, r.Op, r.Side, r.UID, r.Why)
		}
		p.OnCollection = func(key, what string) {
			r := planned{Pair: p.Name, Collection: key, Op: "collection", Why: what}
			out.Emit(r, r.Pair, r.Collection, r.Op, "", "", r.Why)
		}
	}
	if bar != nil {
		p.OnPlan = func(key string, n int) { bar.plan(p.Name+"/"+key, n) }
		p.OnAction = func(string, plan.Action, error) { bar.step() }
	}
	res, err := p.Sync(e.Ctx)
	return synced{name: t.pair.Name, res: res, err: err}
}

func summarize(pairName string, cr *syncer.CollectionResult) summary {
	return summary{
		Pair: pairName, Collection: cr.Key,
		CreatedA: cr.Created[plan.A], CreatedB: cr.Created[plan.B],
		UpdatedA: cr.Updated[plan.A], UpdatedB: cr.Updated[plan.B],
		DeletedA: cr.Deleted[plan.A], DeletedB: cr.Deleted[plan.B],
		Conflicts: len(cr.Conflicts), Errors: len(cr.ItemErrors) + len(cr.Duplicates) + errCount(cr.Err),
		Skipped: cr.Skipped,
	}
}

func errCount(err error) int {
	if err != nil {
		return 1
	}
	return 0
}

func pairOf(a, b int) string { return fmt.Sprintf("%d/%d", a, b) }

// report logs what went wrong in a collection, naming every item involved.
func report(pairName string, cr *syncer.CollectionResult, dryRun bool) {
	log := slog.With("pair", pairName, "collection", cr.Key)
	if cr.Err != nil {
		log.Error("collection not synced", "err", cr.Err)
	}
	for _, err := range cr.ItemErrors {
		var what = "item not synced"
		if errors.Is(err, storage.ErrPrecondition) {
			what = "item changed while syncing; left for the next sync"
		}
		log.Error(what, "err", err)
	}
	for _, c := range cr.Conflicts {
		if !dryRun {
			log.Error("conflict: both versions kept; run pimsync resolve-conflicts or set conflict_resolution",
				"uid", c.Ident, "href_a", c.Href[plan.A], "href_b", c.Href[plan.B], "why", c.Why)
		}
	}
	for _, p := range cr.PropConflicts {
		log.Warn("property conflict left as it is", "property", p)
	}
}
