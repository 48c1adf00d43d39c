package status

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.etcd.io/bbolt"
)

func openT(t *testing.T, dir, pair string) *DB {
	t.Helper()
	db, err := Open(dir, pair)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func item(ident, tag string) Item {
	return Item{
		Ident: ident,
		A:     Side{Href: "/a/" + ident + ".ics", Etag: `"a-` + tag + `"`, Hash: "ha-" + tag},
		B:     Side{Href: "/b/" + ident + ".ics", Etag: `"b-` + tag + `"`, Hash: "hb-" + tag},
	}
}

func mustItems(t *testing.T, db *DB, key string) []Item {
	t.Helper()
	its, err := db.Items(key)
	if err != nil {
		t.Fatal(err)
	}
	return its
}

func idents(its []Item) []string {
	var out []string
	for _, it := range its {
		out = append(out, it.Ident)
	}
	return out
}

func TestRoundTrip(t *testing.T) {
	dir := t.TempDir()
	db := openT(t, dir, "p")

	maps := []Mapping{
		{Key: "work", IDA: "work", HrefA: "/cal/work/", IDB: "w", HrefB: "/dav/w/"},
		{Key: "home", IDA: "home", HrefA: "/cal/home/", IDB: "h", HrefB: "/dav/h/"},
		{Key: "Ärger", IDA: "a", IDB: "b"},
		{Key: "bad\xffutf8", IDA: "x\xfe", HrefB: "/\x00/"},
	}
	for _, m := range maps {
		if err := db.PutMapping(m); err != nil {
			t.Fatal(err)
		}
	}
	items := []Item{
		item("zeta", "1"),
		item("alpha", "1"),
		item("mid@example.com", "1"),
		{Ident: "invalid\xff\xfeutf8", A: Side{Href: "h\x80", Etag: "", Hash: "\x00"}},
		{Ident: "only-a", A: Side{Href: "/a/x"}},
	}
	for _, it := range items {
		if err := db.PutItem("work", it); err != nil {
			t.Fatal(err)
		}
	}
	// Overwriting keeps one record per ident.
	if err := db.PutItem("work", item("alpha", "2")); err != nil {
		t.Fatal(err)
	}
	if err := db.PutItem("home", item("alpha", "h")); err != nil {
		t.Fatal(err)
	}
	for _, p := range [][2]string{{"displayname", "Work"}, {"color", "#ff0000"}, {"description", ""}, {"order", "3"}} {
		if err := db.PutProp("work", p[0], p[1]); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.DeleteProp("work", "order"); err != nil {
		t.Fatal(err)
	}
	for _, s := range [][2]string{{"token_a", "tok1"}, {"token_a", "tok2"}, {"ctag_b", ""}} {
		if err := db.PutState("work", s[0], s[1]); err != nil {
			t.Fatal(err)
		}
	}
	// Updating a mapping keeps what is under it.
	maps[0].HrefB = "/dav/w2/"
	if err := db.PutMapping(maps[0]); err != nil {
		t.Fatal(err)
	}

	wantItems := []Item{item("alpha", "2"), {Ident: "invalid\xff\xfeutf8", A: Side{Href: "h\x80", Hash: "\x00"}}, item("mid@example.com", "1"), {Ident: "only-a", A: Side{Href: "/a/x"}}, item("zeta", "1")}
	wantMaps := []Mapping{maps[3], maps[1], maps[0], maps[2]}
	check := func(t *testing.T, db *DB) {
		t.Helper()
		gotMaps, err := db.Mappings()
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(gotMaps, wantMaps) {
			t.Errorf("Mappings:\n got %q\nwant %q", gotMaps, wantMaps)
		}
		m, ok, err := db.Mapping("work")
		if err != nil || !ok || m != maps[0] {
			t.Errorf("Mapping(work) = %v, %v, %v", m, ok, err)
		}
		if got := mustItems(t, db, "work"); !reflect.DeepEqual(got, wantItems) {
			t.Errorf("Items(work):\n got %q\nwant %q", got, wantItems)
		}
		if got := mustItems(t, db, "home"); !reflect.DeepEqual(got, []Item{item("alpha", "h")}) {
			t.Errorf("Items(home) = %q", got)
		}
		props, err := db.Props("work")
		if err != nil {
			t.Fatal(err)
		}
		if want := map[string]string{"displayname": "Work", "color": "#ff0000", "description": ""}; !reflect.DeepEqual(props, want) {
			t.Errorf("Props(work) = %q, want %q", props, want)
		}
		for _, c := range []struct {
			name, value string
			ok          bool
		}{{"token_a", "tok2", true}, {"ctag_b", "", true}, {"token_b", "", false}} {
			v, ok, err := db.State("work", c.name)
			if err != nil || v != c.value || ok != c.ok {
				t.Errorf("State(work, %s) = %q, %v, %v; want %q, %v", c.name, v, ok, err, c.value, c.ok)
			}
		}
	}
	t.Run("open", func(t *testing.T) { check(t, db) })
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	t.Run("reopened", func(t *testing.T) { check(t, openT(t, dir, "p")) })
	t.Run("read-only", func(t *testing.T) {
		ro, err := OpenReadOnly(dir, "p")
		if err != nil {
			t.Fatal(err)
		}
		defer ro.Close()
		check(t, ro)
	})

	db = openT(t, dir, "p")
	if err := db.DeleteItem("work", "zeta"); err != nil {
		t.Fatal(err)
	}
	if got := idents(mustItems(t, db, "work")); !reflect.DeepEqual(got, []string{"alpha", "invalid\xff\xfeutf8", "mid@example.com", "only-a"}) {
		t.Errorf("after DeleteItem: %q", got)
	}

	// DeleteMapping takes everything under the mapping with it, and a mapping put again
	// under the same key starts empty.
	if err := db.DeleteMapping("work"); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := db.Mapping("work"); ok || err != nil {
		t.Errorf("Mapping(work) after delete: %v, %v", ok, err)
	}
	if err := db.PutMapping(maps[0]); err != nil {
		t.Fatal(err)
	}
	if its := mustItems(t, db, "work"); len(its) != 0 {
		t.Errorf("items survived DeleteMapping: %q", its)
	}
	if props, err := db.Props("work"); err != nil || len(props) != 0 {
		t.Errorf("props survived DeleteMapping: %q, %v", props, err)
	}
	if _, ok, err := db.State("work", "token_a"); ok || err != nil {
		t.Errorf("state survived DeleteMapping: %v, %v", ok, err)
	}
	if its := mustItems(t, db, "home"); len(its) != 1 {
		t.Errorf("DeleteMapping(work) touched home: %q", its)
	}
}

func TestUnknownKey(t *testing.T) {
	db := openT(t, t.TempDir(), "p")
	if err := db.PutMapping(Mapping{Key: "known"}); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"unknown", "", strings.Repeat("u", 5000)} {
		t.Run(show(key), func(t *testing.T) {
			if m, ok, err := db.Mapping(key); ok || err != nil || m != (Mapping{}) {
				t.Errorf("Mapping = %v, %v, %v", m, ok, err)
			}
			if its, err := db.Items(key); len(its) != 0 || err != nil {
				t.Errorf("Items = %v, %v", its, err)
			}
			if props, err := db.Props(key); len(props) != 0 || err != nil {
				t.Errorf("Props = %v, %v", props, err)
			}
			if v, ok, err := db.State(key, "token"); v != "" || ok || err != nil {
				t.Errorf("State = %q, %v, %v", v, ok, err)
			}
			// Forgetting what is not there is fine.
			if err := db.DeleteItem(key, "x"); err != nil {
				t.Error(err)
			}
			if err := db.DeleteProp(key, "color"); err != nil {
				t.Error(err)
			}
			// Writing under a mapping the status does not know is a caller's bug.
			if err := db.PutItem(key, item("x", "1")); err == nil {
				t.Error("PutItem under an unknown mapping succeeded")
			}
			if err := db.PutProp(key, "color", "red"); err == nil {
				t.Error("PutProp under an unknown mapping succeeded")
			}
			if err := db.PutState(key, "token", "t"); err == nil {
				t.Error("PutState under an unknown mapping succeeded")
			}
		})
	}
	if err := db.DeleteMapping("unknown"); err != nil {
		t.Error(err)
	}
	ms, err := db.Mappings()
	if err != nil || len(ms) != 1 {
		t.Errorf("Mappings = %v, %v", ms, err)
	}
}

func TestInvalidArguments(t *testing.T) {
	db := openT(t, t.TempDir(), "p")
	if err := db.PutMapping(Mapping{Key: "k"}); err != nil {
		t.Fatal(err)
	}
	for name, err := range map[string]error{
		"PutMapping empty key": db.PutMapping(Mapping{}),
		"PutItem empty ident":  db.PutItem("k", Item{}),
		"PutProp empty name":   db.PutProp("k", "", "v"),
		"PutProp long name":    db.PutProp("k", strings.Repeat("n", maxPlainKey+1), "v"),
		"PutState empty name":  db.PutState("k", "", "v"),
		"PutState long name":   db.PutState("k", strings.Repeat("n", 40000), "v"),
		"PutPairState empty":   db.PutPairState("", "v"),
	} {
		if err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	for _, pair := range []string{"", ".", "..", "a/b", "../x", "a\x00b", `a\b`} {
		if _, err := Open(t.TempDir(), pair); err == nil {
			t.Errorf("Open(%q) succeeded", pair)
		}
		if _, err := OpenReadOnly(t.TempDir(), pair); err == nil {
			t.Errorf("OpenReadOnly(%q) succeeded", pair)
		}
	}
}

func TestFileModes(t *testing.T) {
	base := t.TempDir()
	dir := filepath.Join(base, "state", "status")
	if got, want := Path(dir, "my pair"), filepath.Join(dir, "my pair.db"); got != want {
		t.Errorf("Path = %q, want %q", got, want)
	}
	openT(t, dir, "my pair")
	// A daemon may be the first to make the directory.
	daemonDir := filepath.Join(base, "daemon", "status")
	release, err := Daemon(daemonDir, "my pair")
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	for _, c := range []struct {
		path string
		mode os.FileMode
	}{
		{filepath.Join(base, "state"), os.ModeDir | 0o700},
		{dir, os.ModeDir | 0o700},
		{Path(dir, "my pair"), 0o600},
		{filepath.Join(base, "daemon"), os.ModeDir | 0o700},
		{daemonDir, os.ModeDir | 0o700},
		{DaemonPath(daemonDir, "my pair"), 0o600},
	} {
		fi, err := os.Stat(c.path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode() != c.mode {
			t.Errorf("%s: mode %v, want %v", c.path, fi.Mode(), c.mode)
		}
	}

	// A directory the user made wider is left so, and used, with a warning; one of
	// its own making gets none.
	var logged bytes.Buffer
	defer slog.SetDefault(slog.Default())
	slog.SetDefault(slog.New(slog.NewTextHandler(&logged, nil)))
	wide := filepath.Join(base, "wide")
	if err := os.Mkdir(wide, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(wide, 0o755); err != nil {
		t.Fatal(err)
	}
	openT(t, wide, "p")
	if fi, err := os.Stat(wide); err != nil || fi.Mode().Perm() != 0o755 {
		t.Errorf("wide dir: %v, %v", fi.Mode(), err)
	}
	if !strings.Contains(logged.String(), "chmod 700") || !strings.Contains(logged.String(), wide) {
		t.Errorf("no warning about the wide directory: %q", logged.String())
	}
	logged.Reset()
	openT(t, filepath.Join(base, "narrow"), "p")
	if logged.Len() != 0 {
		t.Errorf("a warning about a directory of its own: %q", logged.String())
	}
}

// checkLocked checks the error callers branch on and the message users see.
func checkLocked(t *testing.T, what string, open func() (*DB, error), pair string) {
	t.Helper()
	start := time.Now()
	db, err := open()
	took := time.Since(start)
	if err == nil {
		db.Close()
		t.Errorf("%s succeeded while the pair was locked", what)
		return
	}
	if !errors.Is(err, ErrLocked) {
		t.Errorf("%s: %v does not wrap ErrLocked", what, err)
	}
	if want := "pair " + pair + " is being synced by another process"; err.Error() != want {
		t.Errorf("%s: message %q, want %q", what, err, want)
	}
	if took >= 3*time.Second {
		t.Errorf("%s took %v to give up", what, took)
	}
}

func TestLockInProcess(t *testing.T) {
	t.Run("writer", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		db, err := Open(dir, "p")
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		wg.Go(func() { checkLocked(t, "Open", func() (*DB, error) { return Open(dir, "p") }, "p") })
		wg.Go(func() { checkLocked(t, "OpenReadOnly", func() (*DB, error) { return OpenReadOnly(dir, "p") }, "p") })
		wg.Go(func() {
			other, err := Open(dir, "other")
			if err != nil {
				t.Errorf("another pair: %v", err)
				return
			}
			other.Close()
		})
		wg.Wait()
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		db, err = Open(dir, "p")
		if err != nil {
			t.Fatalf("Open after Close: %v", err)
		}
		db.Close()
	})
	t.Run("reader", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		openT(t, dir, "p").Close()
		ro, err := OpenReadOnly(dir, "p")
		if err != nil {
			t.Fatal(err)
		}
		defer ro.Close()
		// Readers share; a writer waits for them.
		ro2, err := OpenReadOnly(dir, "p")
		if err != nil {
			t.Fatalf("second reader: %v", err)
		}
		ro2.Close()
		checkLocked(t, "Open", func() (*DB, error) { return Open(dir, "p") }, "p")
	})
}

func TestConcurrentWrites(t *testing.T) {
	db := openT(t, t.TempDir(), "p")
	if err := db.PutMapping(Mapping{Key: "k"}); err != nil {
		t.Fatal(err)
	}
	const workers, each = 8, 40
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				ident := fmt.Sprintf("w%d-%03d", w, i)
				if err := db.PutItem("k", item(ident, "1")); err != nil {
					t.Error(err)
					return
				}
				// Deleting items and writing props and state share the batches too.
				if i%4 == 3 {
					if err := db.DeleteItem("k", ident); err != nil {
						t.Error(err)
					}
				}
				if err := db.PutProp("k", fmt.Sprintf("p%d", w), fmt.Sprint(i)); err != nil {
					t.Error(err)
				}
				if err := db.PutState("k", fmt.Sprintf("s%d", w), fmt.Sprint(i)); err != nil {
					t.Error(err)
				}
				if _, err := db.Items("k"); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	its := mustItems(t, db, "k")
	if want := workers * each * 3 / 4; len(its) != want {
		t.Errorf("%d items, want %d", len(its), want)
	}
	props, err := db.Props("k")
	if err != nil || len(props) != workers {
		t.Errorf("props %v, %v", props, err)
	}
	for w := range workers {
		if v, ok, err := db.State("k", fmt.Sprintf("s%d", w)); v != fmt.Sprint(each-1) || !ok || err != nil {
			t.Errorf("state s%d = %q, %v, %v", w, v, ok, err)
		}
	}
}

func TestReadOnly(t *testing.T) {
	writes := func(db *DB) map[string]error {
		return map[string]error{
			"PutMapping":          db.PutMapping(Mapping{Key: "k"}),
			"DeleteMapping":       db.DeleteMapping("k"),
			"PutItem":             db.PutItem("k", item("x", "1")),
			"DeleteItem":          db.DeleteItem("k", "x"),
			"DeleteItem no ident": db.DeleteItem("k", ""),
			"PutProp":             db.PutProp("k", "color", "red"),
			"DeleteProp":          db.DeleteProp("k", "color"),
			"PutState":            db.PutState("k", "token", "t"),
			"PutPairState":        db.PutPairState("home a", "h"),
			"PutIntents":          db.PutIntents("k", []Item{intent("x", "1")}),
			"SettleIntents":       db.SettleIntents("k", nil),
		}
	}
	checkWrites := func(t *testing.T, db *DB) {
		t.Helper()
		for name, err := range writes(db) {
			if !errors.Is(err, errReadOnly) || !strings.Contains(err.Error(), db.path) {
				t.Errorf("%s on a read-only DB: %v", name, err)
			}
		}
	}

	t.Run("missing", func(t *testing.T) {
		base := t.TempDir()
		dir := filepath.Join(base, "status")
		db, err := OpenReadOnly(dir, "p")
		if err != nil {
			t.Fatal(err)
		}
		ms, err := db.Mappings()
		if len(ms) != 0 || err != nil {
			t.Errorf("Mappings = %v, %v", ms, err)
		}
		if _, ok, err := db.Mapping("k"); ok || err != nil {
			t.Errorf("Mapping = %v, %v", ok, err)
		}
		if its, err := db.Items("k"); len(its) != 0 || err != nil {
			t.Errorf("Items = %v, %v", its, err)
		}
		if props, err := db.Props("k"); len(props) != 0 || err != nil {
			t.Errorf("Props = %v, %v", props, err)
		}
		if _, ok, err := db.State("k", "token"); ok || err != nil {
			t.Errorf("State = %v, %v", ok, err)
		}
		checkWrites(t, db)
		if err := db.Close(); err != nil {
			t.Error(err)
		}
		if ents, err := os.ReadDir(base); err != nil || len(ents) != 0 {
			t.Errorf("OpenReadOnly created %v (%v)", ents, err)
		}
		// The directory exists but the file does not.
		if err := os.Mkdir(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		db, err = OpenReadOnly(dir, "p")
		if err != nil {
			t.Fatal(err)
		}
		db.Close()
		if ents, err := os.ReadDir(dir); err != nil || len(ents) != 0 {
			t.Errorf("OpenReadOnly created %v (%v)", ents, err)
		}
	})
	t.Run("empty file", func(t *testing.T) {
		// What a sync leaves when it dies between creating the file and initializing it.
		dir := t.TempDir()
		if err := os.WriteFile(Path(dir, "p"), nil, 0o600); err != nil {
			t.Fatal(err)
		}
		db, err := OpenReadOnly(dir, "p")
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if ms, err := db.Mappings(); len(ms) != 0 || err != nil {
			t.Errorf("Mappings = %v, %v", ms, err)
		}
		checkWrites(t, db)
		if fi, err := os.Stat(Path(dir, "p")); err != nil || fi.Size() != 0 {
			t.Errorf("file changed: %v, %v", fi.Size(), err)
		}
	})
	t.Run("existing", func(t *testing.T) {
		dir := t.TempDir()
		db := openT(t, dir, "p")
		if err := db.PutMapping(Mapping{Key: "k"}); err != nil {
			t.Fatal(err)
		}
		if err := db.PutItem("k", item("x", "1")); err != nil {
			t.Fatal(err)
		}
		db.Close()
		ro, err := OpenReadOnly(dir, "p")
		if err != nil {
			t.Fatal(err)
		}
		defer ro.Close()
		checkWrites(t, ro)
		if got := idents(mustItems(t, ro, "k")); !reflect.DeepEqual(got, []string{"x"}) {
			t.Errorf("Items = %q", got)
		}
	})
}

func TestNotAStatusFile(t *testing.T) {
	random := make([]byte, 3*4096)
	for i := range random {
		random[i] = byte(i*7919 + i/13)
	}
	for _, c := range []struct {
		name    string
		content []byte
	}{
		{"text", []byte("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")},
		{"one byte", []byte{0}},
		{"pages of noise", random},
		{"zeros", make([]byte, 64*1024)},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			path := Path(dir, "p")
			if err := os.WriteFile(path, c.content, 0o600); err != nil {
				t.Fatal(err)
			}
			for what, open := range map[string]func(string, string) (*DB, error){"Open": Open, "OpenReadOnly": OpenReadOnly} {
				db, err := open(dir, "p")
				if err == nil {
					db.Close()
					t.Fatalf("%s succeeded", what)
				}
				if msg := err.Error(); !strings.Contains(msg, path) || !strings.Contains(msg, "delete it") {
					t.Errorf("%s: %q should name the file and suggest deleting it", what, msg)
				}
				if errors.Is(err, ErrLocked) {
					t.Errorf("%s: %v wraps ErrLocked", what, err)
				}
			}
			if got, err := os.ReadFile(path); err != nil || !bytes.Equal(got, c.content) {
				t.Errorf("the file was changed (%v)", err)
			}
		})
	}

	t.Run("another program's bbolt file", func(t *testing.T) {
		dir := t.TempDir()
		path := Path(dir, "p")
		raw, err := bbolt.Open(path, 0o600, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := raw.Update(func(tx *bbolt.Tx) error {
			_, err := tx.CreateBucket([]byte("things"))
			return err
		}); err != nil {
			t.Fatal(err)
		}
		raw.Close()
		for what, open := range map[string]func(string, string) (*DB, error){"Open": Open, "OpenReadOnly": OpenReadOnly} {
			db, err := open(dir, "p")
			if err == nil {
				db.Close()
				t.Fatalf("%s succeeded", what)
			}
			if msg := err.Error(); !strings.Contains(msg, path) || !strings.Contains(msg, "delete it") {
				t.Errorf("%s: %q", what, msg)
			}
		}
	})
}

// rawUpdate changes a closed status file behind the package's back.
func rawUpdate(t *testing.T, path string, fn func(tx *bbolt.Tx) error) {
	t.Helper()
	raw, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if err := raw.Update(fn); err != nil {
		t.Fatal(err)
	}
}

func TestSchema(t *testing.T) {
	for _, c := range []struct {
		schema string
		want   string // "" for success
	}{
		{"1", ""},
		{"2", "has schema 2; this pimsync knows up to 1"},
		{"1000", "has schema 1000; this pimsync knows up to 1"},
		{"x", "has an unreadable schema"},
		{"0", "has an unreadable schema"},
		{"", "has an unreadable schema"},
	} {
		t.Run(c.schema, func(t *testing.T) {
			dir := t.TempDir()
			path := Path(dir, "p")
			openT(t, dir, "p").Close()
			rawUpdate(t, path, func(tx *bbolt.Tx) error {
				return tx.Bucket(bucketMeta).Put(keySchema, []byte(c.schema))
			})
			for what, open := range map[string]func(string, string) (*DB, error){"Open": Open, "OpenReadOnly": OpenReadOnly} {
				db, err := open(dir, "p")
				if c.want == "" {
					if err != nil {
						t.Errorf("%s: %v", what, err)
					} else {
						db.Close()
					}
					continue
				}
				if err == nil {
					db.Close()
					t.Fatalf("%s succeeded", what)
				}
				if want := "status file " + path + " " + c.want; !strings.HasPrefix(err.Error(), want) {
					t.Errorf("%s: %q, want it to start with %q", what, err, want)
				}
			}
		})
	}
}

func TestLongKeys(t *testing.T) {
	dir := t.TempDir()
	db := openT(t, dir, "p")
	longKey := strings.Repeat("k", 5000)
	if err := db.PutMapping(Mapping{Key: longKey, IDA: "a"}); err != nil {
		t.Fatal(err)
	}
	if err := db.PutMapping(Mapping{Key: longKey + "2", IDA: "b"}); err != nil {
		t.Fatal(err)
	}
	prefix := strings.Repeat("u", maxPlainKey)
	idents := []string{
		strings.Repeat("x", 100*1024),
		prefix,        // the longest plain ident
		prefix + "a",  // the shortest hashed one, same prefix
		prefix + "b",  // and another
		prefix + "ab", // and another
		"short",
	}
	for i, id := range idents {
		if err := db.PutItem(longKey, item(id, fmt.Sprint(i))); err != nil {
			t.Fatalf("ident of %d bytes: %v", len(id), err)
		}
	}
	db.Close()
	db = openT(t, dir, "p")
	ms, err := db.Mappings()
	if err != nil || len(ms) != 2 || ms[0].Key != longKey || ms[1].Key != longKey+"2" {
		t.Fatalf("Mappings: %d, %v", len(ms), err)
	}
	got := mustItems(t, db, longKey)
	want := []Item{item("short", "5"), item(prefix, "1"), item(prefix+"a", "2"), item(prefix+"ab", "4"), item(prefix+"b", "3"), item(idents[0], "0")}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Items: got %d, want %d, or out of order", len(got), len(want))
	}
	if its := mustItems(t, db, longKey+"2"); len(its) != 0 {
		t.Errorf("items leaked to another long key: %d", len(its))
	}
	for _, id := range idents {
		if err := db.DeleteItem(longKey, id); err != nil {
			t.Fatal(err)
		}
	}
	if its := mustItems(t, db, longKey); len(its) != 0 {
		t.Errorf("%d items left after deleting all", len(its))
	}
	if err := db.DeleteMapping(longKey); err != nil {
		t.Fatal(err)
	}
	if ms, err := db.Mappings(); err != nil || len(ms) != 1 {
		t.Errorf("Mappings after delete: %d, %v", len(ms), err)
	}
}

func TestCorruptRecords(t *testing.T) {
	long := strings.Repeat("L", 3000)
	good := encodeItem(item("x", "1"))
	for _, c := range []struct {
		name  string
		where string // which read sees it: items, props, state, mappings
		put   func(m *bbolt.Bucket) error
		want  []string // in the message
	}{
		{"garbage item", "items", func(m *bbolt.Bucket) error {
			return m.Bucket(bucketItems).Put([]byte("uid-1"), []byte("garbage"))
		}, []string{`"work"`, `"uid-1"`, "corrupt"}},
		{"empty item", "items", func(m *bbolt.Bucket) error {
			return m.Bucket(bucketItems).Put([]byte("uid-2"), []byte{})
		}, []string{`"uid-2"`}},
		{"truncated item", "items", func(m *bbolt.Bucket) error {
			return m.Bucket(bucketItems).Put([]byte("x"), good[:len(good)-3])
		}, []string{`"x"`, "past the end"}},
		{"trailing bytes", "items", func(m *bbolt.Bucket) error {
			return m.Bucket(bucketItems).Put([]byte("x"), append(append([]byte{}, good...), 0))
		}, []string{`"x"`, "after the last field"}},
		{"huge length", "items", func(m *bbolt.Bucket) error {
			return m.Bucket(bucketItems).Put([]byte("x"), []byte{recordV1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01})
		}, []string{`"x"`}},
		{"bad varint", "items", func(m *bbolt.Bucket) error {
			return m.Bucket(bucketItems).Put([]byte("x"), []byte{recordV1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
		}, []string{`"x"`, "bad length"}},
		{"future record", "items", func(m *bbolt.Bucket) error {
			return m.Bucket(bucketItems).Put([]byte("x"), append([]byte{9}, good[1:]...))
		}, []string{`"x"`, "version 9"}},
		{"record under another ident", "items", func(m *bbolt.Bucket) error {
			return m.Bucket(bucketItems).Put([]byte("y"), good)
		}, []string{`"y"`, "another ident"}},
		{"garbage under a long ident", "items", func(m *bbolt.Bucket) error {
			return m.Bucket(bucketItems).Put(dbKey(long), []byte{recordV1})
		}, []string{`"LLLL`, "long ident"}},
		{"bucket instead of item", "items", func(m *bbolt.Bucket) error {
			_, err := m.Bucket(bucketItems).CreateBucket([]byte("nested"))
			return err
		}, []string{`"nested"`}},
		{"garbage prop", "props", func(m *bbolt.Bucket) error {
			return m.Bucket(bucketProps).Put([]byte("color"), []byte{})
		}, []string{`"work"`, `"color"`}},
		{"garbage state", "state", func(m *bbolt.Bucket) error {
			return m.Bucket(bucketState).Put([]byte("token"), []byte{7, 'x'})
		}, []string{`"work"`, `"token"`}},
		{"garbage mapping", "mappings", func(m *bbolt.Bucket) error {
			return m.Put(keyInfo, []byte{recordV1, 3})
		}, []string{`"work"`}},
		{"mapping for another key", "mappings", func(m *bbolt.Bucket) error {
			return m.Put(keyInfo, encodeMapping(Mapping{Key: "other"}))
		}, []string{`"work"`, "another key"}},
		{"mapping without info", "mappings", func(m *bbolt.Bucket) error {
			return m.Delete(keyInfo)
		}, []string{`"work"`}},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			db := openT(t, dir, "p")
			if err := db.PutMapping(Mapping{Key: "work"}); err != nil {
				t.Fatal(err)
			}
			db.Close()
			rawUpdate(t, Path(dir, "p"), func(tx *bbolt.Tx) error {
				return c.put(tx.Bucket(bucketMappings).Bucket([]byte("work")))
			})
			db = openT(t, dir, "p")
			var err error
			switch c.where {
			case "items":
				_, err = db.Items("work")
			case "props":
				_, err = db.Props("work")
			case "state":
				_, _, err = db.State("work", "token")
			case "mappings":
				if _, err = db.Mappings(); err == nil {
					t.Error("Mappings: no error")
				}
				_, _, err = db.Mapping("work")
			}
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			for _, w := range append(c.want, Path(dir, "p"), "delete it") {
				if !strings.Contains(msg, w) {
					t.Errorf("%q does not contain %q", msg, w)
				}
			}
		})
	}
}

func TestClosed(t *testing.T) {
	db, err := Open(t.TempDir(), "p")
	if err != nil {
		t.Fatal(err)
	}
	if err := db.PutMapping(Mapping{Key: "k"}); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Items("k"); err == nil {
		t.Error("Items on a closed DB succeeded")
	}
	if err := db.PutItem("k", item("x", "1")); err == nil {
		t.Error("PutItem on a closed DB succeeded")
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(encodeItem(item("uid", "1")))
	f.Add(encodeMapping(Mapping{Key: "k", HrefA: "/a/"}))
	f.Add([]byte{recordV1, 0x80})
	f.Fuzz(func(t *testing.T, v []byte) {
		// Lengths need not be minimal varints, so compare decoded values, not records.
		if it, err := decodeItem(v); err == nil {
			if again, err := decodeItem(encodeItem(it)); err != nil || again != it {
				t.Errorf("item %q does not survive a round trip: %q, %v", it, again, err)
			}
		}
		if m, err := decodeMapping(v); err == nil {
			if again, err := decodeMapping(encodeMapping(m)); err != nil || again != m {
				t.Errorf("mapping %q does not survive a round trip: %q, %v", m, again, err)
			}
		}
		_, _ = decodeValue(v)
	})
}

// TestGroupCommitIsolatesFailures: writes that share a commit with a failing one still
// land, and only the failing one reports an error.
func TestGroupCommitIsolatesFailures(t *testing.T) {
	db := openT(t, t.TempDir(), "p")
	if err := db.PutMapping(Mapping{Key: "k"}); err != nil {
		t.Fatal(err)
	}
	const n = 64
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			key := "k"
			if i%8 == 0 {
				key = "missing" // PutItem under a mapping never put fails
			}
			errs[i] = db.PutItem(key, item(fmt.Sprintf("i%02d", i), "1"))
		})
	}
	wg.Wait()
	for i, err := range errs {
		if (i%8 == 0) != (err != nil) {
			t.Errorf("write %d: %v", i, err)
		}
	}
	if its := mustItems(t, db, "k"); len(its) != n-n/8 {
		t.Errorf("%d items committed, want %d", len(its), n-n/8)
	}
}

