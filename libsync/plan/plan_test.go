package plan

import (
	"reflect"
	"strings"
	"testing"
)

func item(href, etag, hash string) *Item { return &Item{Href: href, Etag: etag, Hash: hash} }

// synced is the status record of an item that was "h0" at 1.ics on both sides.
var synced = &Record{Ident: "x", Side: [2]Item{{Href: "1.ics", Etag: "ea", Hash: "h0"}, {Href: "1.ics", Etag: "eb", Hash: "h0"}}}

// TestItemsDecisions walks the decision table of package plan's doc comment and
// docs/vdirsyncer-reference.md §2, one ident at a time.
func TestItemsDecisions(t *testing.T) {
	unchangedA := item("1.ics", "ea", "h0")
	unchangedB := item("1.ics", "eb", "h0")
	tests := []struct {
		name string
		cur  [2]*Item
		old  *Record
		opts Options
		op   Op // ignored when none
		to   Side
		none bool   // no action at all
		why  string // part of the action's Why
	}{
		// Both sides have it.
		{name: "equal, no status", cur: [2]*Item{item("a.ics", "1", "h"), item("b.ics", "2", "h")}, op: Save, why: "same content"},
		{name: "differ, no status", cur: [2]*Item{item("1.ics", "1", "ha"), item("1.ics", "2", "hb")}, op: Conflict, why: "no earlier sync"},
		{name: "differ, no status, keep a", cur: [2]*Item{item("1.ics", "1", "ha"), item("1.ics", "2", "hb")}, opts: Options{Resolve: KeepA}, op: Update, to: B, why: "keep a"},
		{name: "differ, no status, keep b", cur: [2]*Item{item("1.ics", "1", "ha"), item("1.ics", "2", "hb")}, opts: Options{Resolve: KeepB}, op: Update, to: A, why: "keep b"},
		{name: "unchanged", cur: [2]*Item{unchangedA, unchangedB}, old: synced, none: true},
		{name: "changed on a", cur: [2]*Item{item("1.ics", "ea2", "h1"), unchangedB}, old: synced, op: Update, to: B, why: "changed on a"},
		{name: "changed on b", cur: [2]*Item{unchangedA, item("1.ics", "eb2", "h1")}, old: synced, op: Update, to: A, why: "changed on b"},
		{name: "changed on both", cur: [2]*Item{item("1.ics", "ea2", "h1"), item("1.ics", "eb2", "h2")}, old: synced, op: Conflict, why: "changed on both sides"},
		{name: "changed on both, keep a", cur: [2]*Item{item("1.ics", "ea2", "h1"), item("1.ics", "eb2", "h2")}, old: synced, opts: Options{Resolve: KeepA}, op: Update, to: B},
		{name: "changed on both, keep b", cur: [2]*Item{item("1.ics", "ea2", "h1"), item("1.ics", "eb2", "h2")}, old: synced, opts: Options{Resolve: KeepB}, op: Update, to: A},
		{name: "changed on both alike", cur: [2]*Item{item("1.ics", "ea2", "h1"), item("1.ics", "eb2", "h1")}, old: synced, op: Save},
		{name: "unknown resolution reports", cur: [2]*Item{item("1.ics", "ea2", "h1"), item("1.ics", "eb2", "h2")}, old: synced, opts: Options{Resolve: Resolution(9)}, op: Conflict},
		// vdirsyncer #1155: neither changed since the status, yet different.
		{name: "unchanged but different", cur: [2]*Item{item("1.ics", "ea", "ha"), item("1.ics", "eb", "hb")},
			old: &Record{Ident: "x", Side: [2]Item{{Href: "1.ics", Etag: "ea", Hash: "ha"}, {Href: "1.ics", Etag: "eb", Hash: "hb"}}},
			op:  Conflict, why: "unchanged since the last sync on either side, yet different"},
		{name: "unchanged but different, keep b", cur: [2]*Item{item("1.ics", "ea", "ha"), item("1.ics", "eb", "hb")},
			old:  &Record{Ident: "x", Side: [2]Item{{Href: "1.ics", Etag: "ea", Hash: "ha"}, {Href: "1.ics", Etag: "eb", Hash: "hb"}}},
			opts: Options{Resolve: KeepB}, op: Update, to: A},
		// An etag without a content change, and a move, are only recorded.
		{name: "new etag, same content", cur: [2]*Item{item("1.ics", "ea2", "h0"), unchangedB}, old: synced, op: Save},
		{name: "moved on b", cur: [2]*Item{unchangedA, item("moved.ics", "eb", "h0")}, old: synced, op: Save},
		{name: "new etag on a, changed on b", cur: [2]*Item{item("1.ics", "ea2", "h0"), item("1.ics", "eb2", "h1")}, old: synced, op: Update, to: A},

		// One side has it.
		{name: "new on a", cur: [2]*Item{item("1.ics", "1", "h"), nil}, op: Create, to: B, why: "new on a"},
		{name: "new on b", cur: [2]*Item{nil, item("1.ics", "1", "h")}, op: Create, to: A, why: "new on b"},
		{name: "deleted on b", cur: [2]*Item{unchangedA, nil}, old: synced, op: Delete, to: A, why: "deleted on b"},
		{name: "deleted on a", cur: [2]*Item{nil, unchangedB}, old: synced, op: Delete, to: B, why: "deleted on a"},
		{name: "deleted on b, new etag on a", cur: [2]*Item{item("1.ics", "ea2", "h0"), nil}, old: synced, op: Delete, to: A},
		{name: "deleted on b, moved on a", cur: [2]*Item{item("2.ics", "ea", "h0"), nil}, old: synced, op: Delete, to: A},
		{name: "edited on a, deleted on b", cur: [2]*Item{item("1.ics", "ea2", "h1"), nil}, old: synced, op: Create, to: B, why: "the change wins"},
		{name: "edited on b, deleted on a", cur: [2]*Item{nil, item("1.ics", "eb2", "h1")}, old: synced, op: Create, to: A, why: "the change wins"},
		{name: "recorded on a only", cur: [2]*Item{unchangedA, nil},
			old: &Record{Ident: "x", Side: [2]Item{{Href: "1.ics", Etag: "ea", Hash: "h0"}}}, op: Create, to: B, why: "new on a"},

		// Neither has it.
		{name: "gone from both", old: synced, op: Forget},

		// Read-only sides are never written: the write is a Skip.
		{name: "read-only b, changed on a", cur: [2]*Item{item("1.ics", "ea2", "h1"), unchangedB}, old: synced, opts: Options{ReadOnly: [2]bool{false, true}}, op: Skip, to: B, why: "b is read-only"},
		{name: "read-only b, new on a", cur: [2]*Item{item("1.ics", "1", "h"), nil}, opts: Options{ReadOnly: [2]bool{false, true}}, op: Skip, to: B},
		{name: "read-only a, deleted on b", cur: [2]*Item{unchangedA, nil}, old: synced, opts: Options{ReadOnly: [2]bool{true, false}}, op: Skip, to: A, why: "deleted on b; a is read-only"},
		{name: "read-only b, keep a", cur: [2]*Item{item("1.ics", "ea2", "h1"), item("1.ics", "eb2", "h2")}, old: synced, opts: Options{Resolve: KeepA, ReadOnly: [2]bool{false, true}}, op: Skip, to: B},
		{name: "read-only b, conflict", cur: [2]*Item{item("1.ics", "ea2", "h1"), item("1.ics", "eb2", "h2")}, old: synced, opts: Options{ReadOnly: [2]bool{false, true}}, op: Conflict},
		{name: "read-only a, changed on a", cur: [2]*Item{item("1.ics", "ea2", "h1"), unchangedB}, old: synced, opts: Options{ReadOnly: [2]bool{true, false}}, op: Update, to: B},
		{name: "read-only, new etag", cur: [2]*Item{item("1.ics", "ea2", "h0"), unchangedB}, old: synced, opts: Options{ReadOnly: [2]bool{true, true}}, op: Save},

		// One way: b mirrors a.
		{name: "one way, new on a", cur: [2]*Item{item("1.ics", "1", "h"), nil}, opts: Options{OneWay: true}, op: Create, to: B},
		{name: "one way, deleted on b", cur: [2]*Item{unchangedA, nil}, old: synced, opts: Options{OneWay: true}, op: Create, to: B, why: "mirrors a"},
		{name: "one way, new on b", cur: [2]*Item{nil, item("1.ics", "1", "h")}, opts: Options{OneWay: true}, op: Delete, to: B},
		{name: "one way, deleted on a, edited on b", cur: [2]*Item{nil, item("1.ics", "eb2", "h1")}, old: synced, opts: Options{OneWay: true}, op: Delete, to: B},
		{name: "one way, changed on b", cur: [2]*Item{unchangedA, item("1.ics", "eb2", "h1")}, old: synced, opts: Options{OneWay: true}, op: Update, to: B},
		{name: "one way, differ without status", cur: [2]*Item{item("1.ics", "1", "ha"), item("1.ics", "2", "hb")}, opts: Options{OneWay: true, Resolve: KeepB}, op: Update, to: B},
		{name: "one way, changed on both", cur: [2]*Item{item("1.ics", "ea2", "h1"), item("1.ics", "eb2", "h2")}, old: synced, opts: Options{OneWay: true}, op: Update, to: B},
		{name: "one way, equal", cur: [2]*Item{item("a.ics", "1", "h"), item("b.ics", "2", "h")}, opts: Options{OneWay: true}, op: Save},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// on_empty sync: one ident alone would otherwise often leave a side empty,
			// which TestItemsEmptySide covers.
			tt.opts.SyncEmpty = true
			in := Input{Items: [2]map[string][]Item{{}, {}}, Status: map[string]Record{}, Options: tt.opts}
			for s := A; s <= B; s++ {
				if tt.cur[s] != nil {
					in.Items[s]["x"] = []Item{*tt.cur[s]}
				}
			}
			if tt.old != nil {
				in.Status["x"] = *tt.old
			}
			p := Items(in)
			if p.Skipped != "" || len(p.Duplicates) > 0 {
				t.Fatalf("plan %+v", p)
			}
			if tt.none {
				if len(p.Actions) > 0 {
					t.Fatalf("actions %+v, want none", p.Actions)
				}
				return
			}
			if len(p.Actions) != 1 {
				t.Fatalf("actions %+v, want one", p.Actions)
			}
			a := p.Actions[0]
			if a.Op != tt.op || a.Ident != "x" || !strings.Contains(a.Why, tt.why) {
				t.Errorf("got %s (%s), want %s (%s)", a.Op, a.Why, tt.op, tt.why)
			}
			switch a.Op {
			case Create, Update, Delete, Skip:
				if a.To != tt.to {
					t.Errorf("%s to %s, want to %s", a.Op, a.To, tt.to)
				}
			}
			if !reflect.DeepEqual(a.Cur, tt.cur) || !reflect.DeepEqual(a.Old, tt.old) {
				t.Errorf("action carries %v / %v, want %v / %v", a.Cur, a.Old, tt.cur, tt.old)
			}
			if (a.Op == Create || a.Op == Update) && !reflect.DeepEqual(a.Source(), tt.cur[a.To.Other()]) {
				t.Errorf("source %v, want the item on %s", a.Source(), a.To.Other())
			}
		})
	}
}

