package syncer

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pimsync-go/libsync/plan"
	"github.com/pimsync-go/libsync/status"
	"github.com/pimsync-go/libsync/storage"
	"github.com/pimsync-go/libsync/storage/memstore"
	"github.com/pimsync-go/libsync/storage/vdirstore"
	"github.com/pimsync-go/libvdir/item"
)

// The scenario tests are written once against a backend and run on both the in-memory
// storage and real vdirs, which a test changes the way a user would: by writing and
// removing files.

// TestMain keeps the sync's log quiet unless the tests run with -v: the scenario and
// model tests provoke thousands of warnings on purpose.
func TestMain(m *testing.M) {
	flag.Parse()
	if !testing.Verbose() {
		slog.SetDefault(slog.New(slog.DiscardHandler))
	}
	os.Exit(m.Run())
}

// backend is a pair of storages plus the means to change them from outside the sync.
type backend interface {
	storage(s plan.Side) storage.Storage
	mkcol(s plan.Side, id string)
	rmcol(s plan.Side, id string) // with everything in it
	hasCol(s plan.Side, id string) bool
	put(s plan.Side, col, href string, data []byte) // create or overwrite
	remove(s plan.Side, col, href string)
	move(s plan.Side, col, from, to string) // rename, as mv does
	touch(s plan.Side, col, href string)    // new etag, same bytes
	items(s plan.Side, col string) map[string][]byte
	setProp(s plan.Side, col string, p storage.Prop, value string)
	props(s plan.Side, col string) map[storage.Prop]string
}

var backends = []struct {
	name string
	make func(t *testing.T) backend
}{
	{"mem", newMemBackend},
	{"vdir", newVdirBackend},
}

// memBackend is two memstore storages.
type memBackend struct {
	t  *testing.T
	st [2]*memstore.Storage
}

func newMemBackend(t *testing.T) backend {
	return &memBackend{t: t, st: [2]*memstore.Storage{memstore.New("a"), memstore.New("b")}}
}

func (m *memBackend) storage(s plan.Side) storage.Storage { return m.st[s] }
func (m *memBackend) mkcol(s plan.Side, id string)        { m.st[s].Add(id) }
func (m *memBackend) rmcol(s plan.Side, id string)        { m.st[s].Remove(id) }

func (m *memBackend) hasCol(s plan.Side, id string) bool {
	cols, _ := m.st[s].Collections(context.Background())
	for _, c := range cols {
		if c.ID == id {
			return true
		}
	}
	return false
}

func (m *memBackend) col(s plan.Side, id string) *memstore.Collection {
	m.t.Helper()
	if !m.hasCol(s, id) {
		m.t.Fatalf("no collection %s on %s", id, s)
	}
	return m.st[s].Add(id)
}

func (m *memBackend) put(s plan.Side, col, href string, data []byte) { m.col(s, col).Put(href, data) }
func (m *memBackend) remove(s plan.Side, col, href string)           { m.col(s, col).Drop(href) }
func (m *memBackend) touch(s plan.Side, col, href string)            { m.col(s, col).Touch(href) }

func (m *memBackend) move(s plan.Side, col, from, to string) {
	c := m.col(s, col)
	data := c.Snapshot()[from]
	c.Drop(from)
	c.Put(to, data)
}

func (m *memBackend) items(s plan.Side, col string) map[string][]byte {
	if !m.hasCol(s, col) {
		return nil
	}
	return m.col(s, col).Snapshot()
}

func (m *memBackend) setProp(s plan.Side, col string, p storage.Prop, value string) {
	if err := m.col(s, col).SetProp(context.Background(), p, value); err != nil {
		m.t.Fatal(err)
	}
}

func (m *memBackend) props(s plan.Side, col string) map[storage.Prop]string {
	props, _ := m.col(s, col).Props(context.Background())
	return props
}

// vdirBackend is two vdirs in temporary directories. Files are written in place, as an
// editor would, each with an mtime of its own so that an edit never keeps the etag
// (mtime-ns;inode;size) just because the clock did not tick.
type vdirBackend struct {
	t     *testing.T
	root  [2]string
	st    [2]*vdirstore.Storage
	mu    sync.Mutex // a hook may write while the sync runs
	clock time.Time
}

func newVdirBackend(t *testing.T) backend {
	v := &vdirBackend{t: t, clock: time.Now().Add(-24 * time.Hour).Truncate(time.Second)}
	for s := plan.A; s <= plan.B; s++ {
		v.root[s] = t.TempDir()
		st, err := vdirstore.Open(v.root[s], "ics")
		if err != nil {
			t.Fatal(err)
		}
		v.st[s] = st
	}
	return v
}

