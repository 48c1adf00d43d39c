package repair

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/pimsync-go/libsync/storage"
	"github.com/pimsync-go/libsync/storage/memstore"
	"github.com/pimsync-go/libvdir/item"
)

const corpus = "../../testdata"

func event(uid, summary string) string {
	u := ""
	if uid != "" {
		u = "UID:" + uid + "\r\n"
	}
	return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\n" + u + "SUMMARY:" + summary + "\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
}

// counter returns a newUID that makes new-1, new-2, …
func counter() func() string {
	n := 0
	return func() string { n++; return fmt.Sprintf("new-%d", n) }
}

func TestPlan(t *testing.T) {
	type want struct{ href, problem, old, uid, kept string }
	tests := []struct {
		name  string
		items map[string]string
		fixes []want
		skips []string
	}{
		{"nothing to do", map[string]string{"a.ics": event("a", "x"), "b.ics": event("b", "y")}, nil, nil},
		{"no UID", map[string]string{"a.ics": event("", "x"), "b.ics": event("b", "y")},
			[]want{{"a.ics", NoUID, "", "new-1", ""}}, nil},
		{"duplicates: the first by href keeps its UID",
			map[string]string{"c.ics": event("d", "3"), "a.ics": event("d", "1"), "b.ics": event("d", "2"), "z.ics": event("z", "")},
			[]want{{"b.ics", DuplicateUID, "d", "new-1", "a.ics"}, {"c.ics", DuplicateUID, "d", "new-2", "a.ics"}}, nil},
		{"both problems, and an item that is not one",
			map[string]string{"1.ics": event("", "x"), "2.ics": event("", "y"), "3.ics": event("s", ""), "4.ics": event("s", ""),
				"junk.ics": "hello\r\n"},
			[]want{{"1.ics", NoUID, "", "new-1", ""}, {"2.ics", NoUID, "", "new-2", ""}, {"4.ics", DuplicateUID, "s", "new-3", "3.ics"}},
			[]string{"junk.ics"}},
	}
	for _, tt := range tests {
		var items []storage.Item
		for href, data := range tt.items {
			items = append(items, storage.Item{Href: href, Etag: "e-" + href, Data: []byte(data)})
		}
		items = append(items, storage.Item{Href: "gone.ics", Err: errors.New("boom")})
		fixes, skips := Plan(items, counter())
		var got []want
		for _, f := range fixes {
			got = append(got, want{f.Href, f.Problem, f.OldUID, f.UID, f.Kept})
			if f.Etag != "e-"+f.Href {
				t.Errorf("%s: %s planned with etag %q", tt.name, f.Href, f.Etag)
			}
			if info, _ := item.Inspect(f.Data); info.UID != f.UID {
				t.Errorf("%s: %s: new data has UID %q", tt.name, f.Href, info.UID)
			}
		}
		if !reflect.DeepEqual(got, tt.fixes) {
			t.Errorf("%s: fixes\n %v\nwant\n %v", tt.name, got, tt.fixes)
		}
		var skipped []string
		for _, s := range skips {
			if s.Href != "gone.ics" {
				skipped = append(skipped, s.Href)
			}
		}
		if len(skips) == 0 || skips[0].Href != "gone.ics" || !reflect.DeepEqual(skipped, tt.skips) {
			t.Errorf("%s: skips %v, want gone.ics and %v", tt.name, skips, tt.skips)
		}
	}
}

