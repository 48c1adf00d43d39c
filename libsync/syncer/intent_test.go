package syncer

import (
	"errors"
	"testing"

	"github.com/pimsync-go/libsync/plan"
	"github.com/pimsync-go/libsync/status"
)

var errLost = errors.New("connection reset after the request was sent")

// TestLostAnswer: a write to b is made but its answer is lost, and before the next
// sync the user changes or deletes the item on a. The next sync recognises b's version
// as its own write (by the intent recorded before it), so a's newer change wins
// without a conflict, and a's deletion is carried out rather than undone. A write that
// failed before it was made is planned again as usual.
func TestLostAnswer(t *testing.T) {
	tests := []struct {
		name   string
		create bool // the lost write is a creation (else an update)
		made   bool // the write was made (else it failed before)
		then   string
	}{
		{"update lost, then edited on a", false, true, "edit"},
		{"update lost, then deleted on a", false, true, "delete"},
		{"create lost, then edited on a", true, true, "edit"},
		{"create lost, then deleted on a", true, true, "delete"},
		{"update failed, then edited on a", false, false, "edit"},
		{"update failed, then deleted on a", false, false, "delete"},
	}
	for _, be := range backends {
		for _, tt := range tests {
			t.Run(be.name+"/"+tt.name, func(t *testing.T) {
				e := newEnv(t, be.make(t))
				e.both(nil)
				e.put(A, "keep.ics", ics("keep", "untouched"))
				if !tt.create {
					e.put(A, "1.ics", ics("1", "first"))
				}
				e.syncOK()

				e.put(A, "1.ics", ics("1", "second"))
				boom := func(op, href string) error {
					if op == "create" || op == "update" {
						return errLost
					}
					return nil
				}
				if tt.made {
					e.hooks[B].lose = boom
				} else {
					e.hooks[B].fail = boom
				}
				if r := e.sync(); len(r.ItemErrors) != 1 || !errors.Is(r.ItemErrors[0], errLost) {
					t.Fatalf("the sync that lost its answer: %s", describe(r))
				}
				e.hooks[B].lose, e.hooks[B].fail = nil, nil

				want := map[string]string{"keep.ics": ics("keep", "untouched")}
				switch tt.then {
				case "edit":
					e.put(A, "1.ics", ics("1", "third"))
					want["1.ics"] = ics("1", "third")
				case "delete":
					e.be.remove(A, "cal", "1.ics")
				}
				r := e.syncOK()
				if len(r.Conflicts) > 0 {
					t.Errorf("conflicts: %+v", r.Conflicts)
				}
				for s := A; s <= B; s++ {
					e.want(s, "cal", want)
				}
				if again := e.syncOK(); again.Created != [2]int{} || again.Updated != [2]int{} || again.Deleted != [2]int{} {
					t.Errorf("a third sync wrote: %s", describe(again))
				}
			})
		}
	}
}

// TestAdopt is adopt's table: which intents count as carried out.
func TestAdopt(t *testing.T) {
	src := plan.Item{Href: "a/1.ics", Etag: "ea2", Hash: "h2"}
	update := toStatus("1", src, plan.Item{Href: "b/1.ics", Hash: "h2"})
	create := toStatus("1", src, plan.Item{Hash: "h2"})
	b2 := plan.Item{Href: "b/1.ics", Etag: "eb9", Hash: "h2"}
	tests := []struct {
		name   string
		intent status.Item
		onB    []plan.Item // b's items under the ident
		want   string      // b's etag in the adopted record; "" for not adopted
	}{
		{"made", update, []plan.Item{b2}, "eb9"},
		{"made, created at an href the storage chose", create, []plan.Item{{Href: "b/x.ics", Etag: "eb9", Hash: "h2"}}, "eb9"},
		{"not made", update, []plan.Item{{Href: "b/1.ics", Etag: "eb1", Hash: "h1"}}, ""},
		{"gone", update, nil, ""},
		{"at another href", update, []plan.Item{{Href: "b/other.ics", Etag: "eb9", Hash: "h2"}}, ""},
		{"twice", update, []plan.Item{b2, {Href: "b/2.ics", Etag: "e", Hash: "h2"}}, ""},
		{"no side without an etag", toStatus("1", src, b2), []plan.Item{b2}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			items := [2]map[string][]plan.Item{{"1": {src}}, {"1": tt.onB}}
			got := adopt([]status.Item{tt.intent}, items)
			switch {
			case tt.want == "" && len(got) != 0:
				t.Errorf("adopted %+v", got)
			case tt.want != "" && (len(got) != 1 || got[0].B.Etag != tt.want || got[0].B.Href != tt.onB[0].Href || got[0].A != tt.intent.A):
				t.Errorf("adopted %+v, want b as it is now and a as the intent had it", got)
			}
		})
	}
	// An intent to write a: the same, the other way.
	toA := toStatus("1", plan.Item{Href: "a/1.ics", Hash: "h2"}, b2)
	items := [2]map[string][]plan.Item{{"1": {{Href: "a/1.ics", Etag: "ea7", Hash: "h2"}}}, {"1": {b2}}}
	if got := adopt([]status.Item{toA}, items); len(got) != 1 || got[0].A.Etag != "ea7" || got[0].B != toA.B {
		t.Errorf("intent to write a: adopted %+v", got)
	}
}
