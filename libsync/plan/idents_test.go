package plan

import (
	"fmt"
	"testing"
)

// BenchmarkNoop plans a collection of 1000 items that did not change: the work a no-op
// sync does after the server's answer.
func BenchmarkNoop(b *testing.B) {
	in := Input{Status: map[string]Record{}}
	for s := A; s <= B; s++ {
		in.Items[s] = map[string][]Item{}
	}
	for i := range 1000 {
		id := fmt.Sprintf("%08x-uid@example.com", i*7919)
		it := [2]Item{
			{Href: "/cal/" + id + ".ics", Etag: fmt.Sprintf(`"%d"`, i), Hash: fmt.Sprintf("%064x", i)},
			{Href: id + ".ics", Etag: fmt.Sprintf("%d-%d", i, i), Hash: fmt.Sprintf("%064x", i)},
		}
		in.Items[A][id] = []Item{it[A]}
		in.Items[B][id] = []Item{it[B]}
		in.Status[id] = Record{Side: it}
	}
	b.ReportAllocs()
	for b.Loop() {
		if p := Items(in); len(p.Actions) != 0 {
			b.Fatalf("%d actions", len(p.Actions))
		}
	}
}

// TestIdents: every ident any side or the status knows, once, in order.
func TestIdents(t *testing.T) {
	in := Input{
		Items: [2]map[string][]Item{
			{"both": {{}}, "new-both": {{}}, "only-a": {{}}, "known": {{}}},
			{"both": {{}}, "new-both": {{}}, "only-b": {{}}},
		},
		Status: map[string]Record{"both": {}, "known": {}, "gone": {}},
	}
	got := fmt.Sprint(idents(in))
	if want := "[both gone known new-both only-a only-b]"; got != want {
		t.Errorf("idents = %s, want %s", got, want)
	}
}