func (v *vdirBackend) storage(s plan.Side) storage.Storage { return v.st[s] }

func (v *vdirBackend) path(s plan.Side, elem ...string) string {
	return filepath.Join(append([]string{v.root[s]}, elem...)...)
}

func (v *vdirBackend) mkcol(s plan.Side, id string) {
	if err := os.Mkdir(v.path(s, id), 0o755); err != nil {
		v.t.Fatal(err)
	}
}

func (v *vdirBackend) rmcol(s plan.Side, id string) {
	if err := os.RemoveAll(v.path(s, id)); err != nil {
		v.t.Fatal(err)
	}
}

func (v *vdirBackend) hasCol(s plan.Side, id string) bool {
	fi, err := os.Stat(v.path(s, id))
	return err == nil && fi.IsDir()
}

// tick gives path an mtime no other file of the test has.
func (v *vdirBackend) tick(path string) {
	v.mu.Lock()
	v.clock = v.clock.Add(time.Second)
	now := v.clock
	v.mu.Unlock()
	if err := os.Chtimes(path, now, now); err != nil {
		v.t.Fatal(err)
	}
}

func (v *vdirBackend) put(s plan.Side, col, href string, data []byte) {
	p := v.path(s, col, href)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		v.t.Fatal(err)
	}
	v.tick(p)
}

func (v *vdirBackend) remove(s plan.Side, col, href string) {
	if err := os.Remove(v.path(s, col, href)); err != nil {
		v.t.Fatal(err)
	}
}

func (v *vdirBackend) touch(s plan.Side, col, href string) { v.tick(v.path(s, col, href)) }

// move renames the file, which keeps its mtime and inode and so its etag.
func (v *vdirBackend) move(s plan.Side, col, from, to string) {
	if err := os.Rename(v.path(s, col, from), v.path(s, col, to)); err != nil {
		v.t.Fatal(err)
	}
}

func (v *vdirBackend) items(s plan.Side, col string) map[string][]byte {
	entries, err := os.ReadDir(v.path(s, col))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		v.t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".ics") {
			continue
		}
		data, err := os.ReadFile(v.path(s, col, e.Name()))
		if err != nil {
			v.t.Fatal(err)
		}
		out[e.Name()] = data
	}
	return out
}

func (v *vdirBackend) setProp(s plan.Side, col string, p storage.Prop, value string) {
	path := v.path(s, col, string(p))
	if value == "" {
		if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
			v.t.Fatal(err)
		}
		return
	}
	if err := os.WriteFile(path, []byte(value+"\n"), 0o644); err != nil {
		v.t.Fatal(err)
	}
}

func (v *vdirBackend) props(s plan.Side, col string) map[storage.Prop]string {
	out := map[storage.Prop]string{}
	for _, p := range storage.Props {
		data, err := os.ReadFile(v.path(s, col, string(p)))
		if err == nil {
			out[p] = strings.TrimSpace(string(data))
		}
	}
	return out
}

// hooks watches one side's storage calls: it records fetches and writes, can fail
// writes, and can make List repeat every entry.
type hooks struct {
	mu     sync.Mutex
	gets   [][]string // the hrefs of each Get call
	writes []string   // "op href" of every write that succeeded
	// fail, when set, is asked before every write (op create, update, delete, prop,
	// mkcol, rmcol; href is the ident for create) and fails it with its error.
	fail func(op, href string) error
	// lose, when set, is asked after every write that succeeded and turns it into its
	// error: the write was made but its answer was lost.
	lose func(op, href string) error
	// listTimes > 1 makes List return every entry that many times.
	listTimes int
	// all, when set, makes the collection a storage.AllGetter: GetAll gets every listed
	// item, and all says which to hand over and the error to end with.
	all  func(items []storage.Item) ([]storage.Item, error)
	alls int // GetAll calls
}

func (h *hooks) write(op, href string, do func() error) error {
	h.mu.Lock()
	fail, lose := h.fail, h.lose
	h.mu.Unlock()
	if fail != nil {
		if err := fail(op, href); err != nil {
			return err
		}
	}
	if err := do(); err != nil {
		return err
	}
	h.mu.Lock()
	h.writes = append(h.writes, op+" "+href)
	h.mu.Unlock()
	if lose != nil {
		return lose(op, href)
	}
	return nil
}

