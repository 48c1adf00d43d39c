package status

import (
	"errors"
	"fmt"

	"go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// bucketIntents holds a mapping's write intents (see PutIntents).
var bucketIntents = []byte("intents")

// PutIntents records, in one commit, the item records that a sync's writes will leave
// once they are done, before it makes them. A write whose answer is lost (a dropped
// connection, a killed process) leaves its item changed on the side it wrote to and
// the status as it was; the next sync would take that for a change made there, and a
// newer change or a deletion on the other side would meet it as a conflict or be
// undone. With the intent, the next sync can tell its own write (see Intents).
//
// In an intent, the side being written has no Etag (the write has not answered yet),
// its Hash is that of the bytes being written, and its Href is empty for a creation.
// PutItem and DeleteItem of the same ident forget its intent.
func (db *DB) PutIntents(key string, intents []Item) error {
	if len(intents) == 0 {
		return db.writable()
	}
	for _, it := range intents {
		if it.Ident == "" {
			return db.wrap(errEmptyIdent(key))
		}
	}
	// In commits of IntentsPerCommit: one transaction of a whole initial sync's intents held
	// every page it touched in memory at once (11 MiB more at the peak for 7,000 items).
	// All are committed when PutIntents returns, as one commit would be. (The syncer
	// passes a chunk at a time, and starts a chunk's writes once it returns.)
	for len(intents) > 0 {
		chunk := intents[:min(len(intents), IntentsPerCommit)]
		intents = intents[len(chunk):]
		recs, err := encodeItems(key, chunk)
		if err != nil {
			return db.wrap(err)
		}
		err = db.batch(func(tx *bbolt.Tx) error {
			b, err := writableSub(tx, key, bucketIntents)
			if err != nil {
				return err
			}
			return putItems(b, chunk, recs)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// errEmptyIdent refuses to record an item under no ident: it could never be found again.
func errEmptyIdent(key string) error {
	return fmt.Errorf("mapping %s: item with an empty ident", show(key))
}

// IntentsPerCommit is how many intents PutIntents commits at once; a caller that starts
// writes as their intents are recorded passes this many at a time.
const IntentsPerCommit = 256

// Intents returns the write intents that a sync of the mapping left behind, sorted by
// Ident: writes it was about to make, may have made, and did not record. A corrupt one
// fails the call, as a corrupt item record does.
func (db *DB) Intents(key string) ([]Item, error) {
	return db.readItems(key, bucketIntents, "intent")
}

// SettleIntents records items, the intents found carried out, and forgets every intent
// of the mapping, in one commit: an intent is looked at by the next sync only.
func (db *DB) SettleIntents(key string, items []Item) error {
	if err := db.writable(); err != nil {
		return err
	}
	recs, err := encodeItems(key, items)
	if err != nil {
		return db.wrap(err)
	}
	return db.batch(func(tx *bbolt.Tx) error {
		m := mappingBucket(tx, key)
		if m == nil {
			return nil
		}
		if len(items) > 0 {
			b, err := writableSub(tx, key, bucketItems)
			if err != nil {
				return err
			}
			if err := putItems(b, items, recs); err != nil {
				return err
			}
		}
		err := m.DeleteBucket(bucketIntents)
		if errors.Is(err, bolterrors.ErrBucketNotFound) {
			return nil
		}
		return err
	})
}

// encodeItems encodes records ahead of a commit (see batch), refusing an empty ident.
func encodeItems(key string, items []Item) ([][]byte, error) {
	recs := make([][]byte, len(items))
	for i, it := range items {
		if it.Ident == "" {
			return nil, errEmptyIdent(key)
		}
		recs[i] = encodeItem(it)
	}
	return recs, nil
}

// putItems puts the records encodeItems made of items into b.
func putItems(b *bbolt.Bucket, items []Item, recs [][]byte) error {
	for i, it := range items {
		if err := b.Put(dbKey(it.Ident), recs[i]); err != nil {
			return err
		}
	}
	return nil
}

// forgetIntent drops the intent of the item keyed k, if any, in the commit that records
// the write's outcome.
func forgetIntent(tx *bbolt.Tx, key string, k []byte) error {
	if b := subBucket(tx, key, bucketIntents); b != nil {
		return b.Delete(k)
	}
	return nil
}
