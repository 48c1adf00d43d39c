package syncer

import (
	"context"
	"fmt"
	"testing"

	"github.com/pimsync-go/libsync/plan"
	"github.com/pimsync-go/libsync/storage"
	"github.com/pimsync-go/libsync/storage/memstore"
)

func ev(uid, summary string) []byte {
	return []byte(fmt.Sprintf("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:%s\r\nDTSTART:20260101T100000Z\r\nSUMMARY:%s\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n", uid, summary))
}

func TestSmoke(t *testing.T) {
	ctx := context.Background()
	a, b := memstore.New("a"), memstore.New("b")
	ca := a.Add("cal")
	ca.Put("one.ics", ev("one", "first"))
	ca.SetProp(ctx, storage.DisplayName, "Calendar")
	p := &Pair{Name: "p", Storage: [2]storage.Storage{a, b}, Status: newMemStatus(),
		Select: plan.Selection{From: [2]bool{true, true}}}
	res, err := p.Sync(ctx)
	if err != nil || !res.OK() {
		t.Fatalf("sync: %v %+v", err, res.Collections[0])
	}
	cb := b.Add("cal")
	if got := cb.Snapshot()["one.ics"]; string(got) != string(ev("one", "first")) {
		t.Fatalf("b has %q", got)
	}
	if props, _ := cb.Props(ctx); props[storage.DisplayName] != "Calendar" {
		t.Errorf("props on b: %v", props)
	}
	cb.Put("one.ics", ev("one", "second"))
	res, err = p.Sync(ctx)
	if err != nil || !res.OK() || res.Collections[0].Updated[plan.A] != 1 {
		t.Fatalf("second sync: %v %+v", err, res.Collections[0])
	}
	if got := ca.Snapshot()["one.ics"]; string(got) != string(ev("one", "second")) {
		t.Fatalf("a has %q", got)
	}
}
