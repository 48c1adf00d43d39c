package main

import (
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/pimsync-go/libsync/cli"
	"github.com/pimsync-go/libsync/pair"
	"github.com/pimsync-go/libsync/repair"
	"github.com/pimsync-go/libsync/storage"
)

// repairCmd is "pimsync repair": new UIDs for the items of a storage that have none or
// share one, which a sync cannot tell apart and leaves alone.
type repairCmd struct {
	Storage     string   `arg:"" complete:"storages" help:"A storage of the configuration (vdir, caldav or carddav)."`
	Collections []string `arg:"" optional:"" name:"collection" help:"Only these collections (by id, as pimsync discover and vdirtool collections name them); default: all."`
	DryRun      bool     `short:"n" name:"dry-run" help:"Show what would be repaired; write nothing."`
}

// repaired is one line of repair's output: one item given a new UID.
type repaired struct {
	Storage    string `json:"storage"`
	Collection string `json:"collection"`
	Href       string `json:"href"`
	Problem    string `json:"problem"`
	OldUID     string `json:"old_uid"`
	UID        string `json:"uid"`
	Kept       string `json:"kept"`
	Etag       string `json:"etag"`
	Written    bool   `json:"written"`
	MovedTo    string `json:"moved_to"`
	Error      string `json:"error"`
}

// Run repairs every collection of the storage (or those named), one after the other; a
// collection or an item that fails is reported and the rest goes on.
func (c *repairCmd) Run(e *cli.Env, g *grammar) error {
	if len(g.Pairs) > 0 {
		// Silently repairing the whole storage would surprise who meant to narrow it.
		return &cli.UsageError{Err: fmt.Errorf("repair works on a storage, not a pair: -p %s does not apply (pimsync repair STORAGE [COLLECTION...])", g.Pairs[0])}
	}
	cfg, err := g.load()
	if err != nil {
		return err
	}
	cs := cfg.Storages[c.Storage]
	switch {
	case cs == nil:
		return &cli.UsageError{Err: fmt.Errorf("no storage %q in %s (storages: %s)", c.Storage, cfg.File, strings.Join(cfg.StorageOrder, ", "))}
	case cs.ReadOnly && !c.DryRun:
		return &cli.UsageError{Err: fmt.Errorf("storage %s is read_only: repair writes to it (--dry-run only shows what it would do)", cs.Name)}
	}
	st, err := pair.OpenStorage(e.Ctx, cfg, cs)
	if err != nil {
		return err
	}
	cols, err := st.Collections(e.Ctx)
	if err != nil {
		return fmt.Errorf("storage %s: %w", cs.Name, err)
	}
	if len(c.Collections) > 0 {
		var ids, missing []string
		var picked []storage.CollectionInfo
		for _, info := range cols {
			ids = append(ids, info.ID)
			if slices.Contains(c.Collections, info.ID) {
				picked = append(picked, info)
			}
		}
		for _, id := range c.Collections {
			if !slices.Contains(ids, id) {
				missing = append(missing, id)
			}
		}
		if len(missing) > 0 {
			return fmt.Errorf("storage %s has no collection %s (it has: %s)", cs.Name, strings.Join(missing, ", "), strings.Join(ids, ", "))
		}
		cols = picked
	}
	out := cli.NewPrinter(e, "COLLECTION", "PROBLEM", "OLD UID", "NEW UID", "HREF", "ERROR")
	failed := false
	for _, info := range cols {
		col, err := st.Collection(e.Ctx, info.Href)
		if err == nil {
			var rep repair.Report
			rep, err = repair.Collection(e.Ctx, col, repair.Options{DryRun: c.DryRun, Batch: cs.MultigetSize})
			for _, s := range rep.Skipped {
				slog.Warn("not repaired", "storage", cs.Name, "collection", info.ID, "href", s.Href, "reason", s.Reason)
			}
			for _, r := range rep.Results {
				line := repaired{Storage: cs.Name, Collection: info.ID, Href: r.Href, Problem: r.Problem, OldUID: r.OldUID,
					UID: r.UID, Kept: r.Kept, Etag: r.NewEtag, Written: r.Written, MovedTo: r.MovedTo}
				if r.Err != nil {
					// The error names the href and the etag the item was read at.
					line.Error = r.Err.Error()
					slog.Error("not repaired", "storage", cs.Name, "collection", info.ID, "err", r.Err)
					failed = true
				}
				if err := out.Emit(line, line.Collection, line.Problem, line.OldUID, line.UID, line.Href, line.Error); err != nil {
					return err
				}
			}
		}
		if err != nil {
			slog.Error("collection not repaired", "storage", cs.Name, "collection", info.ID, "err", err)
			failed = true
		}
	}
	return finish(out, failed)
}
