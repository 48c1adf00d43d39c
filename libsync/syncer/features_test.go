package syncer

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pimsync-go/libsync/plan"
	"github.com/pimsync-go/libsync/status"
	"github.com/pimsync-go/libsync/storage"
)

// TestFeatures covers what vdirsyncer's scenarios do not: our own rules and options,
// on both backends.
func TestFeatures(t *testing.T) {
	for _, sc := range features {
		t.Run(sc.name, func(t *testing.T) { forBoth(t, sc.run) })
	}
}

var features = []scenario{
	{"touched etag", func(t *testing.T, e *env) {
		// New etags without content changes on both sides: nothing is written, the
		// status takes the new etags, and the next sync fetches nothing.
		e.both(nil)
		e.put(A, "1.ics", ics("1", "one"))
		e.syncOK()
		e.be.touch(A, "cal", "1.ics")
		e.be.touch(B, "cal", "1.ics")
		e.reset()
		e.counts(e.syncOK(), [2]int{}, [2]int{}, [2]int{})
		e.noWrites()
		e.inSync("cal")
		e.reset()
		e.syncOK()
		e.noFetches()
	}},

	{"only DTSTAMP changed", func(t *testing.T, e *env) {
		// The hash leaves DTSTAMP out: such an edit is recorded, not copied, and the
		// sides keep their own bytes.
		e.both(nil)
		e.put(A, "1.ics", ics("1", "one"))
		e.syncOK()
		stamped := strings.Replace(ics("1", "one"), "DTSTAMP:20260101T000000Z", "DTSTAMP:20270101T000000Z", 1)
		e.put(A, "1.ics", stamped)
		e.reset()
		e.counts(e.syncOK(), [2]int{}, [2]int{}, [2]int{})
		e.noWrites()
		e.want(A, "cal", map[string]string{"1.ics": stamped})
		e.want(B, "cal", map[string]string{"1.ics": ics("1", "one")})
		rec := e.rows("cal")["1"]
		if l := e.list(A, "cal")["1.ics"]; rec.A.Etag != l.etag {
			t.Errorf("status etag of a %q, want the new %q", rec.A.Etag, l.etag)
		}
	}},

	{"changed during the sync", func(t *testing.T, e *env) {
		// The user edits b's copy between the sync's listing and its write: the
		// conditional write fails, the edit survives, and the next sync sees it (a
		// conflict for the update, an edit beating the deletion).
		e.both(nil)
		e.put(A, "1.ics", ics("1", "one"))
		e.put(A, "2.ics", ics("2", "two"))
		e.put(A, "3.ics", ics("3", "three"))
		e.syncOK()
		e.put(A, "1.ics", ics("1", "edited on a"))
		e.be.remove(A, "cal", "2.ics")
		e.hooks[B].fail = func(op, href string) error {
			switch href {
			case "1.ics":
				e.put(B, "1.ics", ics("1", "edited on b meanwhile"))
			case "2.ics":
				e.put(B, "2.ics", ics("2", "edited on b meanwhile"))
			}
			return nil
		}
		r := e.sync()
		e.hooks[B].fail = nil
		if len(r.ItemErrors) != 2 {
			t.Fatalf("want 2 item errors: %s", describe(r))
		}
		for _, err := range r.ItemErrors {
			if !errors.Is(err, storage.ErrPrecondition) {
				t.Errorf("%v, want ErrPrecondition", err)
			}
		}
		e.want(B, "cal", map[string]string{"1.ics": ics("1", "edited on b meanwhile"), "2.ics": ics("2", "edited on b meanwhile"), "3.ics": ics("3", "three")})
		r = e.sync()
		if len(r.Conflicts) != 1 || r.Conflicts[0].Ident != "1" {
			t.Errorf("want a conflict for 1: %s", describe(r))
		}
		e.counts(r, [2]int{1, 0}, [2]int{}, [2]int{})
		e.want(A, "cal", map[string]string{"1.ics": ics("1", "edited on a"), "2.ics": ics("2", "edited on b meanwhile"), "3.ics": ics("3", "three")})
	}},

	{"one way", func(t *testing.T, e *env) {
		// b mirrors a: b's own changes are undone, a is never written (it is guarded:
		// a planned write there would fail), and a conflict cannot arise.
		e.pair.OneWay = true
		e.guard(A)
		e.be.mkcol(A, "cal")
		e.be.mkcol(B, "cal")
		e.put(A, "1.ics", ics("1", "one"))
		e.put(A, "2.ics", ics("2", "two"))
		e.put(A, "3.ics", ics("3", "three"))
		e.put(B, "1.ics", ics("1", "b's own"))
		e.put(B, "9.ics", ics("9", "only on b"))
		e.be.setProp(A, "cal", storage.Color, "#112233")
		e.be.setProp(B, "cal", storage.DisplayName, "b's name")
		e.counts(e.syncOK(), [2]int{0, 2}, [2]int{0, 1}, [2]int{0, 1})
		mirror := map[string]string{"1.ics": ics("1", "one"), "2.ics": ics("2", "two"), "3.ics": ics("3", "three")}
		e.want(B, "cal", mirror)
		e.inSync("cal")
		e.put(B, "2.ics", ics("2", "edited on b"))
		e.be.remove(B, "cal", "3.ics")
		e.put(B, "8.ics", ics("8", "new on b"))
		e.put(A, "1.ics", ics("1", "edited on a"))
		e.be.setProp(B, "cal", storage.Color, "#445566")
		e.counts(e.syncOK(), [2]int{0, 1}, [2]int{0, 2}, [2]int{0, 1})
		mirror["1.ics"] = ics("1", "edited on a")
		e.want(A, "cal", mirror)
		e.want(B, "cal", mirror)
		e.inSync("cal")
		e.noWritesOn(A)
		for s := A; s <= B; s++ {
			if got := e.be.props(s, "cal"); !maps.Equal(got, map[storage.Prop]string{storage.Color: "#112233"}) {
				t.Errorf("properties of %s: %v", s, got)
			}
		}
	}},

	{"properties", func(t *testing.T, e *env) {
		e.both(map[string]string{"1.ics": ics("1", "one")})
		e.be.setProp(A, "cal", storage.DisplayName, "Work")
		e.be.setProp(A, "cal", storage.Color, "#ff0000")
		e.syncOK()
		wantProps(t, e, map[storage.Prop]string{storage.DisplayName: "Work", storage.Color: "#ff0000"})
		if got := e.st.props["cal"]; !maps.Equal(got, map[string]string{"displayname": "Work", "color": "#ff0000"}) {
			t.Errorf("status properties %v", got)
		}

		e.be.setProp(B, "cal", storage.Color, "#00ff00")
		e.syncOK()
		wantProps(t, e, map[storage.Prop]string{storage.DisplayName: "Work", storage.Color: "#00ff00"})

		e.be.setProp(A, "cal", storage.DisplayName, "A name")
		e.be.setProp(B, "cal", storage.DisplayName, "B name")
		e.be.setProp(A, "cal", storage.Color, "")
		e.reset()
		r := e.sync()
		if !slices.Equal(r.PropConflicts, []string{"displayname"}) {
			t.Errorf("property conflicts %v, want [displayname]", r.PropConflicts)
		}
		if w := e.hooks[B].written(); !slices.Equal(w, []string{"prop color"}) {
			t.Errorf("wrote %v on b, want only the color's removal", w)
		}
		if got := e.be.props(A, "cal"); got[storage.DisplayName] != "A name" || got[storage.Color] != "" {
			t.Errorf("properties of a: %v", got)
		}
		if got := e.be.props(B, "cal"); got[storage.DisplayName] != "B name" || got[storage.Color] != "" {
			t.Errorf("properties of b: %v", got)
		}
		if got := e.st.props["cal"]; !maps.Equal(got, map[string]string{"displayname": "Work"}) {
			t.Errorf("status properties %v, want the conflict unrecorded and the color gone", got)
		}

		e.pair.Resolve = plan.KeepB
		e.syncOK()
		wantProps(t, e, map[storage.Prop]string{storage.DisplayName: "B name"})
	}},

	{"collection from a", func(t *testing.T, e *env) {
		e.pair.Select = plan.Selection{From: [2]bool{true, false}}
		e.be.mkcol(A, "cal")
		e.be.mkcol(A, "work")
		e.be.mkcol(B, "other")
		e.be.put(A, "cal", "1.ics", []byte(ics("1", "one")))
		e.be.put(A, "work", "2.ics", []byte(ics("2", "two")))
		e.be.put(B, "other", "3.ics", []byte(ics("3", "three")))
		res := e.syncAll()
		if keys := keysOf(res); !slices.Equal(keys, []string{"cal", "work"}) {
			t.Fatalf("synced %v, want [cal work]", keys)
		}
		for _, r := range res.Collections {
			if !r.OK() || !slices.Equal(r.CollectionOps, []string{"create " + r.Key + " on b (new on a)"}) {
				t.Errorf("%s", describe(r))
			}
		}
		e.want(B, "cal", map[string]string{"1.ics": ics("1", "one")})
		e.want(B, "work", map[string]string{"2.ics": ics("2", "two")})
		if e.be.hasCol(A, "other") {
			t.Error("other was created on a")
		}
	}},

	{"collection from b", func(t *testing.T, e *env) {
		e.pair.Select = plan.Selection{From: [2]bool{false, true}}
		e.be.mkcol(A, "other")
		e.be.mkcol(B, "cal")
		e.be.put(B, "cal", "1.ics", []byte(ics("1", "one")))
		res := e.syncAll()
		if keys := keysOf(res); !slices.Equal(keys, []string{"cal"}) {
			t.Fatalf("synced %v, want [cal]", keys)
		}
		if r := res.Collections[0]; !r.OK() || !slices.Equal(r.CollectionOps, []string{"create cal on a (new on b)"}) {
			t.Errorf("%s", describe(r))
		}
		e.want(A, "cal", map[string]string{"1.ics": ics("1", "one")})
		if e.be.hasCol(B, "other") {
			t.Error("other was created on b")
		}
	}},

	{"collection by id and by mapping", func(t *testing.T, e *env) {
		// An explicit id is made on whichever side lacks it; a mapping gives each side
		// its own collection, here a by href and b by id.
		e.pair.Select = plan.Selection{IDs: []string{"cal"}, Mappings: []plan.Mapping{{
			Key: "m", Href: [2]string{e.be.storage(A).Href("work")}, ID: [2]string{"", "office"}}}}
		e.be.mkcol(A, "cal")
		e.be.mkcol(A, "work")
		e.be.mkcol(A, "ignored")
		e.be.put(A, "cal", "1.ics", []byte(ics("1", "one")))
		e.be.put(A, "work", "2.ics", []byte(ics("2", "two")))
		res := e.syncAll()
		if keys := keysOf(res); !slices.Equal(keys, []string{"cal", "m"}) {
			t.Fatalf("synced %v, want [cal m]", keys)
		}
		for _, r := range res.Collections {
			if !r.OK() || len(r.CollectionOps) != 1 {
				t.Errorf("%s", describe(r))
			}
		}
		e.want(B, "cal", map[string]string{"1.ics": ics("1", "one")})
		e.want(B, "office", map[string]string{"2.ics": ics("2", "two")})
		if e.be.hasCol(B, "work") || e.be.hasCol(B, "ignored") {
			t.Error("an unselected collection was created on b")
		}
		m, ok, _ := e.st.Mapping("m")
		if !ok || m.IDA != "work" || m.IDB != "office" || m.HrefB != e.be.storage(B).Href("office") {
			t.Errorf("mapping m recorded as %+v", m)
		}
	}},

	{"collection not created", func(t *testing.T, e *env) {
		// A collection that cannot be made is an error of the collection, not an
		// operation done; the next sync tries again.
		e.be.mkcol(A, "cal")
		e.put(A, "1.ics", ics("1", "one"))
		failed := errors.New("injected failure")
		e.hooks[B].fail = func(op, href string) error { return failed }
		r := e.sync()
		if !errors.Is(r.Err, failed) || len(r.CollectionOps) != 0 || r.Created != [2]int{} {
			t.Errorf("want a failed creation: %s", describe(r))
		}
		e.hooks[B].fail = nil
		if r := e.syncOK(); len(r.CollectionOps) != 1 || r.Created != [2]int{0, 1} {
			t.Errorf("%s", describe(r))
		}
		e.inSync("cal")
	}},

	{"collection missing on a read-only side", func(t *testing.T, e *env) {
		e.readOnly(B, true)
		e.be.mkcol(A, "cal")
		e.put(A, "1.ics", ics("1", "one"))
		r := e.sync()
		if r.Skipped != "missing on b, which is read-only" {
			t.Errorf("skipped %q", r.Skipped)
		}
		if e.be.hasCol(B, "cal") {
			t.Error("cal was created on the read-only side")
		}
	}},

	{"collection deleted", func(t *testing.T, e *env) {
		// A collection deleted on a is deleted on b only with on_delete sync, and only
		// once b's copy is empty; the mapping goes with it.
		e.both(map[string]string{"1.ics": ics("1", "one")})
		e.syncOK()
		e.be.rmcol(A, "cal")
		e.reset()
		r := e.sync()
		if !strings.Contains(r.Skipped, "on_delete skip keeps it on b") {
			t.Errorf("skipped %q", r.Skipped)
		}
		e.pair.DeleteSync = true
		r = e.sync()
		if !strings.Contains(r.Skipped, "still has items there") || r.Deleted != [2]int{} || len(r.CollectionOps) != 0 {
			t.Errorf("want a refused deletion: %s", describe(r))
		}
		e.noWrites()
		e.want(B, "cal", map[string]string{"1.ics": ics("1", "one")})
		if _, ok, _ := e.st.Mapping("cal"); !ok {
			t.Error("mapping forgotten while b still has the collection")
		}
		e.be.remove(B, "cal", "1.ics")
		failed := errors.New("injected failure")
		e.hooks[B].fail = func(op, href string) error { return failed }
		r = e.sync()
		if !errors.Is(r.Err, failed) || r.Deleted != [2]int{} || len(r.CollectionOps) != 0 {
			t.Errorf("want a failed deletion: %s", describe(r))
		}
		e.hooks[B].fail = nil
		r = e.sync()
		if r.Deleted != [2]int{0, 1} || r.Err != nil || len(r.CollectionOps) != 1 {
			t.Errorf("want b's collection deleted: %s", describe(r))
		}
		if e.be.hasCol(B, "cal") {
			t.Error("b still has cal")
		}
		if _, ok, _ := e.st.Mapping("cal"); ok {
			t.Error("mapping kept")
		}
		if res := e.syncAll(); len(res.Collections) != 0 {
			t.Errorf("a sync after the deletion syncs %v", keysOf(res))
		}
	}},

	{"collection gone from both sides", func(t *testing.T, e *env) {
		e.pair.Select = plan.Selection{IDs: []string{"cal"}}
		e.both(map[string]string{"1.ics": ics("1", "one")})
		e.syncOK()
		e.be.rmcol(A, "cal")
		e.be.rmcol(B, "cal")
		e.reset()
		if r := e.sync(); !r.OK() || len(r.CollectionOps) != 0 {
			t.Errorf("%s", describe(r))
		}
		e.noWrites()
		if _, ok, _ := e.st.Mapping("cal"); ok {
			t.Error("mapping of a collection gone from both sides kept")
		}
	}},

	{"only", func(t *testing.T, e *env) {
		e.be.mkcol(A, "cal")
		e.be.mkcol(A, "work")
		e.put(A, "1.ics", ics("1", "one"))
		e.be.put(A, "work", "2.ics", []byte(ics("2", "two")))
		e.pair.Only = []string{"work", "nope"}
		res := e.syncAll()
		if keys := keysOf(res); !slices.Equal(keys, []string{"nope", "work"}) {
			t.Fatalf("synced %v, want [nope work]", keys)
		}
		if r := e.result(res, "work"); !r.OK() || r.Created != [2]int{0, 1} {
			t.Errorf("%s", describe(r))
		}
		if r := e.result(res, "nope"); r.Err == nil || !strings.Contains(r.Err.Error(), "no collection nope") {
			t.Errorf("unknown collection: %v", r.Err)
		}
		if e.be.hasCol(B, "cal") {
			t.Error("cal was synced")
		}
		if _, ok, _ := e.st.Mapping("cal"); ok {
			t.Error("cal was recorded")
		}
	}},

	{"fetch size and write limits", func(t *testing.T, e *env) {
		e.both(nil)
		const n = 90
		e.fill(A, n)
		e.pair.FetchSize = [2]int{40, 0}
		e.pair.Writes = [2]int{8, 3}
		var mu sync.Mutex
		inFlight, most := 0, 0
		e.hooks[B].mu.Lock()
		e.hooks[B].fail = func(op, href string) error {
			mu.Lock()
			inFlight++
			most = max(most, inFlight)
			mu.Unlock()
			time.Sleep(time.Millisecond) // long enough for the others to pile up
			mu.Lock()
			inFlight--
			mu.Unlock()
			return nil
		}
		e.hooks[B].mu.Unlock()
		e.counts(e.syncOK(), [2]int{0, n}, [2]int{}, [2]int{})
		if sizes := e.hooks[A].getSizes(); !slices.Equal(sizes, []int{10, 40, 40}) {
			t.Errorf("Get sizes %v, want 40, 40 and 10", sizes)
		}
		if most != 3 {
			t.Errorf("up to %d writes at once on b, want 3", most)
		}
	}},

	{"get all", func(t *testing.T, e *env) {
		// A first sync against a side full of items gets them in one answer. What the
		// answer leaves out comes with Get; an item it sends twice is taken once, as
		// first sent; one it sends that was not listed is not taken.
		e.both(nil)
		const n = 90
		e.fill(A, n)
		e.pair.FetchSize = [2]int{40, 0}
		e.hooks[A].mu.Lock()
		e.hooks[A].all = func(items []storage.Item) ([]storage.Item, error) {
			var out []storage.Item
			for _, it := range items {
				if it.Href != "005.ics" {
					out = append(out, it)
				}
			}
			return append(out, storage.Item{Href: "000.ics", Etag: "x", Data: []byte(ics("0", "second"))},
				storage.Item{Href: "new.ics", Etag: "y", Data: []byte(ics("new", "not listed"))}), nil
		}
		e.hooks[A].mu.Unlock()
		e.counts(e.syncOK(), [2]int{0, n}, [2]int{}, [2]int{})
		if got := e.hooks[A].fetched(); !slices.Equal(got, []string{"005.ics"}) || e.hooks[A].alls != 1 {
			t.Errorf("%d GetAll and Get of %v, want 1 GetAll and Get of 005.ics", e.hooks[A].alls, got)
		}
		e.inSync("cal")

		// A few changes are fetched with Get, not with every item.
		e.reset()
		for i := range 3 {
			e.put(A, fmt.Sprintf("%03d.ics", i), ics(fmt.Sprint(i), "edited"))
		}
		e.counts(e.syncOK(), [2]int{}, [2]int{0, 3}, [2]int{})
		if got := e.hooks[A].fetched(); len(got) != 3 || e.hooks[A].alls != 1 {
			t.Errorf("after 3 edits: %d GetAll calls in all and Get of %v, want Get of the 3", e.hooks[A].alls, got)
		}
		e.inSync("cal")
	}},

	{"get all cut short", func(t *testing.T, e *env) {
		// An answer that fails part way is no failure of the sync: what it brought
		// counts, the rest comes with Get, in chunks.
		e.both(nil)
		const n = 90
		e.fill(B, n)
		e.pair.FetchSize = [2]int{0, 30}
		e.hooks[B].mu.Lock()
		e.hooks[B].all = func(items []storage.Item) ([]storage.Item, error) {
			return items[:25], errors.New("connection reset")
		}
		e.hooks[B].mu.Unlock()
		e.counts(e.syncOK(), [2]int{n, 0}, [2]int{}, [2]int{})
		sizes := e.hooks[B].getSizes()
		if !slices.Equal(sizes, []int{5, 30, 30}) || e.hooks[B].alls != 1 || len(e.hooks[B].fetched()) != n-25 {
			t.Errorf("%d GetAll and Gets of %v items, want 1 and 30, 30, 5 (none of the first 25)", e.hooks[B].alls, sizes)
		}
		e.inSync("cal")
	}},

	{"stop", func(t *testing.T, e *env) {
		e.both(nil)
		const n = 40
		e.fill(A, n)
		stop := make(chan struct{})
		var once sync.Once
		var mu sync.Mutex
		writes := 0
		e.hooks[B].mu.Lock()
		e.hooks[B].fail = func(op, href string) error {
			mu.Lock()
			writes++
			if writes == 5 {
				once.Do(func() { close(stop) })
			}
			mu.Unlock()
			return nil
		}
		e.hooks[B].mu.Unlock()
		e.pair.Stop = stop
		e.pair.Writes = [2]int{1, 1} // so that most actions are still to start
		res, err := e.pair.Sync(context.Background())
		if !errors.Is(err, ErrStopped) || len(res.Collections) != 1 {
			t.Fatalf("stopped sync: %v, %+v", err, res)
		}
		r := res.Collections[0]
		if r.Created[B] < 5 || r.Created[B] >= n || r.Created[B]+len(r.ItemErrors) != n {
			t.Fatalf("stopped sync: %s", describe(r))
		}
		for _, err := range r.ItemErrors {
			if !errors.Is(err, ErrStopped) {
				t.Errorf("item error %v, want ErrStopped", err)
			}
		}
		// What was done is committed: the next sync does only the rest.
		items, _ := e.st.Items("cal")
		if len(items) != r.Created[B] {
			t.Errorf("%d items recorded after %d created", len(items), r.Created[B])
		}
		e.pair.Stop = nil
		e.hooks[B].mu.Lock()
		e.hooks[B].fail = nil
		e.hooks[B].mu.Unlock()
		if again := e.syncOK(); again.Created[B] != n-r.Created[B] {
			t.Errorf("the sync after: %s", describe(again))
		}
	}},

	{"dry run", func(t *testing.T, e *env) {
		// A dry run reports what a sync would do and changes neither the storages nor
		// the status; the real sync then does just that.
		e.both(nil)
		e.put(A, "1.ics", ics("1", "one"))
		e.put(A, "2.ics", ics("2", "two"))
		e.syncOK()
		e.put(A, "1.ics", ics("1", "edited"))
		e.be.remove(B, "cal", "2.ics")
		e.put(A, "3.ics", ics("3", "three"))
		e.be.setProp(A, "cal", storage.DisplayName, "Cal")
		e.be.mkcol(A, "work")
		e.be.put(A, "work", "4.ics", []byte(ics("4", "four")))
		itemsBefore := [2]map[string][]byte{e.be.items(A, "cal"), e.be.items(B, "cal")}
		rows := e.rows("cal")
		writes := e.st.writes
		e.pair.DryRun = true
		var rec recorder
		e.pair.OnAction = rec.on
		e.reset()
		dry := e.syncAll()
		e.noWrites()
		if e.st.writes != writes {
			t.Errorf("%d status writes", e.st.writes-writes)
		}
		e.sameRows(rows)
		if len(e.st.props["cal"]) != 0 {
			t.Errorf("status properties %v", e.st.props["cal"])
		}
		for s := A; s <= B; s++ {
			if got := e.be.items(s, "cal"); !maps.EqualFunc(got, itemsBefore[s], slices.Equal) {
				t.Errorf("%s changed", s)
			}
		}
		if e.be.hasCol(B, "work") || len(e.be.props(B, "cal")) != 0 {
			t.Error("b was changed")
		}
		if _, ok, _ := e.st.Mapping("work"); ok {
			t.Error("work was recorded")
		}
		if len(rec.acts) != 4 || len(rec.errs) != 0 {
			t.Errorf("OnAction saw %d actions and errors %v, want 4 planned actions", len(rec.acts), rec.errs)
		}
		e.pair.DryRun, e.pair.OnAction = false, nil
		real := e.syncAll()
		for _, key := range []string{"cal", "work"} {
			d, r := e.result(dry, key), e.result(real, key)
			if d.Created != r.Created || d.Updated != r.Updated || d.Deleted != r.Deleted || !slices.Equal(d.CollectionOps, r.CollectionOps) {
				t.Errorf("dry run reported %s\nthe sync did %s", describe(d), describe(r))
			}
		}
		e.counts(e.result(real, "cal"), [2]int{0, 1}, [2]int{0, 1}, [2]int{1, 0})
		e.inSync("cal")
		e.inSync("work")
	}},
}

