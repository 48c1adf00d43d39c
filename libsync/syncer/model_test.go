package syncer

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"maps"
	"math/rand/v2"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pimsync-go/libsync/plan"
	"github.com/pimsync-go/libsync/status"
	"github.com/pimsync-go/libsync/storage"
	"github.com/pimsync-go/libsync/storage/memstore"
	vdir "github.com/pimsync-go/libvdir"
	"github.com/pimsync-go/libvdir/item"
)

var (
	modelN    = flag.Int("model.n", 10000, "number of random scenarios TestModel runs")
	modelSeed = flag.Uint64("model.seed", 0, "run only TestModel's scenario with this seed")
)

// TestModel syncs two in-memory storages with one or two collections through random
// options (resolution, on_empty, a read-only side, one_way) and rounds of random user
// changes (creates, edits, DTSTAMP-only edits, deletions, moves to another href, new
// etags, a collection property; items with and without UID), each followed by a sync
// that may crash after a few writes (every storage and status write fails from then
// on) and, if it did, one clean sync. After the clean sync:
//
//	(a) no ident is on a side twice;
//	(b) every ident is on both sides with the same hash and the same bytes but for
//	    DTSTAMP (which the hash leaves out, so such an edit is not copied), or on
//	    neither; or it is a reported conflict (report mode only) or skipped write
//	    (read-only side only), and then the sync left its status record as it was;
//	    a read-only side is byte for byte what the user left, and so is a in a
//	    one-way pair, where b has exactly a's items;
//	(c) every item on either side is a version the user wrote of its ident, and an
//	    ident the user last wrote, with content that differs from the status's
//	    record on that side, still exists (unless one_way mirrored it away from b);
//	    the write itself survives on its side, and reaches the other, as three-way
//	    sync and the resolution say (checkWrite);
//	(d) the status records, for every ident in sync, exactly the href, etag and hash
//	    each side has, and nothing for idents on neither side; displayname is equal
//	    and recorded unless in conflict or blocked by a read-only side;
//
// and, in the last round and at random before, one more sync writes nothing and
// reports the same. Scenario i uses seed i; a failure prints the seed, the options
// and what happened, and -model.seed replays it.
func TestModel(t *testing.T) {
	if *modelSeed != 0 {
		if err := runModel(*modelSeed); err != nil {
			t.Fatal(err)
		}
		return
	}
	// One goroutine per scenario, not long-lived workers: under -race, a goroutine
	// that starts hundreds of thousands of others gets slower and slower.
	var failures atomic.Int32
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for seed := uint64(1); seed <= uint64(*modelN) && failures.Load() < 3; seed++ {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if err := runModel(seed); err != nil && failures.Add(1) <= 3 {
				t.Errorf("%v\nreplay with: go test -run 'TestModel$' -model.seed %d", err, seed)
			}
		}()
	}
	wg.Wait()
}

const (
	modelRounds = 4
	uidPool     = 6 // UIDs u0…u5, so that both sides sometimes create the same one
)

// model is one scenario: the pair, the storages as the user changes them, and what
// the user did to each item.
type model struct {
	seed  uint64
	rng   *rand.Rand
	opts  plan.Options
	conc  int
	cols  []string
	mem   [2]*memstore.Storage
	st    *memStatus
	crash *crasher
	pair  *Pair
	acts  *actionLog
	n     int // makes content and names unique
	round int
	log   []string
	errs  []string
	// intent is what the user did, by collection and ident.
	intent map[string]map[string]*intent
	// base are the status records when the round began: what the planner compares
	// with, and so what tells a change from a non-change (a new DTSTAMP, a revert).
	base map[string]map[string]status.Item
	// known caches the hash and ident of every content, which the checks need often.
	known map[string]identity
}

type identity struct{ hash, ident string }

// identify returns the hash and ident of data.
func (m *model) identify(data []byte) identity {
	if id, ok := m.known[string(data)]; ok {
		return id
	}
	id := identity{item.Hash(data), identOf(data)}
	m.known[string(data)] = id
	return id
}

// intent is what the user did to one ident: every version written (the sync may only
// ever copy one of these), and the last action.
type intent struct {
	writes map[string]bool
	last   userAction
}

type userAction struct {
	write  bool
	side   plan.Side
	data   []byte
	change bool // a write whose content differs from the status's record on its side
	round  int
}

