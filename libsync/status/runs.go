package status

import (
	"bytes"
	"fmt"
	"strconv"
	"time"

	"go.etcd.io/bbolt"
)

// Run is what the last sync of the pair did, kept for pimsync status: a pair that
// fails quietly in a daemon must still show.
type Run struct {
	Start, End time.Time
	// Result is "ok", or what was left to do: "conflicts" (nothing failed, but items
	// wait for a resolution), "errors" (items or collections failed), or "failed"
	// (the pair could not be synced at all).
	Result string
	// Error is the first error of the run, if any.
	Error string
	// LastError and LastErrorAt are the latest error of any run so far: a pair that
	// failed an hour ago and is fine now still says so.
	LastError   string
	LastErrorAt time.Time
}

// Results of a Run.
const (
	ResultOK        = "ok"
	ResultConflicts = "conflicts"
	ResultErrors    = "errors"
	ResultFailed    = "failed"
)

// Conflict is an item left in conflict by the last sync of a collection.
type Conflict struct {
	Ident        string
	HrefA, HrefB string
}

var (
	keyRun       = []byte("run")
	keyConflicts = []byte("conflicts")
)

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

func parseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return time.Parse(time.RFC3339Nano, s)
}

// PutRun records the pair's latest run. LastError and LastErrorAt are carried over
// from the run before unless this one failed.
func (db *DB) PutRun(r Run) error {
	if r.Error != "" {
		r.LastError, r.LastErrorAt = r.Error, r.End
	}
	return db.batch(func(tx *bbolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketPair)
		if err != nil {
			return err
		}
		if r.Error == "" {
			if old, ok, err := readRun(b); err == nil && ok {
				r.LastError, r.LastErrorAt = old.LastError, old.LastErrorAt
			}
		}
		rec := newRecord(formatTime(r.Start), formatTime(r.End), r.Result, r.Error,
			r.LastError, formatTime(r.LastErrorAt))
		return b.Put(keyRun, rec)
	})
}

// LastRun returns what PutRun recorded last; ok is false for a pair never synced.
func (db *DB) LastRun() (r Run, ok bool, err error) {
	err = db.view(func(tx *bbolt.Tx) error {
		r, ok, err = readRun(tx.Bucket(bucketPair))
		return err
	})
	return r, ok, err
}

func readRun(b *bbolt.Bucket) (Run, bool, error) {
	if b == nil {
		return Run{}, false, nil
	}
	v := b.Get(keyRun)
	if v == nil {
		return Run{}, false, nil
	}
	f, err := decodeFields(v, 6)
	if err != nil {
		return Run{}, false, fmt.Errorf("last run: corrupt record (%v); %s", err, deleteHint)
	}
	r := Run{Result: f[2], Error: f[3], LastError: f[4]}
	for i, t := range []*time.Time{&r.Start, &r.End, &r.LastErrorAt} {
		s := f[[]int{0, 1, 5}[i]]
		if *t, err = parseTime(s); err != nil {
			return Run{}, false, fmt.Errorf("last run: corrupt time %s; %s", strconv.Quote(s), deleteHint)
		}
	}
	return r, true, nil
}

// PutConflicts records the items the last sync of a mapping left in conflict, replacing
// what was recorded before; none removes the record.
func (db *DB) PutConflicts(key string, cs []Conflict) error {
	var rec []byte
	if len(cs) > 0 {
		rec = []byte{recordV1}
		for _, c := range cs {
			rec = appendFields(rec, c.Ident, c.HrefA, c.HrefB)
		}
	}
	// Most syncs leave the conflicts the last one left (most often none): they cost no
	// commit, whose two fsyncs would be most of what a sync with nothing to do writes.
	same := false
	if err := db.view(func(tx *bbolt.Tx) error {
		if b := subBucket(tx, key, bucketState); b != nil {
			same = bytes.Equal(b.Get(keyConflicts), rec)
		}
		return nil
	}); err != nil || same {
		return err
	}
	return db.batch(func(tx *bbolt.Tx) error {
		b, err := writableSub(tx, key, bucketState)
		if err != nil {
			return err
		}
		if rec == nil {
			return b.Delete(keyConflicts)
		}
		return b.Put(keyConflicts, rec)
	})
}

// Conflicts returns what PutConflicts recorded for a mapping.
func (db *DB) Conflicts(key string) ([]Conflict, error) {
	var out []Conflict
	err := db.view(func(tx *bbolt.Tx) error {
		b := subBucket(tx, key, bucketState)
		if b == nil {
			return nil
		}
		v := b.Get(keyConflicts)
		if v == nil {
			return nil
		}
		n, err := countFields(v)
		if err == nil && n%3 != 0 {
			err = fmt.Errorf("%d fields", n)
		}
		var f []string
		if err == nil {
			f, err = decodeFields(v, n)
		}
		if err != nil {
			return fmt.Errorf("mapping %s: conflicts: corrupt record (%v); %s", show(key), err, deleteHint)
		}
		for i := 0; i < n; i += 3 {
			out = append(out, Conflict{Ident: f[i], HrefA: f[i+1], HrefB: f[i+2]})
		}
		return nil
	})
	return out, err
}
