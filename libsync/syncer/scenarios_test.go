package syncer

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/pimsync-go/libsync/config"
	"github.com/pimsync-go/libsync/plan"
	"github.com/pimsync-go/libsync/status"
	vdir "github.com/pimsync-go/libvdir"
	"github.com/pimsync-go/libvdir/item"
)

const (
	A = plan.A
	B = plan.B
)

// TestVdirsyncerScenarios runs vdirsyncer's tests/unit/sync/test_sync.py scenarios
// (numbered as in docs/vdirsyncer-reference.md §3) on both backends. Where our rules
// differ on purpose, the scenario's comment says how. Scenario 20 (both sides
// read-only) is a configuration error and is not the sync's business.
func TestVdirsyncerScenarios(t *testing.T) {
	for _, sc := range vdirsyncerScenarios {
		t.Run(sc.name, func(t *testing.T) { forBoth(t, sc.run) })
	}
}

type scenario struct {
	name string
	run  func(t *testing.T, e *env)
}

var vdirsyncerScenarios = []scenario{
	{"01 irrelevant status", func(t *testing.T, e *env) {
		// The status lists an item, both sides are empty: the record is dropped.
		e.both(nil)
		e.st.PutMapping(status.Mapping{Key: "cal", IDA: "cal", IDB: "cal",
			HrefA: e.be.storage(A).Href("cal"), HrefB: e.be.storage(B).Href("cal")})
		side := status.Side{Href: "1.ics", Etag: "x", Hash: "h"}
		e.st.PutItem("cal", status.Item{Ident: "1", A: side, B: side})
		r := e.syncOK()
		e.counts(r, [2]int{}, [2]int{}, [2]int{})
		if ids := e.idents("cal"); len(ids) != 0 {
			t.Errorf("status still has %v", ids)
		}
	}},

	{"02 missing status", func(t *testing.T, e *env) {
		// The same item without UID on both sides, at different hrefs, and no status:
		// no conflict, one record, nothing written.
		e.be.mkcol(A, "cal")
		e.be.mkcol(B, "cal")
		e.put(A, "x.ics", ics("", "ASDF"))
		e.put(B, "y.ics", ics("", "ASDF"))
		r := e.syncOK()
		e.counts(r, [2]int{}, [2]int{}, [2]int{})
		e.noWrites()
		if ids := e.idents("cal"); !slices.Equal(ids, []string{item.Hash([]byte(ics("", "ASDF")))}) {
			t.Errorf("status idents %v, want the content hash", ids)
		}
		e.inSync("cal")
	}},

	{"03 missing status, different items", func(t *testing.T, e *env) {
		// UID 1 with different content on each side and no status: a conflict, left
		// alone and not recorded.
		e.be.mkcol(A, "cal")
		e.be.mkcol(B, "cal")
		e.put(A, "1.ics", ics("1", "on a"))
		e.put(B, "1.ics", ics("1", "on b"))
		for range 2 {
			r := e.sync()
			if len(r.Conflicts) != 1 || r.Conflicts[0].Ident != "1" || r.Conflicts[0].Href != [2]string{"1.ics", "1.ics"} {
				t.Fatalf("conflicts %+v, want 1 at 1.ics on both", r.Conflicts)
			}
			e.noWrites()
			if ids := e.idents("cal"); len(ids) != 0 {
				t.Errorf("status has %v", ids)
			}
		}
		e.want(A, "cal", map[string]string{"1.ics": ics("1", "on a")})
		e.want(B, "cal", map[string]string{"1.ics": ics("1", "on b")})
	}},

	{"03 missing status, different items, keep a", func(t *testing.T, e *env) {
		e.pair.Resolve = plan.KeepA
		e.be.mkcol(A, "cal")
		e.be.mkcol(B, "cal")
		e.put(A, "1.ics", ics("1", "on a"))
		e.put(B, "1.ics", ics("1", "on b"))
		e.counts(e.syncOK(), [2]int{}, [2]int{0, 1}, [2]int{})
		e.want(B, "cal", map[string]string{"1.ics": ics("1", "on a")})
		e.inSync("cal")
	}},

	{"03 missing status, different items, keep b", func(t *testing.T, e *env) {
		e.pair.Resolve = plan.KeepB
		e.be.mkcol(A, "cal")
		e.be.mkcol(B, "cal")
		e.put(A, "1.ics", ics("1", "on a"))
		e.put(B, "1.ics", ics("1", "on b"))
		e.counts(e.syncOK(), [2]int{}, [2]int{1, 0}, [2]int{})
		e.want(A, "cal", map[string]string{"1.ics": ics("1", "on b")})
		e.inSync("cal")
	}},

	{"04 read-only and prefetch", func(t *testing.T, e *env) {
		// vdirsyncer (revert, force_delete) ends with both sides empty after two syncs.
		// We never write a read-only side and never revert the other: both creations
		// on b are skipped and reported, every time, and a keeps its items.
		e.be.mkcol(A, "cal")
		e.be.mkcol(B, "cal")
		e.put(A, "1.ics", ics("1", "one"))
		e.put(A, "2.ics", ics("2", "two"))
		e.readOnly(B, true)
		for range 2 {
			r := e.sync()
			if r.Skips != 2 || !r.OK() {
				t.Fatalf("want 2 skips and nothing else: %s", describe(r))
			}
			e.noWrites()
		}
		e.want(A, "cal", map[string]string{"1.ics": ics("1", "one"), "2.ics": ics("2", "two")})
		e.want(B, "cal", map[string]string{})
		if ids := e.idents("cal"); len(ids) != 0 {
			t.Errorf("status has %v", ids)
		}
	}},

	{"05 partial sync error", func(t *testing.T, e *env) {
		// vdirsyncer raises PartialSync (partial_sync error). A read-only side is a
		// decision, not an error: the write is skipped and reported as a Skip action.
		e.be.mkcol(A, "cal")
		e.be.mkcol(B, "cal")
		e.put(A, "1.ics", ics("1", "one"))
		e.readOnly(B, true)
		var acts []plan.Action
		e.pair.OnAction = func(key string, a plan.Action, err error) {
			if err != nil {
				t.Errorf("%s: %v", a.Ident, err)
			}
			acts = append(acts, a)
		}
		r := e.sync()
		if r.Skips != 1 || !r.OK() {
			t.Fatalf("want 1 skip: %s", describe(r))
		}
		if len(acts) != 1 || acts[0].Op != plan.Skip || acts[0].To != B || !strings.Contains(acts[0].Why, "read-only") {
			t.Errorf("actions %+v, want one skipped write to b", acts)
		}
		e.noWrites()
		e.want(B, "cal", map[string]string{})
	}},

	{"06 partial sync ignore", func(t *testing.T, e *env) {
		// Item 1 synced while both were writable; then b turns read-only and a gains
		// item 2: after two syncs a has both, b only 1 (vdirsyncer's "ignore", which is
		// our only read-only behaviour).
		e.both(nil)
		e.put(A, "1.ics", ics("1", "one"))
		e.syncOK()
		e.readOnly(B, true)
		e.put(A, "2.ics", ics("2", "two"))
		for range 2 {
			if r := e.sync(); r.Skips != 1 || !r.OK() {
				t.Fatalf("want 1 skip: %s", describe(r))
			}
		}
		e.want(A, "cal", map[string]string{"1.ics": ics("1", "one"), "2.ics": ics("2", "two")})
		e.want(B, "cal", map[string]string{"1.ics": ics("1", "one")})
		if ids := e.idents("cal"); !slices.Equal(ids, []string{"1"}) {
			t.Errorf("status idents %v, want [1]", ids)
		}
	}},

	{"07 partial sync ignore 2", func(t *testing.T, e *env) {
		// a is read-only; its item reaches b. Clearing b: deleting on a is a skipped
		// write (on_empty has nothing to protect, a cannot lose anything), so b stays
		// empty over two syncs and a keeps its item. Editing the item on a brings it
		// back to b (edit wins).
		e.both(nil)
		e.readOnly(A, true)
		e.put(A, "1.ics", ics("1", "one"))
		e.counts(e.syncOK(), [2]int{0, 1}, [2]int{}, [2]int{})
		e.be.remove(B, "cal", "1.ics")
		for range 2 {
			if r := e.sync(); r.Skips != 1 || !r.OK() {
				t.Fatalf("want 1 skip: %s", describe(r))
			}
		}
		e.want(B, "cal", map[string]string{})
		e.want(A, "cal", map[string]string{"1.ics": ics("1", "one")})
		e.put(A, "1.ics", ics("1", "edited"))
		e.counts(e.syncOK(), [2]int{0, 1}, [2]int{}, [2]int{})
		e.want(B, "cal", map[string]string{"1.ics": ics("1", "edited")})
		e.inSync("cal")
		e.noWritesOn(A)
	}},

	{"08 upload and update", func(t *testing.T, e *env) {
		e.both(nil)
		e.put(A, "1.ics", ics("1", "one"))
		e.counts(e.syncOK(), [2]int{0, 1}, [2]int{}, [2]int{})
		e.put(B, "1.ics", ics("1", "one, edited on b"))
		e.counts(e.syncOK(), [2]int{}, [2]int{1, 0}, [2]int{})
		e.put(B, "2.ics", ics("2", "two"))
		e.counts(e.syncOK(), [2]int{1, 0}, [2]int{}, [2]int{})
		e.put(A, "2.ics", ics("2", "two, edited on a"))
		e.counts(e.syncOK(), [2]int{}, [2]int{0, 1}, [2]int{})
		want := map[string]string{"1.ics": ics("1", "one, edited on b"), "2.ics": ics("2", "two, edited on a")}
		e.want(A, "cal", want)
		e.want(B, "cal", want)
		e.inSync("cal")
	}},

	{"09 deletion", func(t *testing.T, e *env) {
		// Item 2 stays throughout so that no side becomes empty (on_empty skip would
		// stop the sync, see 17).
		e.both(nil)
		e.put(A, "1.ics", ics("1", "one"))
		e.put(A, "2.ics", ics("2", "two"))
		e.syncOK()
		e.be.remove(B, "cal", "1.ics")
		e.counts(e.syncOK(), [2]int{}, [2]int{}, [2]int{1, 0})
		e.want(A, "cal", map[string]string{"2.ics": ics("2", "two")})
		e.put(A, "1.ics", ics("1", "one again"))
		e.counts(e.syncOK(), [2]int{0, 1}, [2]int{}, [2]int{})
		e.want(B, "cal", map[string]string{"1.ics": ics("1", "one again"), "2.ics": ics("2", "two")})
		e.be.remove(A, "cal", "1.ics")
		e.counts(e.syncOK(), [2]int{}, [2]int{}, [2]int{0, 1})
		e.want(B, "cal", map[string]string{"2.ics": ics("2", "two")})
		e.inSync("cal")
	}},

	{"10 insert hash", func(t *testing.T, e *env) {
		// Our status always has hashes; a record without them (as an import of an old
		// status could write) gets them after an edit and a sync.
		e.both(nil)
		e.put(A, "1.ics", ics("1", "one"))
		e.syncOK()
		rec := e.rows("cal")["1"]
		rec.A.Hash, rec.B.Hash = "", ""
		e.st.PutItem("cal", rec)
		e.put(A, "1.ics", ics("1", "edited"))
		e.counts(e.syncOK(), [2]int{}, [2]int{0, 1}, [2]int{})
		e.inSync("cal")
		if rec := e.rows("cal")["1"]; rec.A.Hash == "" || rec.B.Hash == "" {
			t.Errorf("record still without hashes: %+v", rec)
		}
	}},

	{"11 already synced", func(t *testing.T, e *env) {
		// Two syncs of a synced pair: no fetch, no write, no status write.
		e.both(nil)
		e.put(A, "1.ics", ics("1", "one"))
		e.put(B, "2.ics", ics("2", "two"))
		e.syncOK()
		before := e.rows("cal")
		e.reset()
		writes := e.st.writes
		for range 2 {
			e.counts(e.syncOK(), [2]int{}, [2]int{}, [2]int{})
		}
		e.noWrites()
		e.noFetches()
		if e.st.writes != writes {
			t.Errorf("%d status writes", e.st.writes-writes)
		}
		e.sameRows(before)
	}},

	{"12 conflict, both edited", func(t *testing.T, e *env) { bothEdited(t, e, plan.Report) }},
	{"12 conflict, both edited, keep a", func(t *testing.T, e *env) { bothEdited(t, e, plan.KeepA) }},
	{"12 conflict, both edited, keep b", func(t *testing.T, e *env) { bothEdited(t, e, plan.KeepB) }},

	{"13 updated and deleted", func(t *testing.T, e *env) {
		// An edit beats a deletion on the other side, both ways round.
		e.both(nil)
		e.put(A, "1.ics", ics("1", "one"))
		e.put(A, "2.ics", ics("2", "two"))
		e.put(A, "3.ics", ics("3", "three"))
		e.syncOK()
		e.be.remove(B, "cal", "1.ics")
		e.put(A, "1.ics", ics("1", "edited on a"))
		e.be.remove(A, "cal", "2.ics")
		e.put(B, "2.ics", ics("2", "edited on b"))
		e.counts(e.syncOK(), [2]int{1, 1}, [2]int{}, [2]int{})
		want := map[string]string{"1.ics": ics("1", "edited on a"), "2.ics": ics("2", "edited on b"), "3.ics": ics("3", "three")}
		e.want(A, "cal", want)
		e.want(B, "cal", want)
		e.inSync("cal")
	}},

	{"14 invalid resolution", func(t *testing.T, e *env) {
		// vdirsyncer rejects an unknown mode with ValueError; ours come typed from the
		// config parser, and an unknown value makes the planner report, never write.
		e.pair.Resolve = plan.Resolution(42)
		e.be.mkcol(A, "cal")
		e.be.mkcol(B, "cal")
		e.put(A, "1.ics", ics("1", "on a"))
		e.put(B, "1.ics", ics("1", "on b"))
		if r := e.sync(); len(r.Conflicts) != 1 {
			t.Errorf("want a reported conflict: %s", describe(r))
		}
		e.noWrites()
	}},

	{"15 new etags without changes", func(t *testing.T, e *env) {
		// The status has wrong hrefs and etags but the content is equal: the record is
		// corrected, nothing is written and there is no conflict.
		e.both(map[string]string{"1.ics": ics("1", "one")})
		e.st.PutMapping(status.Mapping{Key: "cal", IDA: "cal", IDB: "cal",
			HrefA: e.be.storage(A).Href("cal"), HrefB: e.be.storage(B).Href("cal")})
		h := item.Hash([]byte(ics("1", "one")))
		e.st.PutItem("cal", status.Item{Ident: "1",
			A: status.Side{Href: "1.ics", Etag: "bogus", Hash: h},
			B: status.Side{Href: "elsewhere.ics", Etag: "bogus", Hash: h}})
		e.counts(e.syncOK(), [2]int{}, [2]int{}, [2]int{})
		e.noWrites()
		e.inSync("cal")
	}},

	{"16 uses get multi", func(t *testing.T, e *env) {
		// vdirsyncer asserts one get_multi call. We fetch in chunks of at most 100
		// hrefs, each href once, and never again while its etag stays.
		e.both(nil)
		const n = 150
		e.fill(A, n)
		e.counts(e.syncOK(), [2]int{0, n}, [2]int{}, [2]int{})
		e.hooks[A].mu.Lock()
		gets := slices.Clone(e.hooks[A].gets)
		e.hooks[A].mu.Unlock()
		if len(gets) != 2 {
			t.Errorf("%d Get calls on a, want 2", len(gets))
		}
		for _, g := range gets {
			if len(g) > config.DefaultMultigetSize {
				t.Errorf("a Get of %d hrefs", len(g))
			}
		}
		if f := e.hooks[A].fetched(); len(f) != n || len(slices.Compact(f)) != n {
			t.Errorf("fetched %d hrefs on a (%d distinct), want %d", len(f), len(slices.Compact(f)), n)
		}
		if f := e.hooks[B].fetched(); len(f) != 0 {
			t.Errorf("fetched %v on b", f)
		}
		e.reset()
		e.counts(e.syncOK(), [2]int{}, [2]int{}, [2]int{})
		e.noFetches()
		e.put(A, "007.ics", ics("7", "edited"))
		e.reset()
		e.counts(e.syncOK(), [2]int{}, [2]int{0, 1}, [2]int{})
		if f := e.hooks[A].fetched(); !slices.Equal(f, []string{"007.ics"}) {
			t.Errorf("fetched %v on a, want only the edited item", f)
		}
		if f := e.hooks[B].fetched(); len(f) != 0 {
			t.Errorf("fetched %v on b", f)
		}
	}},

	{"17 empty storage, a", func(t *testing.T, e *env) {
		// StorageEmpty becomes on_empty: by default the collection is skipped with the
		// reason; with on_empty sync the deletions go through.
		emptied(t, e, A)
	}},

	{"17 empty storage, b", func(t *testing.T, e *env) {
		emptied(t, e, B)
	}},

	{"18 no UIDs", func(t *testing.T, e *env) {
		e.be.mkcol(A, "cal")
		e.be.mkcol(B, "cal")
		e.put(A, "a.ics", ics("", "ASDF"))
		e.put(B, "b.ics", ics("", "FOOBAR"))
		e.counts(e.syncOK(), [2]int{1, 1}, [2]int{}, [2]int{})
		name := func(data string) string { return vdir.SafeName(item.Hash([]byte(data)), "ics") }
		e.want(A, "cal", map[string]string{"a.ics": ics("", "ASDF"), name(ics("", "FOOBAR")): ics("", "FOOBAR")})
		e.want(B, "cal", map[string]string{"b.ics": ics("", "FOOBAR"), name(ics("", "ASDF")): ics("", "ASDF")})
		e.inSync("cal")
	}},

	{"19 changed UIDs", func(t *testing.T, e *env) {
		// A changed UID makes another item: the old one is deleted, the new created.
		e.both(nil)
		e.put(A, "1.ics", ics("1", "one"))
		e.syncOK()
		e.put(A, "1.ics", ics("2", "one"))
		e.counts(e.syncOK(), [2]int{0, 1}, [2]int{}, [2]int{0, 1})
		e.want(B, "cal", map[string]string{"2.ics": ics("2", "one")})
		e.inSync("cal")
	}},

	{"21 partial sync revert", func(t *testing.T, e *env) {
		// vdirsyncer's "revert" undoes a's changes to items of a read-only b over two
		// syncs. We have no revert: b is never written, a keeps its changes, and each
		// write b would need is a reported skip. (one_way is how to make b a mirror.)
		e.be.mkcol(A, "cal")
		e.be.mkcol(B, "cal")
		e.put(A, "1.ics", ics("1", "one"))
		e.put(B, "2.ics", ics("2", "two"))
		e.readOnly(B, true)
		r := e.sync()
		e.counts(r, [2]int{1, 0}, [2]int{}, [2]int{})
		if r.Skips != 1 {
			t.Errorf("want 1 skip: %s", describe(r))
		}
		r = e.sync()
		e.counts(r, [2]int{}, [2]int{}, [2]int{})
		if r.Skips != 1 {
			t.Errorf("want 1 skip: %s", describe(r))
		}
		e.put(A, "2.ics", ics("2", "edited on a"))
		for range 2 {
			if r := e.sync(); r.Skips != 2 || !r.OK() {
				t.Errorf("want 2 skips: %s", describe(r))
			}
		}
		e.want(A, "cal", map[string]string{"1.ics": ics("1", "one"), "2.ics": ics("2", "edited on a")})
		e.want(B, "cal", map[string]string{"2.ics": ics("2", "two")})
		// a emptied: b would lose 2, but b is read-only, so nothing is deleted and
		// on_empty has nothing to protect; the delete is a reported skip.
		e.be.remove(A, "cal", "1.ics")
		e.be.remove(A, "cal", "2.ics")
		if r := e.sync(); r.Skipped != "" || r.Skips != 1 {
			t.Errorf("want one skipped delete: %s", describe(r))
		}
		e.want(A, "cal", map[string]string{})
		e.want(B, "cal", map[string]string{"2.ics": ics("2", "two")})
	}},

	{"22 ident conflict", func(t *testing.T, e *env) {
		// Two items on a both get UID xxx. vdirsyncer aborts with IdentConflict; we
		// report the duplicate with every href and sync the rest: item 3's edit goes
		// to b. The status records at the duplicates' hrefs (idents 1 and 2) are left
		// alone, so b keeps its copies until the UIDs are made unique; then it is an
		// ordinary UID change (19): the old idents go, the new ones come.
		e.both(nil)
		for _, id := range []string{"1", "2", "3"} {
			e.put(A, id+".ics", ics(id, "item "+id))
		}
		e.syncOK()
		e.put(A, "1.ics", ics("xxx", "item 1"))
		e.put(A, "2.ics", ics("xxx", "item 2"))
		e.put(A, "3.ics", ics("3", "edited"))
		r := e.sync()
		want := []plan.Duplicate{{Side: A, Ident: "xxx", Hrefs: []string{"1.ics", "2.ics"}}}
		if !slices.EqualFunc(r.Duplicates, want, func(x, y plan.Duplicate) bool {
			return x.Side == y.Side && x.Ident == y.Ident && slices.Equal(x.Hrefs, y.Hrefs)
		}) {
			t.Errorf("duplicates %+v, want %+v", r.Duplicates, want)
		}
		e.counts(r, [2]int{}, [2]int{0, 1}, [2]int{})
		e.want(B, "cal", map[string]string{"1.ics": ics("1", "item 1"), "2.ics": ics("2", "item 2"), "3.ics": ics("3", "edited")})
		if ids := e.idents("cal"); !slices.Equal(ids, []string{"1", "2", "3"}) {
			t.Errorf("status idents %v, want [1 2 3]", ids)
		}
		e.put(A, "2.ics", ics("yyy", "item 2"))
		e.counts(e.syncOK(), [2]int{0, 2}, [2]int{}, [2]int{0, 2})
		e.inSync("cal")
	}},

	{"23 moved href", func(t *testing.T, e *env) {
		// Renamed on b with the same content: only the new href is fetched, nothing
		// is written, the status follows, and the next sync fetches nothing.
		e.both(nil)
		e.put(A, "1.ics", ics("1", "one"))
		e.syncOK()
		e.be.move(B, "cal", "1.ics", "moved.ics")
		e.reset()
		e.counts(e.syncOK(), [2]int{}, [2]int{}, [2]int{})
		e.noWrites()
		if f := e.hooks[A].fetched(); len(f) != 0 {
			t.Errorf("fetched %v on a", f)
		}
		if f := e.hooks[B].fetched(); !slices.Equal(f, []string{"moved.ics"}) {
			t.Errorf("fetched %v on b, want [moved.ics]", f)
		}
		if rec := e.rows("cal")["1"]; rec.B.Href != "moved.ics" {
			t.Errorf("status %+v, want b at moved.ics", rec)
		}
		e.inSync("cal")
		e.reset()
		e.syncOK()
		e.noFetches()
	}},

	{"24 bogus etag change", func(t *testing.T, e *env) {
		// a's etag changes without a content change while b really changes: b's
		// version goes to a and b is never written.
		e.both(nil)
		e.put(A, "1.ics", ics("1", "one"))
		e.syncOK()
		e.be.touch(A, "cal", "1.ics")
		e.put(B, "1.ics", ics("1", "edited on b"))
		e.reset()
		e.counts(e.syncOK(), [2]int{}, [2]int{1, 0}, [2]int{})
		e.noWritesOn(B)
		e.want(A, "cal", map[string]string{"1.ics": ics("1", "edited on b")})
		e.inSync("cal")
	}},

	{"25 unicode hrefs", func(t *testing.T, e *env) {
		e.both(nil)
		e.put(A, "äää.ics", ics("äää", "unicode"))
		e.counts(e.syncOK(), [2]int{0, 1}, [2]int{}, [2]int{})
		name := vdir.SafeName("äää", "ics")
		e.want(B, "cal", map[string]string{name: ics("äää", "unicode")})
		e.put(B, name, ics("äää", "edited on b"))
		e.counts(e.syncOK(), [2]int{}, [2]int{1, 0}, [2]int{})
		e.want(A, "cal", map[string]string{"äää.ics": ics("äää", "edited on b")})
		e.inSync("cal")
	}},

	{"26 rollback", func(t *testing.T, e *env) {
		// Writes to b fail for one item: exactly that item is an error, the others
		// sync, and the status records only what was done. vdirsyncer rolls back the
		// whole run without an error callback; we always go on.
		e.both(nil)
		e.put(A, "0.ics", ics("0", "zero"))
		e.syncOK()
		e.put(A, "0.ics", ics("0", "edited"))
		for _, id := range []string{"1", "2", "3"} {
			e.put(A, id+".ics", ics(id, "item "+id))
		}
		failed := fmt.Errorf("injected failure")
		e.hooks[B].fail = func(op, href string) error {
			if href == "2" || href == "0.ics" {
				return failed
			}
			return nil
		}
		r := e.sync()
		if len(r.ItemErrors) != 2 {
			t.Fatalf("want 2 item errors: %s", describe(r))
		}
		var msgs []string
		for _, err := range r.ItemErrors {
			msgs = append(msgs, err.Error())
		}
		slices.Sort(msgs)
		for i, id := range []string{"0", "2"} {
			if !strings.HasPrefix(msgs[i], id+": ") || !strings.Contains(msgs[i], failed.Error()) {
				t.Errorf("error %q, want one about %s", msgs[i], id)
			}
		}
		e.counts(r, [2]int{0, 2}, [2]int{}, [2]int{})
		if ids := e.idents("cal"); !slices.Equal(ids, []string{"0", "1", "3"}) {
			t.Errorf("status idents %v, want [0 1 3]", ids)
		}
		if rec := e.rows("cal")["0"]; rec.A.Hash != item.Hash([]byte(ics("0", "zero"))) {
			t.Errorf("the failed update was recorded: %+v", rec)
		}
		e.hooks[B].fail = nil
		e.counts(e.syncOK(), [2]int{0, 1}, [2]int{0, 1}, [2]int{})
		e.inSync("cal")
	}},

	{"27 duplicate hrefs", func(t *testing.T, e *env) {
		// A listing that repeats hrefs: vdirsyncer's AssertionError is a documented
		// limitation; we sync each href once (with a warning).
		e.both(nil)
		e.put(A, "1.ics", ics("1", "one"))
		e.hooks[A].listTimes = 3
		e.counts(e.syncOK(), [2]int{0, 1}, [2]int{}, [2]int{})
		e.hooks[B].listTimes = 3
		e.counts(e.syncOK(), [2]int{}, [2]int{}, [2]int{})
		e.put(B, "1.ics", ics("1", "edited"))
		e.counts(e.syncOK(), [2]int{}, [2]int{1, 0}, [2]int{})
		e.inSync("cal")
	}},
}

