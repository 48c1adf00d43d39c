package syncer

import (
	"errors"
	"fmt"
	"testing"
	"time"

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

// chunkedStatus is a memStatus whose PutIntents calls after the first run hook.
type chunkedStatus struct {
	*memStatus
	calls int
	hook  func(call int) error
}

func (c *chunkedStatus) PutIntents(key string, intents []status.Item) error {
	c.calls++
	if c.calls > 1 && c.hook != nil {
		if err := c.hook(c.calls); err != nil {
			return err
		}
	}
	return c.memStatus.PutIntents(key, intents)
}

// TestIntentsAhead: the intents of a big plan go to the status in chunks, and the
// writes of a chunk start once its intents are recorded, while the next chunk's are:
// b was written to before the second chunk went in. When a chunk cannot be recorded,
// the writes of the chunks before are made and recorded, and none after.
func TestIntentsAhead(t *testing.T) {
	const n = status.IntentsPerCommit + 44
	setup := func(t *testing.T) (*env, *chunkedStatus) {
		e := newEnv(t, backends[0].make(t))
		cs := &chunkedStatus{memStatus: e.st}
		e.pair.Status = cs
		e.both(nil)
		for i := range n {
			e.put(A, fmt.Sprintf("%03d.ics", i), ics(fmt.Sprint(i), "event"))
		}
		return e, cs
	}

	t.Run("overlap", func(t *testing.T) {
		e, cs := setup(t)
		overlapped := false
		cs.hook = func(int) error {
			deadline := time.Now().Add(2 * time.Second)
			for time.Now().Before(deadline) && !overlapped {
				overlapped = len(e.hooks[B].written()) > 0
				time.Sleep(time.Millisecond)
			}
			return nil
		}
		if r := e.sync(); !r.OK() || r.Created[B] != n {
			t.Fatalf("sync: %s", describe(r))
		}
		if cs.calls != 2 {
			t.Errorf("intents recorded in %d commits, want 2", cs.calls)
		}
		if !overlapped {
			t.Error("no write started before the second chunk of intents was recorded")
		}
	})

	t.Run("second chunk fails", func(t *testing.T) {
		e, cs := setup(t)
		errFull := errors.New("disk full")
		cs.hook = func(int) error { return errFull }
		r := e.sync()
		if !errors.Is(r.Err, errFull) {
			t.Fatalf("sync: %v, want the status's error", r.Err)
		}
		if got := len(e.hooks[B].written()); got != status.IntentsPerCommit {
			t.Errorf("%d items written to b, want the first chunk's %d", got, status.IntentsPerCommit)
		}
		recs, err := e.st.Items("cal")
		if err != nil || len(recs) != status.IntentsPerCommit {
			t.Errorf("%d items recorded (%v), want %d", len(recs), err, status.IntentsPerCommit)
		}
		cs.hook = nil
		if r := e.sync(); !r.OK() || r.Created[B] != n-status.IntentsPerCommit {
			t.Fatalf("next sync: %s", describe(r))
		}
	})
}