func keysOf(res *Result) []string {
	var keys []string
	for _, c := range res.Collections {
		keys = append(keys, c.Key)
	}
	slices.Sort(keys)
	return keys
}

func wantProps(t *testing.T, e *env, want map[storage.Prop]string) {
	t.Helper()
	for s := A; s <= B; s++ {
		if got := e.be.props(s, "cal"); !maps.Equal(got, want) {
			t.Errorf("properties of %s: %v, want %v", s, got, want)
		}
	}
}

// TestCrash interrupts a sync after every possible number of status writes and of
// storage writes (the process dies: every later write fails), then checks that one
// clean sync converges to what an uninterrupted sync gives, and that a further sync
// has nothing left to do.
func TestCrash(t *testing.T) {
	for statusWrites := 0; statusWrites <= 9; statusWrites++ {
		for storageWrites := 0; storageWrites <= 8; storageWrites++ {
			crashOnce(t, statusWrites, storageWrites)
		}
	}
}

func crashOnce(t *testing.T, statusWrites, storageWrites int) {
	be := newMemBackend(t).(*memBackend)
	e := newEnv(t, be)
	e.both(nil)
	for _, id := range []string{"1", "2", "3", "4", "5"} {
		e.put(A, id+".ics", ics(id, "item "+id))
	}
	e.syncOK()

	e.put(A, "1.ics", ics("1", "edited on a"))
	e.put(B, "2.ics", ics("2", "edited on b"))
	e.be.remove(A, "cal", "3.ics")
	e.be.remove(B, "cal", "4.ics")
	e.put(A, "6.ics", ics("6", "new on a"))
	e.put(B, "7.ics", ics("7", "new on b"))
	e.be.setProp(A, "cal", storage.DisplayName, "Cal")

	e.st.crashAfter = e.st.writes + statusWrites
	var mu sync.Mutex
	left := storageWrites
	crash := func(op, href string) error {
		if op == "get" {
			return nil
		}
		mu.Lock()
		defer mu.Unlock()
		if left == 0 {
			return errCrashed
		}
		left--
		return nil
	}
	be.st[A].Fail, be.st[B].Fail = crash, crash
	res, err := e.pair.Sync(context.Background())
	if err != nil {
		t.Fatalf("crashed sync (%d status, %d storage writes): %v", statusWrites, storageWrites, err)
	}
	// The full sync makes 7 writes to each storage, 6 items and a property, and 8 to
	// the status: those and, before the items, their write intents.
	if r, crashed := e.result(res, "cal"), statusWrites < 8 || storageWrites < 7; r.OK() == crashed {
		t.Errorf("crash after %d status and %d storage writes: %s", statusWrites, storageWrites, describe(r))
	}
	for _, r := range res.Collections {
		for _, err := range r.ItemErrors {
			if !errors.Is(err, errCrashed) && !strings.Contains(err.Error(), errCrashed.Error()) {
				t.Errorf("crashed sync: unexpected error %v", err)
			}
		}
	}

	e.st.crashAfter = 0
	be.st[A].Fail, be.st[B].Fail = nil, nil
	if r := e.sync(); !r.OK() || r.Skips != 0 {
		t.Fatalf("clean sync after a crash after %d status and %d storage writes: %s", statusWrites, storageWrites, describe(r))
	}
	want := map[string]string{
		"1.ics": ics("1", "edited on a"), "2.ics": ics("2", "edited on b"), "5.ics": ics("5", "item 5"),
		"6.ics": ics("6", "new on a"), "7.ics": ics("7", "new on b"),
	}
	e.want(A, "cal", want)
	e.want(B, "cal", want)
	e.inSync("cal")
	wantProps(t, e, map[storage.Prop]string{storage.DisplayName: "Cal"})
	if got := e.st.props["cal"]; got["displayname"] != "Cal" {
		t.Errorf("status properties %v", got)
	}
	e.reset()
	writes := e.st.writes
	e.counts(e.syncOK(), [2]int{}, [2]int{}, [2]int{})
	e.noWrites()
	if e.st.writes != writes {
		t.Errorf("%d status writes after convergence", e.st.writes-writes)
	}
	if t.Failed() {
		t.FailNow()
	}
}