// bothEdited edits a synced item on both sides and syncs with the resolution res.
func bothEdited(t *testing.T, e *env, res plan.Resolution) {
	e.both(nil)
	e.put(A, "1.ics", ics("1", "one"))
	e.syncOK()
	e.put(A, "1.ics", ics("1", "edited on a"))
	e.put(B, "1.ics", ics("1", "edited on b"))
	before := e.rows("cal")
	e.pair.Resolve = res
	e.reset()
	r := e.sync()
	switch res {
	case plan.Report:
		if len(r.Conflicts) != 1 || !strings.Contains(r.Conflicts[0].Why, "changed on both sides") {
			t.Errorf("want a conflict: %s", describe(r))
		}
		e.noWrites()
		e.sameRows(before)
		e.want(A, "cal", map[string]string{"1.ics": ics("1", "edited on a")})
		e.want(B, "cal", map[string]string{"1.ics": ics("1", "edited on b")})
	case plan.KeepA:
		e.counts(r, [2]int{}, [2]int{0, 1}, [2]int{})
		e.want(B, "cal", map[string]string{"1.ics": ics("1", "edited on a")})
		e.inSync("cal")
	case plan.KeepB:
		e.counts(r, [2]int{}, [2]int{1, 0}, [2]int{})
		e.want(A, "cal", map[string]string{"1.ics": ics("1", "edited on b")})
		e.inSync("cal")
	}
}