func TestItemsDuplicates(t *testing.T) {
	in := Input{
		Items: [2]map[string][]Item{
			{"dup": {{Href: "z.ics", Hash: "h1"}, {Href: "a.ics", Hash: "h2"}}, "ok": {{Href: "ok.ics", Hash: "h"}}, "both": {{Href: "1.ics"}, {Href: "2.ics"}}},
			{"dup": {{Href: "dup.ics", Hash: "h1"}}, "both": {{Href: "3.ics"}, {Href: "4.ics"}}},
		},
		Status: map[string]Record{"dup": {Ident: "dup", Side: [2]Item{{Href: "a.ics", Hash: "h2"}, {Href: "dup.ics", Hash: "h1"}}}},
	}
	p := Items(in)
	want := []Duplicate{
		{Side: A, Ident: "both", Hrefs: []string{"1.ics", "2.ics"}},
		{Side: B, Ident: "both", Hrefs: []string{"3.ics", "4.ics"}},
		{Side: A, Ident: "dup", Hrefs: []string{"a.ics", "z.ics"}},
	}
	if !reflect.DeepEqual(p.Duplicates, want) {
		t.Errorf("duplicates %+v, want %+v", p.Duplicates, want)
	}
	if len(p.Actions) != 1 || p.Actions[0].Ident != "ok" || p.Actions[0].Op != Create {
		t.Errorf("actions %+v, want only ok created", p.Actions)
	}
}