// TestPairState: pair-level state survives a reopen, is separate from every mapping, and
// reads as absent on a file that has none.
func TestPairState(t *testing.T) {
	dir := t.TempDir()
	db := openT(t, dir, "p")
	if _, ok, err := db.PairState("home a"); ok || err != nil {
		t.Fatalf("PairState on a fresh file: %v, %v", ok, err)
	}
	for _, v := range []string{"https://x/old/", "https://x/cal/"} {
		if err := db.PutPairState("home a", v); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.PutPairState("home b", ""); err != nil {
		t.Fatal(err)
	}
	db.Close()
	ro, err := OpenReadOnly(dir, "p")
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	for name, want := range map[string]string{"home a": "https://x/cal/", "home b": ""} {
		if v, ok, err := ro.PairState(name); v != want || !ok || err != nil {
			t.Errorf("PairState(%s) = %q, %v, %v; want %q", name, v, ok, err, want)
		}
	}
	if maps, err := ro.Mappings(); err != nil || len(maps) != 0 {
		t.Errorf("pair state shows up as mappings: %v, %v", maps, err)
	}
}

// TestRunsAndConflicts: the last run is kept with the latest error of any run, and a
// mapping's conflicts are replaced by each sync, bytes as they are.
func TestRunsAndConflicts(t *testing.T) {
	dir := t.TempDir()
	db := openT(t, dir, "p")
	if _, ok, err := db.LastRun(); ok || err != nil {
		t.Fatalf("LastRun of a fresh pair: %v, %v", ok, err)
	}
	t0 := time.Date(2026, 11, 22, 5, 0, 0, 123, time.UTC)
	runs := []Run{
		{Start: t0, End: t0.Add(time.Second), Result: ResultFailed, Error: "server down"},
		{Start: t0.Add(time.Minute), End: t0.Add(time.Minute + time.Second), Result: ResultOK},
	}
	for _, r := range runs {
		if err := db.PutRun(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.PutMapping(Mapping{Key: "work"}); err != nil {
		t.Fatal(err)
	}
	cs := []Conflict{{Ident: "a@x", HrefA: "/a/1.ics", HrefB: "/b/1.ics"}, {Ident: "ü\xff", HrefB: "h"}}
	if err := db.PutConflicts("work", cs); err != nil {
		t.Fatal(err)
	}
	if err := db.PutConflicts("nope", cs); err == nil {
		t.Error("conflicts of an unknown mapping recorded")
	}
	db.Close()

	ro, err := OpenReadOnly(dir, "p")
	if err != nil {
		t.Fatal(err)
	}
	want := runs[1]
	want.LastError, want.LastErrorAt = "server down", runs[0].End
	if got, ok, err := ro.LastRun(); !ok || err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("LastRun = %+v, %v, %v\nwant %+v", got, ok, err, want)
	}
	if got, err := ro.Conflicts("work"); err != nil || !reflect.DeepEqual(got, cs) {
		t.Errorf("Conflicts = %q, %v", got, err)
	}
	if err := ro.PutRun(runs[1]); !errors.Is(err, errReadOnly) {
		t.Errorf("PutRun on a read-only DB: %v", err)
	}
	ro.Close()

	db = openT(t, dir, "p")
	if err := db.PutConflicts("work", nil); err != nil {
		t.Fatal(err)
	}
	if got, err := db.Conflicts("work"); err != nil || got != nil {
		t.Errorf("Conflicts after clearing = %q, %v", got, err)
	}
	// The same conflicts again (none, as after most syncs) are not written again.
	before := db.bolt.Stats()
	if err := db.PutConflicts("work", nil); err != nil {
		t.Fatal(err)
	}
	if after := db.bolt.Stats(); after.TxStats.GetWrite() != before.TxStats.GetWrite() {
		n := after.TxStats.GetWrite() - before.TxStats.GetWrite()
		t.Errorf("unchanged conflicts made %d writes", n)
	}
	if err := db.PutConflicts("work", cs); err != nil {
		t.Fatal(err)
	}
	if got, err := db.Conflicts("work"); err != nil || !reflect.DeepEqual(got, cs) {
		t.Errorf("Conflicts after recording again = %q, %v", got, err)
	}
}

// TestDaemon: a daemon's mark on a pair is seen by others, keeps a second daemon out,
// and goes with release.
func TestDaemon(t *testing.T) {
	dir := t.TempDir()
	if _, running := DaemonRunning(dir, "p"); running {
		t.Fatal("a daemon runs a pair nobody started")
	}
	release, err := Daemon(dir, "p")
	if err != nil {
		t.Fatal(err)
	}
	if pid, running := DaemonRunning(dir, "p"); !running || pid != strconv.Itoa(os.Getpid()) {
		t.Errorf("DaemonRunning = %s, %v; want %d, true", pid, running, os.Getpid())
	}
	if _, err := Daemon(dir, "p"); !errors.Is(err, ErrDaemonRunning) {
		t.Errorf("second daemon: %v, want ErrDaemonRunning", err)
	}
	// The status file is not locked by the daemon: a sync or a report can open it.
	db, err := OpenReadOnly(dir, "p")
	if err != nil {
		t.Errorf("status file while a daemon runs: %v", err)
	} else {
		db.Close()
	}
	release()
	if _, running := DaemonRunning(dir, "p"); running {
		t.Error("the daemon still runs after release")
	}
	if _, err := Daemon(dir, "../p"); err == nil {
		t.Error("a pair name reaching out of the directory was accepted")
	}
}