func runModel(seed uint64) (err error) {
	m := &model{seed: seed, rng: rand.New(rand.NewPCG(seed, 0x5eed)), st: newMemStatus(),
		crash: &crasher{left: -1}, acts: &actionLog{}, intent: map[string]map[string]*intent{},
		known: map[string]identity{}}
	m.setup()
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("seed %d panicked: %v", seed, v)
		}
		if err != nil {
			err = fmt.Errorf("%w\n%s", err, strings.Join(m.log, "\n"))
		}
	}()
	for m.round = 0; m.round < modelRounds; m.round++ {
		m.playRound()
		if len(m.errs) > 0 {
			return fmt.Errorf("seed %d, options %s, round %d:\n  %s", seed, m.options(), m.round, strings.Join(m.errs, "\n  "))
		}
	}
	return nil
}

func (m *model) options() string {
	return fmt.Sprintf("resolve=%s sync_empty=%v read_only=%v one_way=%v concurrency=%d collections=%v",
		[]string{"report", "keep a", "keep b"}[m.opts.Resolve], m.opts.SyncEmpty, m.opts.ReadOnly, m.opts.OneWay, m.conc, m.cols)
}

func (m *model) logf(format string, args ...any) {
	m.log = append(m.log, fmt.Sprintf("r%d ", m.round)+fmt.Sprintf(format, args...))
}

func (m *model) failf(format string, args ...any) {
	m.errs = append(m.errs, fmt.Sprintf(format, args...))
}

func (m *model) setup() {
	r := m.rng
	m.opts.Resolve = plan.Resolution(r.IntN(3))
	m.opts.SyncEmpty = r.IntN(2) == 0
	m.opts.OneWay = r.IntN(4) == 0
	switch r.IntN(4) {
	case 0:
		m.opts.ReadOnly[A] = true
	case 1:
		m.opts.ReadOnly[B] = !m.opts.OneWay
	}
	m.conc = []int{1, 4}[r.IntN(2)]
	m.cols = []string{"c1", "c2"}[:1+r.IntN(2)]
	m.mem = [2]*memstore.Storage{memstore.New("a"), memstore.New("b")}
	for s := A; s <= B; s++ {
		m.mem[s].Fail = func(op, href string) error {
			if op == "get" {
				return nil
			}
			return m.crash.write()
		}
	}
	for _, c := range m.cols {
		// A collection may start on one side only, where the sync can create it on
		// the other.
		on := [2]bool{true, true}
		switch r.IntN(4) {
		case 0:
			on[B] = m.opts.ReadOnly[B]
		case 1:
			on[A] = m.opts.ReadOnly[A] || m.opts.OneWay
		}
		for s := A; s <= B; s++ {
			if on[s] {
				m.mem[s].Add(c)
			}
		}
	}
	m.pair = &Pair{Name: "model", Status: crashStatus{m.st, m.crash}, Options: m.opts,
		Select: plan.Selection{From: [2]bool{true, true}}, OnAction: m.acts.on}
	for s := A; s <= B; s++ {
		var st storage.Storage = m.mem[s]
		// A one-way pair must never write a; make a write there an error.
		if m.opts.ReadOnly[s] || m.opts.OneWay && s == A {
			st = storage.ReadOnly(st)
		}
		m.pair.Storage[s] = st
	}
}