// reset forgets what was recorded so far.
func (h *hooks) reset() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.gets, h.writes = nil, nil
}

func (h *hooks) fetched() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, g := range h.gets {
		out = append(out, g...)
	}
	sort.Strings(out)
	return out
}

// getSizes returns how many hrefs each Get asked for, smallest first: chunks are
// fetched concurrently.
func (h *hooks) getSizes() []int {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []int
	for _, g := range h.gets {
		out = append(out, len(g))
	}
	slices.Sort(out)
	return out
}

func (h *hooks) written() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := slices.Clone(h.writes)
	sort.Strings(out)
	return out
}

type hookedStorage struct {
	storage.Storage
	h *hooks
}

func (s hookedStorage) Collection(ctx context.Context, href string) (storage.Collection, error) {
	c, err := s.Storage.Collection(ctx, href)
	if err != nil {
		return nil, err
	}
	return hookedCollection{c, s.h}, nil
}

func (s hookedStorage) CreateCollection(ctx context.Context, id string) (info storage.CollectionInfo, err error) {
	err = s.h.write("mkcol", id, func() error {
		info, err = s.Storage.CreateCollection(ctx, id)
		return err
	})
	return info, err
}

func (s hookedStorage) DeleteCollection(ctx context.Context, href string) error {
	return s.h.write("rmcol", href, func() error { return s.Storage.DeleteCollection(ctx, href) })
}

type hookedCollection struct {
	storage.Collection
	h *hooks
}

func (c hookedCollection) List(ctx context.Context) (storage.Listing, error) {
	l, err := c.Collection.List(ctx)
	c.h.mu.Lock()
	n := c.h.listTimes
	c.h.mu.Unlock()
	if n > 1 {
		var items []storage.Entry
		for i := 0; i < n; i++ {
			items = append(items, l.Items...)
		}
		l.Items = items
	}
	return l, err
}

func (c hookedCollection) Get(ctx context.Context, hrefs []string) ([]storage.Item, error) {
	c.h.mu.Lock()
	c.h.gets = append(c.h.gets, slices.Clone(hrefs))
	c.h.mu.Unlock()
	return c.Collection.Get(ctx, hrefs)
}

func (c hookedCollection) GetAll(ctx context.Context, fn func(storage.Item) error) error {
	c.h.mu.Lock()
	all := c.h.all
	if all != nil {
		c.h.alls++
	}
	c.h.mu.Unlock()
	if all == nil {
		return fmt.Errorf("get all: %w", storage.ErrUnsupported)
	}
	l, err := c.Collection.List(ctx)
	if err != nil {
		return err
	}
	var hrefs []string
	for _, e := range l.Items {
		hrefs = append(hrefs, e.Href)
	}
	items, err := c.Collection.Get(ctx, hrefs)
	if err != nil {
		return err
	}
	items, failure := all(items)
	for _, it := range items {
		if err := fn(it); err != nil {
			return err
		}
	}
	return failure
}

func (c hookedCollection) Create(ctx context.Context, ident string, data []byte) (href, etag string, err error) {
	err = c.h.write("create", ident, func() error {
		href, etag, err = c.Collection.Create(ctx, ident, data)
		return err
	})
	return href, etag, err
}

func (c hookedCollection) Update(ctx context.Context, href, etag string, data []byte) (newEtag string, err error) {
	err = c.h.write("update", href, func() error {
		newEtag, err = c.Collection.Update(ctx, href, etag, data)
		return err
	})
	return newEtag, err
}

func (c hookedCollection) Delete(ctx context.Context, href, etag string) error {
	return c.h.write("delete", href, func() error { return c.Collection.Delete(ctx, href, etag) })
}

func (c hookedCollection) SetProp(ctx context.Context, p storage.Prop, value string) error {
	return c.h.write("prop", string(p), func() error { return c.Collection.SetProp(ctx, p, value) })
}

// env is one scenario's world: a backend, the hooks on both sides, a status and a
// pair syncing all collections of both sides.
type env struct {
	t     *testing.T
	be    backend
	hooks [2]*hooks
	st    *memStatus
	pair  *Pair
	// guarded sides are wrapped in storage.ReadOnly without telling the planner, so
	// that a write it plans there fails.
	guarded [2]bool
}

func newEnv(t *testing.T, be backend) *env {
	e := &env{t: t, be: be, hooks: [2]*hooks{{}, {}}, st: newMemStatus()}
	e.pair = &Pair{Name: "p", Status: e.st, Select: plan.Selection{From: [2]bool{true, true}}}
	e.wire()
	return e
}

