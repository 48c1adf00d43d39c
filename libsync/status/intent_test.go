package status

import (
	"fmt"
	"reflect"
	"slices"
	"testing"
)

func mustIntents(t *testing.T, db *DB, key string) []Item {
	t.Helper()
	its, err := db.Intents(key)
	if err != nil {
		t.Fatal(err)
	}
	return its
}

// intent is item(ident, tag) about to be written to side B: no etag there yet.
func intent(ident, tag string) Item {
	it := item(ident, tag)
	it.B.Etag = ""
	return it
}

// TestIntents: intents survive a reopen, go with the outcome of their own write only,
// and are settled all at once.
func TestIntents(t *testing.T) {
	dir := t.TempDir()
	db := openT(t, dir, "p")
	if err := db.PutMapping(Mapping{Key: "cal", IDA: "a", IDB: "b"}); err != nil {
		t.Fatal(err)
	}
	if err := db.PutIntents("cal", []Item{intent("u3", "1"), intent("u1", "1"), intent("u2", "1"), intent("u4", "1")}); err != nil {
		t.Fatal(err)
	}
	if err := db.PutItem("cal", item("u1", "2")); err != nil { // u1's write answered
		t.Fatal(err)
	}
	if err := db.DeleteItem("cal", "u2"); err != nil {
		t.Fatal(err)
	}
	if err := db.PutItem("other", item("u3", "2")); err == nil {
		t.Error("PutItem under an unknown mapping succeeded")
	}
	db.Close()

	db = openT(t, dir, "p")
	got := mustIntents(t, db, "cal")
	if want := []Item{intent("u3", "1"), intent("u4", "1")}; !reflect.DeepEqual(got, want) {
		t.Fatalf("intents after a reopen: %+v, want %+v", got, want)
	}
	if its := mustIntents(t, db, "other"); len(its) != 0 {
		t.Errorf("intents of an unknown mapping: %+v", its)
	}

	// u3's write was made: its intent becomes its record. u4's was not: forgotten.
	done := intent("u3", "1")
	done.B.Etag = `"b-new"`
	if err := db.SettleIntents("cal", []Item{done}); err != nil {
		t.Fatal(err)
	}
	if its := mustIntents(t, db, "cal"); len(its) != 0 {
		t.Errorf("intents after settling: %+v", its)
	}
	its := mustItems(t, db, "cal")
	if i := slices.IndexFunc(its, func(it Item) bool { return it.Ident == "u3" }); i < 0 || its[i] != done {
		t.Errorf("u3 after settling: %+v, want %+v", its, done)
	}
	if got := idents(its); !slices.Equal(got, []string{"u1", "u3"}) {
		t.Errorf("items %v, want u1 u3", got)
	}
	if err := db.SettleIntents("cal", nil); err != nil {
		t.Errorf("settling with no intents: %v", err)
	}
	if err := db.PutIntents("cal", []Item{{}}); err == nil {
		t.Error("an intent with an empty ident was taken")
	}
}

// TestIntentsMany: a sync's intents go in several commits (IntentsPerCommit each), all of
// them, and an intent without an ident among them leaves none.
func TestIntentsMany(t *testing.T) {
	db := openT(t, t.TempDir(), "p")
	if err := db.PutMapping(Mapping{Key: "cal", IDA: "a", IDB: "b"}); err != nil {
		t.Fatal(err)
	}
	var many []Item
	for i := range 2*IntentsPerCommit + 3 {
		many = append(many, intent(fmt.Sprintf("u%04d", i), "1"))
	}
	if err := db.PutIntents("cal", append(slices.Clone(many), Item{})); err == nil {
		t.Fatal("an intent with an empty ident was taken")
	}
	if its := mustIntents(t, db, "cal"); len(its) != 0 {
		t.Fatalf("%d intents recorded from a list with a bad one", len(its))
	}
	if err := db.PutIntents("cal", many); err != nil {
		t.Fatal(err)
	}
	if got := mustIntents(t, db, "cal"); !reflect.DeepEqual(got, many) {
		t.Fatalf("got %d intents back of %d", len(got), len(many))
	}
}