// The corpus of bad items: no-uid.ics gets a UID, dup-b.ics a new one, and only their
// UID lines change.
func TestCollectionCorpus(t *testing.T) {
	st := memstore.New("m")
	col := st.Add("bad")
	for _, name := range []string{"no-uid.ics", "dup-a.ics", "dup-b.ics", "two-uids.ics", "junk.ics"} {
		data, err := os.ReadFile(filepath.Join(corpus, "bad", name))
		if err != nil {
			t.Fatal(err)
		}
		col.Put(name, data)
	}
	before := col.Snapshot()
	dry, err := Collection(context.Background(), col, Options{DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(col.Snapshot(), before) || len(dry.Results) != 2 || dry.Results[0].Written {
		t.Fatalf("dry run: %+v", dry)
	}
	rep, err := Collection(context.Background(), col, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Results) != 2 || rep.Failed() != 0 {
		t.Fatalf("results %+v", rep.Results)
	}
	uuid := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	after := col.Snapshot()
	for _, r := range rep.Results {
		if !r.Written || r.NewEtag == "" || !uuid.MatchString(r.UID) {
			t.Errorf("%s: %+v", r.Href, r)
		}
		old, now := string(before[r.Href]), string(after[r.Href])
		var want string
		if r.Problem == NoUID {
			want = strings.Replace(old, "BEGIN:VEVENT\r\n", "BEGIN:VEVENT\r\nUID:"+r.UID+"\r\n", 1)
		} else {
			want = strings.Replace(old, "UID:duplicated-uid\r\n", "UID:"+r.UID+"\r\n", 1)
		}
		if now != want {
			t.Errorf("%s: now\n%q\nwant\n%q", r.Href, now, want)
		}
	}
	if rep.Results[0].Href != "dup-b.ics" || rep.Results[0].Kept != "dup-a.ics" || rep.Results[1].Href != "no-uid.ics" {
		t.Errorf("results %+v", rep.Results)
	}
	for _, name := range []string{"dup-a.ics", "two-uids.ics", "junk.ics"} {
		if after[name] == nil || string(after[name]) != string(before[name]) {
			t.Errorf("%s changed", name)
		}
	}
	if len(rep.Skipped) != 1 || rep.Skipped[0].Href != "junk.ics" {
		t.Errorf("skipped %+v", rep.Skipped)
	}
	// Repaired: a second run finds nothing.
	if again, err := Collection(context.Background(), col, Options{}); err != nil || len(again.Results) != 0 {
		t.Errorf("second run: %+v, %v", again, err)
	}
}

// An item edited between the read and the write is reported; the others are written.
func TestApplyPrecondition(t *testing.T) {
	st := memstore.New("m")
	col := st.Add("c")
	col.Put("a.ics", []byte(event("", "a")))
	col.Put("b.ics", []byte(event("", "b")))
	items, _, err := Fetch(context.Background(), col, 1)
	if err != nil || len(items) != 2 {
		t.Fatalf("%v %v", items, err)
	}
	fixes, _ := Plan(items, counter())
	col.Put("a.ics", []byte(event("", "a, edited elsewhere")))
	res := Apply(context.Background(), col, fixes)
	if !errors.Is(res[0].Err, storage.ErrPrecondition) || res[0].Written || !strings.Contains(res[0].Err.Error(), "a.ics") {
		t.Errorf("a.ics: %+v", res[0])
	}
	if res[1].Err != nil || !res[1].Written {
		t.Errorf("b.ics: %+v", res[1])
	}
	if got := string(col.Snapshot()["a.ics"]); got != event("", "a, edited elsewhere") {
		t.Errorf("the edit was overwritten: %q", got)
	}
}

// Only limits the writes, not what the plan sees: a duplicate is found even when Only
// accepts one copy.
func TestOnly(t *testing.T) {
	st := memstore.New("m")
	col := st.Add("c")
	col.Put("a.ics", []byte(event("d", "1")))
	col.Put("b.ics", []byte(event("d", "2")))
	col.Put("c.ics", []byte(event("", "3")))
	rep, err := Collection(context.Background(), col, Options{Only: func(h string) bool { return h == "b.ics" }})
	if err != nil || len(rep.Results) != 1 || rep.Results[0].Href != "b.ics" || !rep.Results[0].Written {
		t.Fatalf("%+v %v", rep, err)
	}
	if item.UID(col.Snapshot()["c.ics"]) != "" {
		t.Error("c.ics was repaired though Only left it out")
	}
}

func TestNewUID(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		u := NewUID()
		if len(u) != 36 || seen[u] || u[14] != '4' {
			t.Fatalf("NewUID %q", u)
		}
		seen[u] = true
	}
}

// refusing is a collection that, like Radicale, refuses to change an item's UID in
// place; editAfterCreate, when set, edits the old item between the copy and the delete.
type refusing struct {
	storage.Collection
	editAfterCreate func()
}

func (r *refusing) Update(ctx context.Context, href, etag string, data []byte) (string, error) {
	return "", fmt.Errorf("PUT %s: 409: %w", href, storage.ErrConflict)
}

func (r *refusing) Create(ctx context.Context, ident string, data []byte) (string, string, error) {
	href, etag, err := r.Collection.Create(ctx, ident, data)
	if err == nil && r.editAfterCreate != nil {
		r.editAfterCreate()
	}
	return href, etag, err
}

// A storage that refuses a UID change in place gets the item moved: a copy with the
// new UID, then the old one deleted at the etag it was read at; an edit made between
// the two keeps both.
func TestApplyMove(t *testing.T) {
	for _, edited := range []bool{false, true} {
		st := memstore.New("m")
		col := st.Add("c")
		col.Put("a.ics", []byte(event("dup", "a")))
		col.Put("b.ics", []byte(event("dup", "b")))
		r := &refusing{Collection: col}
		if edited {
			r.editAfterCreate = func() { col.Put("b.ics", []byte(event("dup", "b, edited elsewhere"))) }
		}
		items, _, err := Fetch(context.Background(), r, 10)
		if err != nil {
			t.Fatal(err)
		}
		fixes, _ := Plan(items, counter())
		res := Apply(context.Background(), r, fixes)
		if len(res) != 1 || !res[0].Written || res[0].MovedTo == "" || res[0].MovedTo == "b.ics" {
			t.Fatalf("edited %v: %+v", edited, res)
		}
		snap := col.Snapshot()
		if got := string(snap[res[0].MovedTo]); got != string(fixes[0].Data) {
			t.Errorf("edited %v: the copy holds %q", edited, got)
		}
		_, old := snap["b.ics"]
		if edited != old || edited != (res[0].Err != nil) || edited && !errors.Is(res[0].Err, storage.ErrPrecondition) {
			t.Errorf("edited %v: old copy there: %v, err %v", edited, old, res[0].Err)
		}
		if string(snap["a.ics"]) != event("dup", "a") {
			t.Errorf("a.ics changed: %q", snap["a.ics"])
		}
	}
}
