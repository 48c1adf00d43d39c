// Package plan decides what a sync does. It is pure: it gets what each side has now and
// what the status recorded after the last sync, and returns actions; it does no I/O, so
// every rule of the three-way sync is tested here on plain values.
//
// The rules are vdirsyncer's and pimsync's, with their known holes closed:
//   - both sides unchanged since the last sync but different from each other is a
//     conflict, not silent divergence (vdirsyncer #1155);
//   - edited on one side and deleted on the other: the edit wins;
//   - an item that moved to another href with the same content is only recorded;
//   - an etag that changed without a content change is only recorded;
//   - several items with one UID on a side are reported and left alone, and the rest of
//     the collection still syncs.
package plan

import (
	"fmt"
	"slices"
	"sort"
)

// Side is one of a pair's two storages.
type Side int

// The two sides of a pair.
const (
	A Side = iota
	B
)

// Other returns the opposite side.
func (s Side) Other() Side { return 1 - s }

func (s Side) String() string {
	if s == A {
		return "a"
	}
	return "b"
}

// Item is an item on one side as the sync knows it: where it is, its etag, and the hash
// of its content (libvdir/item.Hash).
type Item struct {
	Href string
	Etag string
	Hash string
}

// Record is what the status holds of an item after the last sync: the item on each side.
// A side with an empty Href was not recorded.
type Record struct {
	Ident string
	Side  [2]Item
}

// Resolution says what to do with a conflict.
type Resolution int

// Conflict resolutions.
const (
	Report Resolution = iota // leave both versions, report the conflict
	KeepA                    // A's version wins
	KeepB                    // B's version wins
)

// Options are the pair's settings that change decisions.
type Options struct {
	Resolve Resolution
	// SyncEmpty syncs a collection that became empty on one side, deleting the other
	// side's items (on_empty sync). By default such a collection is skipped.
	SyncEmpty bool
	// ReadOnly sides are never written.
	ReadOnly [2]bool
	// OneWay makes B a mirror of A: B's changes are undone.
	OneWay bool
}

// Input is one collection's state.
type Input struct {
	// Items are the items each side has now, by ident (UID, or content hash for items
	// without one). More than one item under an ident is a duplicate.
	Items [2]map[string][]Item
	// Status is the last sync's record, by ident.
	Status map[string]Record
	// Unreadable are hrefs a side listed but could not read. An item the status knows
	// at such an href is left alone: it is not gone, only unreadable now.
	Unreadable [2][]string
	Options
}

// Op is what an action does.
type Op int

// Operations, in the order a plan lists them.
const (
	Save     Op = iota // record both sides in the status; nothing is written
	Forget             // drop the status record: the item is gone from both sides
	Create             // copy the item from the other side as a new item on To
	Update             // replace To's item with the other side's
	Delete             // delete To's item
	Conflict           // both versions differ and no resolution applies: reported
	Skip               // a write that is not done (a read-only side): reported
)

var opNames = [...]string{"record", "forget", "create", "update", "delete", "conflict", "skip"}

func (o Op) String() string { return opNames[o] }

// Action is one decision about one item.
type Action struct {
	Op    Op
	Ident string
	// To is the side written by Create, Update and Delete, and the side not written by
	// Skip. The data comes from To.Other().
	To Side
	// Cur are the items as they are now (nil where a side has none).
	Cur [2]*Item
	// Old is the status record, nil when there is none.
	Old *Record
	// Why explains the decision for messages.
	Why string
}

// Source returns the item whose content a Create or Update copies.
func (a Action) Source() *Item { return a.Cur[a.To.Other()] }

// Duplicate is an ident that more than one item has on one side.
type Duplicate struct {
	Side  Side
	Ident string
	Hrefs []string
}

// Plan is the outcome for one collection.
type Plan struct {
	Actions    []Action
	Duplicates []Duplicate
	// Skipped is set when the whole collection is left alone, and says why.
	Skipped string
}

// Items plans one collection's items.
func Items(in Input) Plan {
	var p Plan
	unreadable := [2]map[string]bool{set(in.Unreadable[A]), set(in.Unreadable[B])}
	idents := idents(in)
	// Items sharing a UID are left alone, and so is what the status knows at their
	// hrefs: two items given the same UID are still there, under their old idents.
	dups := map[string]bool{}
	for _, ident := range idents {
		for s := A; s <= B; s++ {
			if items := in.Items[s][ident]; len(items) > 1 {
				d := Duplicate{Side: s, Ident: ident}
				for _, it := range items {
					d.Hrefs = append(d.Hrefs, it.Href)
					unreadable[s][it.Href] = true
				}
				sort.Strings(d.Hrefs)
				p.Duplicates = append(p.Duplicates, d)
				dups[ident] = true
			}
		}
	}
	for _, ident := range idents {
		if dups[ident] {
			continue
		}
		// Decided on copies on the stack: most idents need no action, and only an
		// action keeps copies of its own.
		var curv [2]Item
		var cur [2]*Item
		for s := A; s <= B; s++ {
			if items := in.Items[s][ident]; len(items) == 1 {
				curv[s] = items[0]
				cur[s] = &curv[s]
			}
		}
		var oldv Record
		var old *Record
		if r, ok := in.Status[ident]; ok {
			oldv = r
			old = &oldv
			if unreadable[A][r.Side[A].Href] || unreadable[B][r.Side[B].Href] {
				continue
			}
		}
		a, ok := decide(ident, cur, old, in.Options)
		if !ok {
			continue
		}
		a.Ident, a.Cur, a.Old = ident, [2]*Item{clone(cur[A]), clone(cur[B])}, clone(old)
		p.Actions = append(p.Actions, readOnly(a, in.ReadOnly))
	}
	if why := emptySide(in, p.Actions); why != "" {
		return Plan{Skipped: why, Duplicates: p.Duplicates}
	}
	return p
}