// emptied syncs two items, empties side s, and checks that the collection is skipped
// until on_empty sync lets the deletions through.
func emptied(t *testing.T, e *env, s plan.Side) {
	e.both(nil)
	e.put(A, "1.ics", ics("1", "one"))
	e.put(A, "2.ics", ics("2", "two"))
	e.syncOK()
	before := e.rows("cal")
	e.be.remove(s, "cal", "1.ics")
	e.be.remove(s, "cal", "2.ics")
	e.reset()
	for range 2 {
		r := e.sync()
		if want := fmt.Sprintf("side %s is empty", s); !strings.Contains(r.Skipped, want) {
			t.Fatalf("skipped %q, want %q", r.Skipped, want)
		}
		e.counts(r, [2]int{}, [2]int{}, [2]int{})
	}
	e.noWrites()
	e.sameRows(before)
	e.want(s.Other(), "cal", map[string]string{"1.ics": ics("1", "one"), "2.ics": ics("2", "two")})
	e.pair.SyncEmpty = true
	var deleted [2]int
	deleted[s.Other()] = 2
	e.counts(e.syncOK(), [2]int{}, [2]int{}, deleted)
	e.want(s.Other(), "cal", map[string]string{})
	if ids := e.idents("cal"); len(ids) != 0 {
		t.Errorf("status has %v", ids)
	}
}

