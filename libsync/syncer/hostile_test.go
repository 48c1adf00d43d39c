package syncer

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pimsync-go/libsync/plan"
	"github.com/pimsync-go/libsync/storage"
	"github.com/pimsync-go/libsync/storage/memstore"
	"github.com/pimsync-go/libsync/storage/vdirstore"
)

// TestHostileUIDs: items whose UIDs (which name their files in a vdir) try to climb
// out of the collection, plainly or percent-encoded, all land inside it, each in a
// file of its own, and nothing is written anywhere else.
func TestHostileUIDs(t *testing.T) {
	ctx := context.Background()
	uids := []string{"../../escape", "..%2F..%2Fescape", "%2e%2e%2fescape", "a/b", "/abs", "..", ".",
		"..\\..\\win", "nul\x00byte", strings.Repeat("long", 100), "ok"}
	a := memstore.New("a")
	ca := a.Add("cal")
	for i, uid := range uids {
		ca.Put(string(rune('a'+i))+".ics", ev(uid, "hostile"))
	}
	root := t.TempDir()
	vroot := filepath.Join(root, "deep", "vdir")
	os.MkdirAll(vroot, 0o755)
	b, err := vdirstore.Open(vroot, "ics")
	if err != nil {
		t.Fatal(err)
	}
	p := &Pair{Name: "p", Storage: [2]storage.Storage{a, b}, Status: newMemStatus(),
		Select: plan.Selection{From: [2]bool{true, false}}}
	res, err := p.Sync(ctx)
	if err != nil || len(res.Collections) != 1 {
		t.Fatalf("sync: %v %+v", err, res)
	}
	r := res.Collections[0]
	col := filepath.Join(vroot, "cal")
	var files []string
	filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, path)
		}
		return nil
	})
	created := 0
	for _, f := range files {
		if filepath.Dir(f) != col {
			t.Errorf("a file outside the collection: %s", f)
			continue
		}
		if strings.HasSuffix(f, ".ics") {
			created++
		}
	}
	t.Logf("%d of %d items created, %d errors", created, len(uids), len(r.ItemErrors))
	// An item the sync could not name safely would be an error, never a file elsewhere.
	if created+len(r.ItemErrors) != len(uids) || created != r.Created[plan.B] {
		t.Errorf("%d files, %d created, %d errors (%v) for %d items", created, r.Created[plan.B], len(r.ItemErrors), r.ItemErrors, len(uids))
	}
}