func TestItemsUnreadable(t *testing.T) {
	// An item the status knows at an href a side could not read is left alone, on
	// either side; one at another href is not protected.
	rec := func(id string) Record {
		return Record{Ident: id, Side: [2]Item{{Href: id + ".ics", Hash: "h"}, {Href: id + ".ics", Hash: "h"}}}
	}
	in := Input{
		Items: [2]map[string][]Item{
			{"2": {{Href: "2.ics", Hash: "h"}}, "3": {{Href: "3.ics", Hash: "h"}}},
			{"1": {{Href: "1.ics", Hash: "h"}}, "3": {{Href: "3.ics", Hash: "h"}}},
		},
		Status:     map[string]Record{"1": rec("1"), "2": rec("2"), "3": rec("3")},
		Unreadable: [2][]string{{"1.ics", "other.ics"}, {"2.ics"}},
	}
	p := Items(in)
	if len(p.Actions) != 0 {
		t.Errorf("actions %+v, want none", p.Actions)
	}
	in.Unreadable = [2][]string{{"other.ics"}, nil}
	p = Items(in)
	var ops []string
	for _, a := range p.Actions {
		ops = append(ops, a.Op.String()+" "+a.Ident+" on "+a.To.String())
	}
	if want := []string{"delete 1 on b", "delete 2 on a"}; !reflect.DeepEqual(ops, want) {
		t.Errorf("actions %v, want %v", ops, want)
	}
}

