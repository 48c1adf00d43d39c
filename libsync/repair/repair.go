// Package repair gives new UIDs to the items of a collection that have none, or that
// share their UID with other items: the two problems that keep a sync from telling
// items apart. It works over storage.Collection, so the same code repairs a DAV
// collection (davcli repair, pimsync repair of a CalDAV or CardDAV storage) and a vdir.
//
// Only the UID lines of an item change (item.SetUID); every other byte stays. Every
// write is conditional on the etag the item was read at, so an item edited meanwhile is
// reported, never overwritten.
package repair

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/pimsync-go/libsync/storage"
	vdir "github.com/pimsync-go/libvdir"
)

// Problems a fix repairs, named as vdirtool check names them.
const (
	NoUID        = vdir.ProblemNoUID
	DuplicateUID = vdir.ProblemDuplicateUID
)

// DefaultBatch is how many items one Get asks for: a DAV multiget of this many items
// stays well within what servers answer at once.
const DefaultBatch = 100

// Fix is one item to give a new UID.
type Fix struct {
	Href string
	// Etag is the etag the item was read at; the write is conditional on it.
	Etag    string
	Problem string // NoUID or DuplicateUID
	OldUID  string // "" for NoUID
	UID     string // the new UID
	// Kept is, for DuplicateUID, the href of the item that keeps OldUID.
	Kept string
	// Data is the item with the new UID: its bytes with only the UID lines changed.
	Data []byte
}

// Skip is an item a repair could not consider, and why.
type Skip struct {
	Href   string
	Reason string
}

// NewUID returns a random version 4 UUID, the kind of UID calendar and contact programs
// make themselves.
func NewUID() string { return vdir.NewUID() }

// Plan decides which items get a new UID, by the rule of vdir.UIDPlanner: every item
// without a UID, and every item of a group that shares a UID but the first, by href.
// newUID makes the UIDs (NewUID when nil). Items that failed to be read, or hold no
// VEVENT, VTODO, VJOURNAL or VCARD, are skipped. Fixes come in href order.
//
// The first item by href keeps the shared UID because that choice is the same on every
// run: a dry run shows exactly what a run will do, and a run that failed halfway (an
// item edited meanwhile) keeps the same item the next time rather than renaming the one
// it kept before. Which copy is "right" cannot be told from the items themselves.
func Plan(items []storage.Item, newUID func() string) ([]Fix, []Skip) {
	sorted := append([]storage.Item(nil), items...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Href < sorted[j].Href })

	var fixes []Fix
	var skips []Skip
	planner := vdir.UIDPlanner{NewUID: newUID}
	for _, it := range sorted {
		if it.Err != nil {
			skips = append(skips, Skip{Href: it.Href, Reason: it.Err.Error()})
			continue
		}
		f, ok, err := planner.Plan(it.Href, it.Data)
		if err != nil {
			skips = append(skips, Skip{Href: it.Href, Reason: err.Error()})
			continue
		}
		if ok {
			fixes = append(fixes, Fix{Href: it.Href, Etag: it.Etag, Problem: f.Problem, OldUID: f.OldUID,
				UID: f.UID, Kept: f.Kept, Data: f.Data})
		}
	}
	return fixes, skips
}

// Result is a fix and how its write went.
type Result struct {
	Fix
	// Written is set once the storage took the new bytes.
	Written bool
	// NewEtag is the item's etag after the write; "" when not written.
	NewEtag string
	// MovedTo is, when the storage refused to change the UID in place and the item was
	// stored anew instead, its new href; "" otherwise.
	MovedTo string
	// Err is why the write failed: errors.Is(Err, storage.ErrPrecondition) when the
	// item changed after it was read.
	Err error
}

// Apply writes each fix with c.Update, conditional on the etag the item was read at.
// A write that fails is in its Result's Err, and the others go on.
//
// Some servers refuse to change the UID of an item in place (Radicale answers 409).
// The item then moves, as vdirsyncer's repair moves every item: it is created anew
// with its new UID, and the old one is deleted, conditional on the etag it was read
// at. The copy comes first, so a failure between the two leaves two items, never none.
func Apply(ctx context.Context, c storage.Collection, fixes []Fix) []Result {
	out := make([]Result, len(fixes))
	for i, f := range fixes {
		out[i].Fix = f
		if err := ctx.Err(); err != nil {
			out[i].Err = err
			continue
		}
		etag, err := c.Update(ctx, f.Href, f.Etag, f.Data)
		if errors.Is(err, storage.ErrConflict) {
			out[i] = move(ctx, c, f, err)
			continue
		}
		if err != nil {
			out[i].Err = fmt.Errorf("update %s at etag %s: %w", f.Href, f.Etag, err)
			continue
		}
		out[i].Written, out[i].NewEtag = true, etag
	}
	return out
}