// playRound makes the user's changes, syncs (maybe crashing), syncs cleanly when the
// first sync crashed, checks the invariants, and checks that one more sync has
// nothing left to do.
func (m *model) playRound() {
	m.base = map[string]map[string]status.Item{}
	for _, c := range m.cols {
		m.base[c] = m.rows(c)
	}
	ops := 1 + m.rng.IntN(4)
	if m.round == 0 {
		ops += 2
	}
	for range ops {
		m.userOp()
	}
	pre := m.snapshot()
	mid := pre
	ctx := context.Background()

	crashAt := -1
	if m.rng.IntN(2) == 0 {
		crashAt = m.rng.IntN(8)
	}
	if crashAt >= 0 {
		m.crash.set(crashAt)
		m.pair.Concurrency = 1 // the same writes crash on a replay
		res, err := m.pair.Sync(ctx)
		m.crash.set(-1)
		m.acts.take()
		if err != nil {
			m.failf("crashing sync: %v", err)
			return
		}
		m.logf("sync crashing after %d writes: %s", crashAt, summary(res))
		mid = m.snapshot()
	}
	before := map[string]map[string]status.Item{}
	for _, c := range m.cols {
		before[c] = m.rows(c)
	}
	m.pair.Concurrency = m.conc
	res, err := m.pair.Sync(ctx)
	acts := m.acts.take()
	if err != nil {
		m.failf("sync: %v", err)
		return
	}
	m.logf("sync: %s", summary(res))
	post := m.snapshot()
	for _, c := range m.cols {
		m.check(c, pre[c], mid[c], post[c], before[c], result(res, c), acts[c])
	}
	// One more sync has nothing to do. Checked in the last round and in a third of
	// the others: every sync costs, most under -race.
	if len(m.errs) > 0 || m.round < modelRounds-1 && m.rng.IntN(3) > 0 {
		return
	}
	writes := m.crash.set(-1)
	again, err := m.pair.Sync(ctx)
	m.acts.take()
	if err != nil {
		m.failf("sync after convergence: %v", err)
		return
	}
	if w := m.crash.set(-1); w != writes {
		m.failf("the sync after a clean sync wrote %d times: %s", w-writes, summary(again))
	}
	for _, c := range m.cols {
		r1, r2 := result(res, c), result(again, c)
		if r1 == nil || r2 == nil || r1.Skipped != r2.Skipped || r1.Skips != r2.Skips || len(r2.ItemErrors) > 0 ||
			!slices.EqualFunc(r1.Conflicts, r2.Conflicts, func(x, y ItemConflict) bool { return x.Ident == y.Ident }) ||
			!slices.Equal(r1.PropConflicts, r2.PropConflicts) {
			m.failf("%s: the sync after a clean sync differs: %s", c, summary(again))
		}
	}
}

func result(res *Result, key string) *CollectionResult {
	for _, r := range res.Collections {
		if r.Key == key {
			return r
		}
	}
	return nil
}

func summary(res *Result) string {
	var parts []string
	for _, r := range res.Collections {
		parts = append(parts, describe(r))
	}
	return strings.Join(parts, "; ")
}

func (m *model) rows(c string) map[string]status.Item {
	items, _ := m.st.Items(c)
	out := make(map[string]status.Item, len(items))
	for _, it := range items {
		out[it.Ident] = it
	}
	return out
}

// sideState is one side of a collection as the checks see it.
type sideState struct {
	exists bool
	items  listing // by href
	props  map[storage.Prop]string
}

// byIdent returns the item of each ident, and the idents found more than once.
func (s sideState) byIdent() (map[string]listed, []string) {
	out := map[string]listed{}
	var dups []string
	for _, href := range slices.Sorted(maps.Keys(s.items)) {
		it := s.items[href]
		if _, dup := out[it.ident]; dup {
			dups = append(dups, it.ident)
		}
		it.href = href
		out[it.ident] = it
	}
	return out, dups
}

func (m *model) snapshot() map[string][2]sideState {
	ctx := context.Background()
	out := map[string][2]sideState{}
	for _, c := range m.cols {
		var st [2]sideState
		for s := A; s <= B; s++ {
			col := m.col(s, c)
			if col == nil {
				continue
			}
			l, _ := col.List(ctx)
			data := col.Snapshot()
			props, _ := col.Props(ctx)
			st[s] = sideState{exists: true, items: listing{}, props: props}
			for _, e := range l.Items {
				d := data[e.Href]
				id := m.identify(d)
				st[s].items[e.Href] = listed{etag: e.Etag, hash: id.hash, ident: id.ident, data: d}
			}
		}
		out[c] = st
	}
	return out
}

// col returns side s's collection c, or nil when it does not exist.
func (m *model) col(s plan.Side, c string) *memstore.Collection {
	cols, _ := m.mem[s].Collections(context.Background())
	for _, info := range cols {
		if info.ID == c {
			return m.mem[s].Add(c)
		}
	}
	return nil
}

// The user's changes.

var dtstampRE = regexp.MustCompile(`DTSTAMP:[0-9TZ]+`)

func (m *model) content(uid string) []byte {
	m.n++
	stamp := time.Date(2026, 1, 1, 0, 0, m.n, 0, time.UTC).Format("20060102T150405Z")
	u := ""
	if uid != "" {
		u = "UID:" + uid + "\r\n"
	}
	return []byte(fmt.Sprintf("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//model//EN\r\nBEGIN:VEVENT\r\n%sDTSTAMP:%s\r\nDTSTART:20260101T100000Z\r\nSUMMARY:s%d\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n", u, stamp, m.n))
}