func TestItemsEmptySide(t *testing.T) {
	known := map[string]Record{"1": {Ident: "1", Side: [2]Item{{Href: "1.ics", Hash: "h"}, {Href: "1.ics", Hash: "h"}}}}
	one := map[string][]Item{"1": {{Href: "1.ics", Hash: "h"}}}
	tests := []struct {
		name    string
		items   [2]map[string][]Item
		status  map[string]Record
		unread  [2][]string
		opts    Options
		skipped string // part of Skipped; "" when the collection is synced
		ops     []string
	}{
		{name: "a empty", items: [2]map[string][]Item{{}, one}, status: known, skipped: "side a is empty, and syncing would delete every item on b"},
		{name: "b empty", items: [2]map[string][]Item{one, {}}, status: known, skipped: "side b is empty"},
		{name: "a empty, on_empty sync", items: [2]map[string][]Item{{}, one}, status: known, opts: Options{SyncEmpty: true}, ops: []string{"delete 1 on b"}},
		{name: "first sync", items: [2]map[string][]Item{{}, one}, status: map[string]Record{}, ops: []string{"create 1 on a"}},
		{name: "both empty", items: [2]map[string][]Item{{}, {}}, status: known, ops: []string{"forget 1 on a"}},
		{name: "a has only unreadable items", items: [2]map[string][]Item{{}, one}, status: known, unread: [2][]string{{"1.ics"}}},
		{name: "one way, b empty", items: [2]map[string][]Item{one, {}}, status: known, opts: Options{OneWay: true}, ops: []string{"create 1 on b"}},
		{name: "one way, a empty", items: [2]map[string][]Item{{}, one}, status: known, opts: Options{OneWay: true}, skipped: "side a is empty"},
		{name: "one way, first sync, a empty", items: [2]map[string][]Item{{}, one}, status: map[string]Record{}, opts: Options{OneWay: true}, skipped: "side a is empty"},
		{name: "a empty, b read-only: nothing to protect", items: [2]map[string][]Item{{}, one}, status: known, opts: Options{ReadOnly: [2]bool{false, true}}, ops: []string{"skip 1 on b"}},
		{name: "a empty, b only gains", items: [2]map[string][]Item{{}, one}, status: map[string]Record{"2": {Ident: "2", Side: [2]Item{{Href: "2.ics", Hash: "h"}, {Href: "2.ics", Hash: "h"}}}},
			ops: []string{"create 1 on a", "forget 2 on a"}},
		{name: "status knows nothing on a", items: [2]map[string][]Item{{}, one},
			status: map[string]Record{"1": {Ident: "1", Side: [2]Item{{}, {Href: "1.ics", Hash: "h"}}}}, ops: []string{"create 1 on a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := Items(Input{Items: tt.items, Status: tt.status, Unreadable: tt.unread, Options: tt.opts})
			if tt.skipped == "" && p.Skipped != "" || !strings.Contains(p.Skipped, tt.skipped) {
				t.Fatalf("skipped %q, want %q", p.Skipped, tt.skipped)
			}
			var ops []string
			for _, a := range p.Actions {
				ops = append(ops, a.Op.String()+" "+a.Ident+" on "+a.To.String())
			}
			if !reflect.DeepEqual(ops, tt.ops) {
				t.Errorf("actions %v, want %v", ops, tt.ops)
			}
		})
	}
}

func TestItemsOrder(t *testing.T) {
	in := Input{Items: [2]map[string][]Item{
		{"c": {{Href: "c.ics", Hash: "c"}}, "a": {{Href: "a.ics", Hash: "a"}}},
		{"b": {{Href: "b.ics", Hash: "b"}}},
	}, Status: map[string]Record{"d": {Ident: "d", Side: [2]Item{{Href: "d.ics"}, {Href: "d.ics"}}}}}
	var idents []string
	for _, a := range Items(in).Actions {
		idents = append(idents, a.Ident)
	}
	if want := []string{"a", "b", "c", "d"}; !reflect.DeepEqual(idents, want) {
		t.Errorf("actions for %v, want %v", idents, want)
	}
}

func TestSide(t *testing.T) {
	if A.Other() != B || B.Other() != A || A.String() != "a" || B.String() != "b" {
		t.Error("Side methods")
	}
	for op, name := range map[Op]string{Save: "record", Forget: "forget", Create: "create", Update: "update", Delete: "delete", Conflict: "conflict", Skip: "skip"} {
		if op.String() != name {
			t.Errorf("%d is %q, want %q", op, op.String(), name)
		}
	}
}
