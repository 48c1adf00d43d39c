package singlefile

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/pimsync-go/libsync/config"
	"github.com/pimsync-go/libsync/plan"
	"github.com/pimsync-go/libsync/status"
	"github.com/pimsync-go/libsync/storage"
	"github.com/pimsync-go/libsync/storage/storagetest"
	"github.com/pimsync-go/libsync/storage/vdirstore"
	"github.com/pimsync-go/libsync/syncer"
)

// BenchmarkSync syncs n events from a vdir into an empty singlefile calendar, and from
// that file into an empty vdir, through the real syncer and status database: the case
// that took vdirsyncer hours at 1,800 items (its issue #818). Every write is durable
// when it returns; creates made at once share a rewrite of the file (commit.go). The
// ns/item metric stays about the same from 1,000 to 5,000 items: the time is linear.
//
//	go test -run '^$' -bench Sync -benchtime 3x ./storage/singlefile/
func BenchmarkSync(b *testing.B) {
	defer slog.SetDefault(slog.Default())
	slog.SetDefault(slog.New(slog.DiscardHandler))
	for _, n := range []int{1000, 5000} {
		for _, dir := range []string{"vdir-to-singlefile", "singlefile-to-vdir"} {
			b.Run(fmt.Sprintf("%s/%d", dir, n), func(b *testing.B) {
				var total time.Duration
				for b.Loop() {
					b.StopTimer()
					tmp := b.TempDir()
					var from, to storage.Storage = newVdir(b, filepath.Join(tmp, "vdir"), n), nil
					file, err := Open(filepath.Join(tmp, "%s.ics"), false)
					if err != nil {
						b.Fatal(err)
					}
					to = file
					if dir == "singlefile-to-vdir" {
						syncOnce(b, filepath.Join(tmp, "setup"), from, file, n)
						os.MkdirAll(filepath.Join(tmp, "empty"), 0o755)
						if to, err = vdirstore.Open(filepath.Join(tmp, "empty"), "ics"); err != nil {
							b.Fatal(err)
						}
						from = file
					}
					start := time.Now()
					b.StartTimer()
					syncOnce(b, filepath.Join(tmp, "status"), from, to, n)
					b.StopTimer()
					total += time.Since(start)
					b.StartTimer()
				}
				b.ReportMetric(float64(total.Nanoseconds())/float64(b.N*n), "ns/item")
			})
		}
	}
}

// newVdir makes a vdir storage at root with one calendar of n events.
func newVdir(b *testing.B, root string, n int) storage.Storage {
	b.Helper()
	col := filepath.Join(root, "cal")
	if err := os.MkdirAll(col, 0o755); err != nil {
		b.Fatal(err)
	}
	for i := range n {
		uid := fmt.Sprintf("event-%05d@example.com", i)
		if err := os.WriteFile(filepath.Join(col, uid+".ics"), storagetest.Item(uid, fmt.Sprintf("Event number %d", i)), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	s, err := vdirstore.Open(root, "ics")
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// syncOnce syncs a to the empty b with a new status in dir, and fails unless all n
// items were created, with the concurrency pimsync gives local storages by default.
func syncOnce(b *testing.B, dir string, a, to storage.Storage, n int) {
	b.Helper()
	db, err := status.Open(dir, "bench")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	p := &syncer.Pair{Name: "bench", Storage: [2]storage.Storage{a, to}, Status: db,
		Select: plan.Selection{From: [2]bool{true, true}},
		Writes: [2]int{config.DefaultLocalConcurrency, config.DefaultLocalConcurrency}}
	res, err := p.Sync(context.Background())
	if err != nil || !res.OK() || len(res.Collections) != 1 || res.Collections[0].Created[plan.B] != n {
		b.Fatalf("sync: %v %+v", err, res)
	}
}