// wire (re)builds the pair's storages from the backend, the hooks and the read-only
// options: a read-only side is also wrapped in storage.ReadOnly, so a write the
// planner should not have planned fails loudly.
func (e *env) wire() {
	for s := plan.A; s <= plan.B; s++ {
		var st storage.Storage = hookedStorage{e.be.storage(s), e.hooks[s]}
		if e.pair.ReadOnly[s] || e.guarded[s] {
			st = storage.ReadOnly(st)
		}
		e.pair.Storage[s] = st
	}
}

func (e *env) readOnly(s plan.Side, ro bool) {
	e.pair.ReadOnly[s] = ro
	e.wire()
}

func (e *env) guard(s plan.Side) {
	e.guarded[s] = true
	e.wire()
}

func (e *env) reset() {
	e.hooks[plan.A].reset()
	e.hooks[plan.B].reset()
}

// syncAll runs the pair's sync and fails the test when it returns an error.
func (e *env) syncAll() *Result {
	e.t.Helper()
	res, err := e.pair.Sync(context.Background())
	if err != nil {
		e.t.Fatalf("sync: %v", err)
	}
	return res
}

// sync runs the pair's sync and returns the result of collection "cal".
func (e *env) sync() *CollectionResult {
	e.t.Helper()
	return e.result(e.syncAll(), "cal")
}

func (e *env) result(res *Result, key string) *CollectionResult {
	e.t.Helper()
	for _, c := range res.Collections {
		if c.Key == key {
			return c
		}
	}
	e.t.Fatalf("no result for collection %s in %+v", key, res.Collections)
	return nil
}

// syncOK runs a sync that must go through without errors, conflicts or skips.
func (e *env) syncOK() *CollectionResult {
	e.t.Helper()
	r := e.sync()
	if !r.OK() || r.Skips != 0 {
		e.t.Fatalf("sync not clean: %s", describe(r))
	}
	return r
}

func describe(r *CollectionResult) string {
	return fmt.Sprintf("%s: created %v updated %v deleted %v skips %d conflicts %+v duplicates %+v skipped %q errors %v err %v propconflicts %v ops %v",
		r.Key, r.Created, r.Updated, r.Deleted, r.Skips, r.Conflicts, r.Duplicates, r.Skipped, r.ItemErrors, r.Err, r.PropConflicts, r.CollectionOps)
}

// counts checks a result's write counts: created, updated, deleted as [a, b].
func (e *env) counts(r *CollectionResult, created, updated, deleted [2]int) {
	e.t.Helper()
	if r.Created != created || r.Updated != updated || r.Deleted != deleted {
		e.t.Errorf("created %v updated %v deleted %v, want %v %v %v (%s)", r.Created, r.Updated, r.Deleted, created, updated, deleted, describe(r))
	}
}

// want checks that side s's collection col holds exactly these items (href → bytes).
func (e *env) want(s plan.Side, col string, want map[string]string) {
	e.t.Helper()
	got := map[string]string{}
	for href, data := range e.be.items(s, col) {
		got[href] = string(data)
	}
	if !maps.Equal(got, want) {
		e.t.Errorf("%s/%s holds\n%s\nwant\n%s", s, col, dump(got), dump(want))
	}
}

func dump(m map[string]string) string {
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(m)) {
		fmt.Fprintf(&b, "  %s: %q\n", k, summaryOf(m[k]))
	}
	return b.String()
}

// summaryOf shortens an item to its UID and SUMMARY for messages.
func summaryOf(data string) string {
	var parts []string
	for _, l := range strings.Split(data, "\r\n") {
		if strings.HasPrefix(l, "UID:") || strings.HasPrefix(l, "SUMMARY:") || strings.HasPrefix(l, "DTSTAMP:") {
			parts = append(parts, l)
		}
	}
	return strings.Join(parts, " ")
}

// noWrites checks that nothing was written to either side since the last reset.
func (e *env) noWrites() {
	e.t.Helper()
	for s := plan.A; s <= plan.B; s++ {
		if w := e.hooks[s].written(); len(w) > 0 {
			e.t.Errorf("wrote %v on %s", w, s)
		}
	}
}

// rows returns the status's items for key by ident.
func (e *env) rows(key string) map[string]status.Item {
	items, _ := e.st.Items(key)
	out := map[string]status.Item{}
	for _, it := range items {
		out[it.Ident] = it
	}
	return out
}