// move stores f's item anew and deletes the old one, after the storage refused
// (refused) to update it in place.
func move(ctx context.Context, c storage.Collection, f Fix, refused error) Result {
	r := Result{Fix: f}
	href, etag, err := c.Create(ctx, f.UID, f.Data)
	if err != nil {
		r.Err = fmt.Errorf("update %s at etag %s: %v; storing it anew failed too: %w", f.Href, f.Etag, refused, err)
		return r
	}
	r.Written, r.NewEtag, r.MovedTo = true, etag, href
	if err := c.Delete(ctx, f.Href, f.Etag); err != nil {
		r.Err = fmt.Errorf("%s is stored anew as %s with its new UID, but deleting the old copy at etag %s failed, so both are there: %w",
			f.Href, href, f.Etag, err)
	}
	return r
}

// Options tune Collection.
type Options struct {
	// DryRun plans and writes nothing.
	DryRun bool
	// NewUID makes new UIDs; nil means NewUID.
	NewUID func() string
	// Batch is how many items one Get fetches; 0 means DefaultBatch.
	Batch int
	// Only, when set, limits the writes to the items it accepts; the plan still sees
	// every item, so that a duplicate is found whichever copies Only accepts.
	Only func(href string) bool
}

// Report is what Collection did.
type Report struct {
	Results []Result // one per fix, in href order
	Skipped []Skip   // items not considered: unreadable, or not an item
}

// Failed counts the results whose write failed.
func (r Report) Failed() int {
	n := 0
	for _, res := range r.Results {
		if res.Err != nil {
			n++
		}
	}
	return n
}

// Collection repairs c: it lists and reads every item, plans (Plan) and, unless
// opt.DryRun, writes the fixes (Apply). The error is for failures of the whole
// collection (it cannot be listed or read); one item's failure is in its Result.
func Collection(ctx context.Context, c storage.Collection, opt Options) (Report, error) {
	items, skips, err := Fetch(ctx, c, opt.Batch)
	if err != nil {
		return Report{}, err
	}
	fixes, more := Plan(items, opt.NewUID)
	rep := Report{Skipped: append(skips, more...)}
	if opt.Only != nil {
		kept := fixes[:0]
		for _, f := range fixes {
			if opt.Only(f.Href) {
				kept = append(kept, f)
			}
		}
		fixes = kept
	}
	if opt.DryRun {
		for _, f := range fixes {
			rep.Results = append(rep.Results, Result{Fix: f})
		}
		return rep, nil
	}
	rep.Results = Apply(ctx, c, fixes)
	return rep, nil
}

// Fetch lists c and reads every item, batch at a time (DefaultBatch when 0). An item
// read without an etag gets the one it was listed with. Items the listing found but
// will not read come back as skips.
func Fetch(ctx context.Context, c storage.Collection, batch int) ([]storage.Item, []Skip, error) {
	if batch <= 0 {
		batch = DefaultBatch
	}
	l, err := c.List(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("list: %w", err)
	}
	var skips []Skip
	for _, u := range l.Unreadable {
		skips = append(skips, Skip{Href: u.Href, Reason: u.Reason})
	}
	listed := make(map[string]string, len(l.Items))
	hrefs := make([]string, len(l.Items))
	for i, e := range l.Items {
		listed[e.Href] = e.Etag
		hrefs[i] = e.Href
	}
	var items []storage.Item
	for len(hrefs) > 0 {
		n := min(batch, len(hrefs))
		got, err := c.Get(ctx, hrefs[:n])
		if err != nil {
			return nil, nil, fmt.Errorf("read items: %w", err)
		}
		for _, it := range got {
			if it.Err == nil && it.Etag == "" {
				it.Etag = listed[it.Href]
			}
			if it.Err != nil && errors.Is(it.Err, storage.ErrNotFound) {
				continue // deleted since the listing: nothing to repair
			}
			items = append(items, it)
		}
		hrefs = hrefs[n:]
	}
	return items, skips, nil
}