// clone returns a copy of *v on the heap, or nil for nil.
func clone[T any](v *T) *T {
	if v == nil {
		return nil
	}
	c := *v
	return &c
}

// decide applies the decision table to one ident.
func decide(ident string, cur [2]*Item, old *Record, o Options) (Action, bool) {
	a, b := cur[A], cur[B]
	switch {
	case a == nil && b == nil:
		return Action{Op: Forget, Why: "gone from both sides"}, old != nil
	case a == nil || b == nil:
		have := A
		if a == nil {
			have = B
		}
		return onlyOn(have, cur[have], old, o), true
	case a.Hash == b.Hash:
		if old != nil && old.Side[A] == *a && old.Side[B] == *b {
			return Action{}, false
		}
		return Action{Op: Save, Why: "same content on both sides"}, true
	case o.OneWay:
		return Action{Op: Update, To: B, Why: "b differs from a, which it mirrors"}, true
	case old == nil:
		return conflict("different content on both sides and no earlier sync", o), true
	}
	chA, chB := changed(A, a, old), changed(B, b, old)
	switch {
	case chA && !chB:
		return Action{Op: Update, To: B, Why: "changed on a"}, true
	case chB && !chA:
		return Action{Op: Update, To: A, Why: "changed on b"}, true
	case chA && chB:
		return conflict("changed on both sides", o), true
	default:
		return conflict("unchanged since the last sync on either side, yet different", o), true
	}
}

// onlyOn decides for an item that side have has and the other side lacks.
func onlyOn(have Side, it *Item, old *Record, o Options) Action {
	other := have.Other()
	switch {
	case o.OneWay && have == A:
		if old == nil {
			return Action{Op: Create, To: B, Why: "new on a"}
		}
		return Action{Op: Create, To: B, Why: "missing on b, which mirrors a"}
	case o.OneWay:
		return Action{Op: Delete, To: B, Why: "not on a, which b mirrors"}
	case old == nil || old.Side[other].Href == "":
		return Action{Op: Create, To: other, Why: "new on " + have.String()}
	case changed(have, it, old):
		return Action{Op: Create, To: other, Why: fmt.Sprintf("changed on %s and deleted on %s: the change wins", have, other)}
	default:
		return Action{Op: Delete, To: have, Why: "deleted on " + other.String()}
	}
}

// changed reports whether side s's item differs from what the status recorded there.
func changed(s Side, it *Item, old *Record) bool {
	return old == nil || old.Side[s].Href == "" || old.Side[s].Hash != it.Hash
}

func conflict(why string, o Options) Action {
	switch o.Resolve {
	case KeepA:
		return Action{Op: Update, To: B, Why: "conflict (" + why + "): keep a"}
	case KeepB:
		return Action{Op: Update, To: A, Why: "conflict (" + why + "): keep b"}
	}
	return Action{Op: Conflict, Why: why}
}

// readOnly turns a write to a read-only side into a Skip, which leaves the status as it
// was: the next sync sees the same difference and decides again.
func readOnly(a Action, ro [2]bool) Action {
	switch a.Op {
	case Create, Update, Delete:
		if ro[a.To] {
			a.Why = fmt.Sprintf("%s; %s is read-only", a.Why, a.To)
			a.Op = Skip
		}
	}
	return a
}

// emptySide says why the collection must be skipped because one side lists nothing
// and the plan would delete on the other side, or returns "". A side that suddenly lists
// nothing is far more often a mount that failed, a wrong path or a server that answered
// wrongly than a user who deleted everything; when nothing would be deleted (the other
// side is read-only, or only creates are planned) there is nothing to protect.
func emptySide(in Input, actions []Action) string {
	if in.SyncEmpty {
		return ""
	}
	for s := A; s <= B; s++ {
		if len(in.Items[s]) > 0 || len(in.Unreadable[s]) > 0 {
			continue
		}
		other := s.Other()
		for _, a := range actions {
			if a.Op == Delete && a.To == other {
				return fmt.Sprintf("side %s is empty, and syncing would delete every item on %s; not doing that (set on_empty sync to allow it)", s, other)
			}
		}
	}
	return ""
}

func idents(in Input) []string {
	// Usually both sides hold what the status knows: its idents, and the few new ones.
	out := make([]string, 0, max(len(in.Items[A]), len(in.Items[B]), len(in.Status)))
	for id := range in.Status {
		out = append(out, id)
	}
	var added map[string]bool // new idents on a, for b's not to repeat them
	for s := A; s <= B; s++ {
		for id := range in.Items[s] {
			if _, ok := in.Status[id]; ok || added[id] {
				continue
			}
			if s == A {
				if added == nil {
					added = map[string]bool{}
				}
				added[id] = true
			}
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

func set(list []string) map[string]bool {
	m := make(map[string]bool, len(list))
	for _, s := range list {
		m[s] = true
	}
	return m
}