func (e *env) idents(key string) []string {
	return slices.Sorted(maps.Keys(e.rows(key)))
}

// listing is what one side's collection holds now: by href, the etag, hash and ident.
type listing map[string]listed

type listed struct {
	href, etag, hash, ident string
	data                    []byte
}

// list reads side s's collection col through the storage (not the hooks).
func (e *env) list(s plan.Side, col string) listing {
	e.t.Helper()
	return listCollection(e.t, e.be.storage(s), col)
}

func listCollection(t testing.TB, st storage.Storage, id string) listing {
	t.Helper()
	ctx := context.Background()
	c, err := st.Collection(ctx, st.Href(id))
	if err != nil {
		t.Fatal(err)
	}
	l, err := c.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	out := listing{}
	var hrefs []string
	for _, en := range l.Items {
		hrefs = append(hrefs, en.Href)
	}
	got, err := c.Get(ctx, hrefs)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range got {
		if it.Err != nil {
			t.Fatal(it.Err)
		}
		out[it.Href] = listed{etag: it.Etag, hash: item.Hash(it.Data), ident: identOf(it.Data), data: it.Data}
	}
	return out
}

func identOf(data []byte) string {
	if uid := item.UID(data); uid != "" {
		return uid
	}
	return item.Hash(data)
}

// byIdent indexes a listing by ident; a duplicate ident fails the test.
func (l listing) byIdent(t testing.TB) map[string]string {
	t.Helper()
	out := map[string]string{}
	for href, it := range l {
		if other, dup := out[it.ident]; dup {
			t.Fatalf("ident %s is at both %s and %s", it.ident, other, href)
		}
		out[it.ident] = href
	}
	return out
}

// inSync checks what every fully synced collection must satisfy: both sides hold the
// same idents with the same bytes, and the status records exactly what each side has.
func (e *env) inSync(col string) {
	e.t.Helper()
	l := [2]listing{e.list(plan.A, col), e.list(plan.B, col)}
	ids := [2]map[string]string{l[0].byIdent(e.t), l[1].byIdent(e.t)}
	rows := e.rows(col)
	for ident, ha := range ids[plan.A] {
		hb, ok := ids[plan.B][ident]
		if !ok {
			e.t.Errorf("%s is on a only", ident)
			continue
		}
		a, b := l[plan.A][ha], l[plan.B][hb]
		if !bytes.Equal(a.data, b.data) {
			e.t.Errorf("%s differs: a %q, b %q", ident, summaryOf(string(a.data)), summaryOf(string(b.data)))
		}
		want := status.Item{Ident: ident, A: status.Side{Href: ha, Etag: a.etag, Hash: a.hash}, B: status.Side{Href: hb, Etag: b.etag, Hash: b.hash}}
		if rows[ident] != want {
			e.t.Errorf("status of %s is %+v, want %+v", ident, rows[ident], want)
		}
	}
	for ident := range ids[plan.B] {
		if _, ok := ids[plan.A][ident]; !ok {
			e.t.Errorf("%s is on b only", ident)
		}
	}
	for ident := range rows {
		if _, ok := ids[plan.A][ident]; !ok {
			e.t.Errorf("status has %s, which is on neither side", ident)
		}
	}
}

// ics builds an event; an empty uid makes one without a UID.
func ics(uid, summary string) string {
	u := ""
	if uid != "" {
		u = "UID:" + uid + "\r\n"
	}
	return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\n" + u +
		"DTSTAMP:20260101T000000Z\r\nDTSTART:20260101T100000Z\r\nSUMMARY:" + summary + "\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
}

// put writes an item on side s of collection "cal".
func (e *env) put(s plan.Side, href, data string) { e.be.put(s, "cal", href, []byte(data)) }

// fill puts n events on side s of collection "cal": 000.ics, 001.ics and so on.
func (e *env) fill(s plan.Side, n int) {
	for i := range n {
		e.put(s, fmt.Sprintf("%03d.ics", i), ics(fmt.Sprint(i), "item"))
	}
}

// both creates collection "cal" on both sides with these items (href → bytes) on each.
func (e *env) both(items map[string]string) {
	for s := plan.A; s <= plan.B; s++ {
		e.be.mkcol(s, "cal")
		for href, data := range items {
			e.put(s, href, data)
		}
	}
}

// forBoth runs a scenario on every backend.
func forBoth(t *testing.T, scenario func(t *testing.T, e *env)) {
	t.Helper()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			scenario(t, newEnv(t, b.make(t)))
		})
	}
}