func (m *model) userOp() {
	r := m.rng
	s := plan.Side(r.IntN(2))
	c := m.cols[r.IntN(len(m.cols))]
	col := m.col(s, c)
	if col == nil {
		s = s.Other()
		col = m.col(s, c)
	}
	snap := col.Snapshot()
	hrefs := slices.Sorted(maps.Keys(snap))
	idents := map[string]bool{}
	for _, d := range snap {
		idents[m.identify(d).ident] = true
	}
	op := r.IntN(100)
	if len(hrefs) == 0 && op < 90 {
		op = 0
	}
	var href string
	var old []byte
	if len(hrefs) > 0 {
		href = hrefs[r.IntN(len(hrefs))]
		old = snap[href]
	}
	where := fmt.Sprintf("%s/%s", s, c)
	switch {
	case op < 30: // create
		uid := ""
		if r.IntN(10) < 7 {
			var free []string
			for i := range uidPool {
				if u := fmt.Sprintf("u%d", i); !idents[u] {
					free = append(free, u)
				}
			}
			if len(free) > 0 {
				uid = free[r.IntN(len(free))]
			}
		}
		data := m.content(uid)
		href = vdir.SafeName(m.identify(data).ident, "ics")
		if _, taken := snap[href]; taken || r.IntN(2) == 0 {
			href = fmt.Sprintf("r%d.ics", m.n)
		}
		col.Put(href, data)
		m.wrote(c, s, data)
		m.logf("%s: create %s at %s", where, summaryOf(string(data)), href)
	case op < 55: // edit; without a UID this makes another ident
		data := m.content(item.UID(old))
		col.Put(href, data)
		if m.identify(old).ident != m.identify(data).ident {
			m.deleted(c, s, old)
		}
		m.wrote(c, s, data)
		m.logf("%s: edit %s to %s", where, href, summaryOf(string(data)))
	case op < 65: // only DTSTAMP changes: the same content for the hash
		m.n++
		stamp := time.Date(2027, 1, 1, 0, 0, m.n, 0, time.UTC).Format("20060102T150405Z")
		data := dtstampRE.ReplaceAll(old, []byte("DTSTAMP:"+stamp))
		col.Put(href, data)
		m.wrote(c, s, data)
		m.logf("%s: restamp %s to %s", where, href, summaryOf(string(data)))
	case op < 80:
		col.Drop(href)
		m.deleted(c, s, old)
		m.logf("%s: delete %s (%s)", where, href, summaryOf(string(old)))
	case op < 88:
		m.n++
		to := fmt.Sprintf("m%d.ics", m.n)
		col.Drop(href)
		col.Put(to, old)
		m.wrote(c, s, old)
		m.logf("%s: move %s to %s", where, href, to)
	case op < 92:
		col.Touch(href)
		m.logf("%s: touch %s", where, href)
	default: // a collection property
		m.n++
		v := fmt.Sprintf("n%d", m.n)
		if r.IntN(3) == 0 {
			v = ""
		}
		col.SetProp(context.Background(), storage.DisplayName, v)
		m.logf("%s: displayname %q", where, v)
	}
}

func (m *model) intentOf(c, ident string) *intent {
	if m.intent[c] == nil {
		m.intent[c] = map[string]*intent{}
	}
	it := m.intent[c][ident]
	if it == nil {
		it = &intent{writes: map[string]bool{}}
		m.intent[c][ident] = it
	}
	return it
}

func (m *model) wrote(c string, s plan.Side, data []byte) {
	id := m.identify(data)
	it := m.intentOf(c, id.ident)
	it.writes[string(data)] = true
	change := true
	if rec, ok := m.base[c][id.ident]; ok {
		change = id.hash != sideOf(rec, s).Hash
	}
	it.last = userAction{write: true, side: s, data: data, change: change, round: m.round}
}

func (m *model) deleted(c string, s plan.Side, data []byte) {
	it := m.intentOf(c, m.identify(data).ident)
	it.last = userAction{side: s, round: m.round}
}

func sideOf(it status.Item, s plan.Side) status.Side {
	if s == A {
		return it.A
	}
	return it.B
}

// sameBytes compares items but for DTSTAMP, which the hash leaves out: an item whose
// only change is a new DTSTAMP is recorded, not copied.
func sameBytes(x, y []byte) bool {
	return bytes.Equal(dtstampRE.ReplaceAll(x, nil), dtstampRE.ReplaceAll(y, nil))
}