func (e *env) noWritesOn(s plan.Side) {
	e.t.Helper()
	if w := e.hooks[s].written(); len(w) > 0 {
		e.t.Errorf("wrote %v on %s", w, s)
	}
}

func (e *env) noFetches() {
	e.t.Helper()
	for s := plan.A; s <= plan.B; s++ {
		if f := e.hooks[s].fetched(); len(f) > 0 {
			e.t.Errorf("fetched %v on %s", f, s)
		}
	}
}

func (e *env) sameRows(before map[string]status.Item) {
	e.t.Helper()
	e.sameRowsOf("cal", before)
}

func (e *env) sameRowsOf(col string, before map[string]status.Item) {
	e.t.Helper()
	after := e.rows(col)
	if len(after) != len(before) {
		e.t.Errorf("status has %d records, had %d", len(after), len(before))
	}
	for ident, rec := range before {
		if after[ident] != rec {
			e.t.Errorf("status of %s changed from %+v to %+v", ident, rec, after[ident])
		}
	}
}

// recorder collects the actions of a sync through Pair.OnAction.
type recorder struct {
	mu   sync.Mutex
	acts []plan.Action
	errs []error
}

func (r *recorder) on(key string, a plan.Action, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.acts = append(r.acts, a)
	if err != nil {
		r.errs = append(r.errs, err)
	}
}