// TestUnreadable checks that an item a side lists but cannot read is left alone, not
// taken for deleted, and reported.
func TestUnreadable(t *testing.T) {
	setup := func(t *testing.T, be backend) *env {
		e := newEnv(t, be)
		e.both(nil)
		e.put(A, "1.ics", ics("1", "one"))
		e.put(A, "2.ics", ics("2", "two"))
		e.syncOK()
		e.put(A, "2.ics", ics("2", "edited"))
		return e
	}
	check := func(t *testing.T, e *env, r *CollectionResult, rows map[string]status.Item) {
		t.Helper()
		if len(r.ItemErrors) != 1 || !strings.Contains(r.ItemErrors[0].Error(), "1.ics on a") {
			t.Errorf("want one error about 1.ics on a: %s", describe(r))
		}
		e.counts(r, [2]int{}, [2]int{0, 1}, [2]int{})
		e.want(B, "cal", map[string]string{"1.ics": ics("1", "one"), "2.ics": ics("2", "edited")})
		if got := e.rows("cal")["1"]; got != rows["1"] {
			t.Errorf("status of 1 changed to %+v", got)
		}
	}
	t.Run("vdir link out of the storage", func(t *testing.T) {
		e := setup(t, newVdirBackend(t))
		rows := e.rows("cal")
		be := e.be.(*vdirBackend)
		outside := filepath.Join(t.TempDir(), "1.ics")
		if err := os.WriteFile(outside, []byte(ics("1", "outside")), 0o644); err != nil {
			t.Fatal(err)
		}
		e.be.remove(A, "cal", "1.ics")
		if err := os.Symlink(outside, be.path(A, "cal", "1.ics")); err != nil {
			t.Fatal(err)
		}
		check(t, e, e.sync(), rows)
	})
	t.Run("mem fetch fails", func(t *testing.T) {
		be := newMemBackend(t).(*memBackend)
		e := setup(t, be)
		rows := e.rows("cal")
		e.be.touch(A, "cal", "1.ics")
		be.st[A].Fail = func(op, href string) error {
			if op == "get" && href == "1.ics" {
				return errors.New("injected failure")
			}
			return nil
		}
		check(t, e, e.sync(), rows)
	})
}