// check verifies collection c after the clean sync. pre is what the user left, mid
// what the clean sync started from (after a crashed sync, if any), post the outcome;
// before are the status records the clean sync started from.
func (m *model) check(c string, pre, mid, post [2]sideState, before map[string]status.Item, r *CollectionResult, acts []plan.Action) {
	fail := func(format string, args ...any) { m.failf(c+": "+format, args...) }
	if r == nil {
		fail("no result")
		return
	}
	if r.Err != nil || len(r.ItemErrors) > 0 || len(r.Duplicates) > 0 {
		fail("errors in a clean sync: %s", describe(r))
	}
	var ids [2]map[string]listed
	for s := A; s <= B; s++ {
		if !post[s].exists {
			fail("missing on %s", s)
			return
		}
		var dups []string
		ids[s], dups = post[s].byIdent()
		if len(dups) > 0 { // (a)
			fail("%v more than once on %s", dups, s)
		}
	}
	rows := m.rows(c)

	// A read-only side is exactly as the user left it; so is a in a one-way pair.
	for s := A; s <= B; s++ {
		if m.opts.ReadOnly[s] || m.opts.OneWay && s == A {
			if !sameState(pre[s], post[s]) {
				fail("%s was written", s)
			}
		}
	}

	// (c) Nothing the user changed and did not delete is lost, and only the user's
	// own versions are ever copied.
	for s := A; s <= B; s++ {
		for ident := range ids[s] {
			if m.intent[c][ident] == nil {
				fail("%s on %s was never written by the user", ident, s)
			}
		}
	}
	for ident, in := range m.intent[c] {
		for s := A; s <= B; s++ {
			if it, ok := ids[s][ident]; ok && !in.writes[string(it.data)] {
				fail("%s on %s has content the user never wrote: %q", ident, s, summaryOf(string(it.data)))
			}
		}
		last := in.last
		_, onA := ids[A][ident]
		_, onB := ids[B][ident]
		if last.write && last.change && !(m.opts.OneWay && last.side == B) && !onA && !onB {
			fail("%s is lost: last written on %s in round %d", ident, last.side, last.round)
		}
		if last.write && last.change && last.round == m.round && !(m.opts.OneWay && last.side == B) {
			m.checkWrite(c, ident, last, pre, ids, r)
		}
	}

	if r.Skipped != "" {
		// Only on_empty skips whole collections here; such a sync changes nothing.
		if !m.emptySkip(mid, before) {
			fail("skipped for no reason: %q", r.Skipped)
		}
		for s := A; s <= B; s++ {
			if !sameState(mid[s], post[s]) {
				fail("skipped, yet %s was written", s)
			}
		}
		if !maps.Equal(rows, before) {
			fail("skipped, yet the status changed")
		}
		return
	}

	// (b), (d) Every ident is in sync and recorded, or a reported conflict or skip
	// whose record the sync left as it was.
	conflicts := map[string]bool{}
	for _, cf := range r.Conflicts {
		conflicts[cf.Ident] = true
	}
	if len(conflicts) > 0 && (m.opts.Resolve != plan.Report || m.opts.OneWay) {
		fail("conflicts reported although they are resolved: %+v", r.Conflicts)
	}
	skips := map[string]bool{}
	for _, a := range acts {
		if a.Op == plan.Skip {
			skips[a.Ident] = true
			if !m.opts.ReadOnly[a.To] {
				fail("%s: write to %s skipped, which is not read-only", a.Ident, a.To)
			}
		}
	}
	if r.Skips != len(skips) {
		fail("%d skips counted, %d skip actions", r.Skips, len(skips))
	}
	all := map[string]bool{}
	for s := A; s <= B; s++ {
		for ident := range ids[s] {
			all[ident] = true
		}
	}
	for ident := range rows {
		all[ident] = true
	}
	for ident := range all {
		a, onA := ids[A][ident]
		b, onB := ids[B][ident]
		row, recorded := rows[ident]
		switch {
		case onA && onB && a.hash == b.hash:
			if !sameBytes(a.data, b.data) {
				fail("%s: a has %q, b has %q", ident, summaryOf(string(a.data)), summaryOf(string(b.data)))
			}
			want := status.Item{Ident: ident, A: status.Side{Href: a.href, Etag: a.etag, Hash: a.hash},
				B: status.Side{Href: b.href, Etag: b.etag, Hash: b.hash}}
			if row != want {
				fail("%s: status %+v, want %+v", ident, row, want)
			}
			if conflicts[ident] || skips[ident] {
				fail("%s is in sync but reported as a conflict or skip", ident)
			}
		case !onA && !onB:
			if recorded {
				fail("%s is on neither side but recorded: %+v", ident, row)
			}
		case conflicts[ident] && !(onA && onB):
			fail("%s reported as a conflict but on one side only", ident)
		case conflicts[ident] || skips[ident]:
			if old, ok := before[ident]; ok != recorded || old != row {
				fail("%s: unresolved, yet its record changed from %+v to %+v", ident, old, row)
			}
		default:
			fail("%s is out of sync without a reason (a: %v %q, b: %v %q)", ident, onA, summaryOf(string(a.data)), onB, summaryOf(string(b.data)))
		}
	}

	// Properties: equal and recorded, unless in conflict or blocked by a read-only
	// side; a mirror has a's.
	pa, pb := post[A].props[storage.DisplayName], post[B].props[storage.DisplayName]
	conflict := slices.Contains(r.PropConflicts, string(storage.DisplayName))
	switch {
	case pa == pb && conflict:
		fail("displayname %q on both sides reported as a conflict", pa)
	case pa == pb:
		if v := m.st.props[c][string(storage.DisplayName)]; v != pa {
			fail("displayname %q recorded as %q", pa, v)
		}
	case m.opts.OneWay:
		fail("displayname %q on a, %q on b, which mirrors it", pa, pb)
	case !conflict && !m.opts.ReadOnly[A] && !m.opts.ReadOnly[B]:
		fail("displayname %q on a, %q on b", pa, pb)
	}
}

