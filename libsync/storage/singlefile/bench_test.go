package singlefile

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/pimsync-go/libsync/config"
	"github.com/pimsync-go/libsync/plan"
	"github.com/pimsync-go/libsync/status"
	"github.com/pimsync-go/libsync/storage"
	"github.com/pimsync-go/libsync/storage/memstore"
	"github.com/pimsync-go/libsync/storage/storagetest"
	"github.com/pimsync-go/libsync/syncer"
)

// BenchmarkSync5000 syncs 5,000 events from memory into an empty singlefile calendar
// through the real syncer and status database: the case that took vdirsyncer hours
// (its issue #818). Every create is durable when it returns; creates made at once share
// a rewrite of the file (commit.go).
func BenchmarkSync5000(b *testing.B) {
	const n = 5000
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		src := memstore.New("mem")
		col := src.Add("cal")
		for i := range n {
			uid := fmt.Sprintf("event-%05d@example.com", i)
			col.Put(uid+".ics", storagetest.Item(uid, fmt.Sprintf("Event number %d", i)))
		}
		dir := b.TempDir()
		dst, err := Open(filepath.Join(dir, "%s.ics"), false)
		if err != nil {
			b.Fatal(err)
		}
		db, err := status.Open(filepath.Join(dir, "status"), "bench")
		if err != nil {
			b.Fatal(err)
		}
		// The concurrency pimsync gives a singlefile storage when the configuration
		// sets none, as for a vdir.
		p := &syncer.Pair{Name: "bench", Storage: [2]storage.Storage{src, dst}, Status: db,
			Select: plan.Selection{From: [2]bool{true, true}},
			Writes: [2]int{config.DefaultConcurrency, config.DefaultLocalConcurrency}}
		b.StartTimer()
		res, err := p.Sync(ctx)
		b.StopTimer()
		db.Close()
		if err != nil || !res.OK() || res.Collections[0].Created[plan.B] != n {
			b.Fatalf("sync: %v %+v", err, res.Collections)
		}
		b.StartTimer()
	}
}