// checkWrite checks the fate of the user's last write to ident, a change made this
// round on side w.side: three-way sync keeps a changed version unless a conflict
// resolution picks the other side's, and copies it unless the other side changed too
// or cannot be written.
func (m *model) checkWrite(c, ident string, w userAction, pre [2]sideState, ids [2]map[string]listed, r *CollectionResult) {
	s, o := w.side, w.side.Other()
	preIDs, _ := pre[o].byIdent()
	other, onO := preIDs[ident]
	rec, known := m.base[c][ident]
	hash := m.identify(w.data).hash
	changedO := onO && (!known || other.hash != sideOf(rec, o).Hash)
	conflict := !m.opts.OneWay && onO && other.hash != hash && (!known || changedO)
	keepO := m.opts.Resolve == plan.KeepA && o == A || m.opts.Resolve == plan.KeepB && o == B
	keepS := m.opts.Resolve == plan.KeepA && s == A || m.opts.Resolve == plan.KeepB && s == B

	got, ok := ids[s][ident]
	switch {
	case conflict && keepO && !m.opts.ReadOnly[s] && r.Skipped == "":
		if !ok || !bytes.Equal(got.data, other.data) {
			m.failf("%s: %s's write %q should have given way to %s's %q", c, s, summaryOf(string(w.data)), o, summaryOf(string(other.data)))
		}
	case !ok || !bytes.Equal(got.data, w.data):
		m.failf("%s: %s's write %q to %s was overwritten or lost", c, s, summaryOf(string(w.data)), ident)
	}
	propagate := r.Skipped == "" && (m.opts.OneWay || !m.opts.ReadOnly[o] && (!conflict || keepS))
	if got, ok := ids[o][ident]; propagate && (!ok || got.hash != hash) {
		m.failf("%s: %s's write %q to %s did not reach %s", c, s, summaryOf(string(w.data)), ident, o)
	}
}

// emptySkip reports whether the on_empty rule applies to a collection as the sync
// found it: one side empty, and the plan deleting on the other side (which it does for
// an item there that the status knows on both sides and that is unchanged there, or,
// one way, for anything on b).
func (m *model) emptySkip(mid [2]sideState, before map[string]status.Item) bool {
	if m.opts.SyncEmpty {
		return false
	}
	for s := A; s <= B; s++ {
		o := s.Other()
		if len(mid[s].items) > 0 || m.opts.ReadOnly[o] {
			continue
		}
		if m.opts.OneWay {
			if s == A && len(mid[B].items) > 0 {
				return true
			}
			continue
		}
		ids, dups := mid[o].byIdent()
		for ident, it := range ids {
			row, ok := before[ident]
			if ok && !slices.Contains(dups, ident) && sideOf(row, s).Href != "" && sideOf(row, o).Href != "" && sideOf(row, o).Hash == it.hash {
				return true
			}
		}
	}
	return false
}

func sameState(x, y sideState) bool {
	if x.exists != y.exists || len(x.items) != len(y.items) || !maps.Equal(x.props, y.props) {
		return false
	}
	for href, it := range x.items {
		if other, ok := y.items[href]; !ok || other.etag != it.etag || !bytes.Equal(other.data, it.data) {
			return false
		}
	}
	return true
}
