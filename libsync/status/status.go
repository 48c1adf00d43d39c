// Package status is the memory of a sync pair: for every collection mapping, what each
// side held after the last sync. Comparing that with what the sides hold now is how the
// sync tells an edit from a deletion on the other side, so the status must never lag
// behind what the sync actually did: every write here is committed to disk before it
// returns (vdirsyncer keeps a whole run in one transaction and forgets completed actions
// when it crashes, its issue #739).
//
// Each pair has its own bbolt file, <dir>/<pair>.db, so pairs can sync in parallel from
// separate processes, a second sync of the same pair is refused by a file lock, and
// "forget the last sync" is deleting one file. Inside the file:
//
//	meta                      schema → decimal version (schemaVersion)
//	mappings/<key>            info   → mapping record
//	mappings/<key>/items      <ident> → item record
//	mappings/<key>/intents    <ident> → item record a write in progress will leave (intent.go)
//	mappings/<key>/props      <name> → value record
//	mappings/<key>/state      <name> → value record; conflicts → list of ident, href a, href b
//	pair                      <name> → value record (PairState); run → the last Run
//
// Mapping keys and idents longer than 1 KiB are stored under their first 1 KiB followed
// by their SHA-256 (see dbKey), with the full string inside the record. Records start
// with a version byte; see record.go.
package status

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// ErrLocked lets a caller tell "someone else is syncing this pair, try later" apart from
// a broken status file; Open and OpenReadOnly return errors wrapping it.
var ErrLocked = errors.New("status is locked by another process")

// errReadOnly keeps a dry run from changing what the next real sync compares against.
var errReadOnly = errors.New("opened read-only, cannot write")

const (
	// schemaVersion is the layout this code writes. An older pimsync must refuse a newer
	// file rather than misread it.
	schemaVersion = 1

	// lockTimeout bounds how long a sync waits for another one to finish with the pair
	// before telling the user, rather than hanging silently.
	lockTimeout = 2 * time.Second

	// deleteHint is appended to errors about unreadable files: the status is only a cache
	// of the last sync, so deleting it is always safe, at the cost of a first sync.
	deleteHint = "the file only remembers the last sync: delete it and the next sync of the pair will be a first sync"
)

// Bucket and key names of the layout in the package comment.
var (
	bucketMeta     = []byte("meta")
	bucketMappings = []byte("mappings")
	bucketItems    = []byte("items")
	bucketProps    = []byte("props")
	bucketState    = []byte("state")
	bucketPair     = []byte("pair")
	keySchema      = []byte("schema")
	keyInfo        = []byte("info")
)

// DB is the status of one pair. It holds the pair's file lock until Close, so that two
// syncs of the same pair never interleave their writes. Its methods are safe for
// concurrent use, because the sync runs several actions at once.
type DB struct {
	path     string
	readOnly bool
	bolt     *bbolt.DB // nil for a read-only DB whose file does not exist yet
	group    group     // writes waiting for the next commit
}

// lockedError carries the pair name so the message can tell the user which sync to wait
// for, while errors.Is still matches ErrLocked.
type lockedError struct{ pair string }

func (e *lockedError) Error() string {
	return "pair " + e.pair + " is being synced by another process"
}

func (e *lockedError) Unwrap() error { return ErrLocked }

// Path is exported so that messages and a "reset the pair" command name the same file
// that Open uses.
func Path(dir, pair string) string {
	return filepath.Join(dir, pair+".db")
}

// initialMmap returns the address space a writable status file is mapped with at first.
// bbolt maps a new file small and maps it again, bigger, each time it outgrows the map,
// copying every node the writing transaction holds each time: a first sync of 5,000
// items grows its file to 4 MiB, through several maps. It is address space only; what
// is never read or written takes no memory. On Windows bbolt grows the file itself to
// the map's size, so there it maps as it always did.
func initialMmap() int {
	if runtime.GOOS == "windows" {
		return 0
	}
	return 16 << 20
}

// Open is what a sync uses: it creates the file on the first sync and keeps other
// syncs of the pair out until Close. When another one holds the pair it gives up after
// about two seconds with an error wrapping ErrLocked.
func Open(dir, pair string) (*DB, error) {
	if err := checkPair(pair); err != nil {
		return nil, err
	}
	// 0700: the files list the UID and location of every event and contact the user has.
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create status directory: %w", err)
	}
	warnWide(dir)
	path := Path(dir, pair)
	b, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: lockTimeout, InitialMmapSize: initialMmap()})
	if err != nil {
		return nil, openError(path, pair, err)
	}
	db := &DB{path: path, bolt: b}
	if err := db.init(); err != nil {
		_ = b.Close()
		return nil, err
	}
	return db, nil
}

// warnWide warns when others may read the status directory. It is not tightened: the
// user chose it (status_path), and may share it on purpose or have pointed it at a
// directory that holds more than the status.
func warnWide(dir string) {
	if fi, err := os.Stat(dir); err == nil && fi.Mode().Perm()&0o077 != 0 {
		slog.Warn("other users can open the status directory, which lists the UID and place of every item: chmod 700 it",
			"dir", dir, "mode", fi.Mode().Perm().String())
	}
}

// OpenReadOnly serves dry runs and status reports, which must not change anything: it
// takes a shared lock, so it fails with ErrLocked rather than report on a status that a
// running sync is changing, and a pair that was never synced reads as empty without a
// file or directory being created for it.
func OpenReadOnly(dir, pair string) (*DB, error) {
	if err := checkPair(pair); err != nil {
		return nil, err
	}
	path := Path(dir, pair)
	empty := &DB{path: path, readOnly: true}
	b, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: lockTimeout, ReadOnly: true})
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return empty, nil
		}
		// A zero-length file is one a sync created but died before initializing; bbolt
		// would have to write to read it, and there is nothing in it anyway.
		if !errors.Is(err, bolterrors.ErrTimeout) {
			if fi, serr := os.Stat(path); serr == nil && fi.Mode().IsRegular() && fi.Size() == 0 {
				return empty, nil
			}
		}
		return nil, openError(path, pair, err)
	}
	db := &DB{path: path, readOnly: true, bolt: b}
	if err := db.init(); err != nil {
		_ = b.Close()
		return nil, err
	}
	return db, nil
}

// checkPair keeps a pair name from reaching outside the status directory.
func checkPair(pair string) error {
	if pair == "" || pair == "." || pair == ".." || strings.ContainsAny(pair, "/\\\x00") {
		return fmt.Errorf("invalid pair name %q for a status file", pair)
	}
	return nil
}

func openError(path, pair string, err error) error {
	switch {
	case errors.Is(err, bolterrors.ErrTimeout):
		return &lockedError{pair: pair}
	case errors.Is(err, bolterrors.ErrInvalid),
		errors.Is(err, bolterrors.ErrVersionMismatch),
		errors.Is(err, bolterrors.ErrChecksum):
		return fmt.Errorf("status file %s is not a status database (%w); %s", path, err, deleteHint)
	}
	return fmt.Errorf("open status file %s: %w", path, err)
}

// init checks that the file is ours and not from a newer pimsync, and on a writable DB
// lays out a fresh file. It only starts a write transaction when there is something to
// write, because every commit costs two fsyncs.
func (db *DB) init() error {
	var fresh bool
	var schemaErr error
	err := db.bolt.View(func(tx *bbolt.Tx) error {
		fresh, schemaErr = db.checkSchema(tx)
		return schemaErr
	})
	if schemaErr != nil {
		return schemaErr // names the file already
	}
	if err != nil || !fresh || db.readOnly {
		return db.wrap(err)
	}
	err = db.bolt.Update(func(tx *bbolt.Tx) error {
		fresh, schemaErr = db.checkSchema(tx)
		if schemaErr != nil || !fresh {
			return schemaErr
		}
		meta, err := tx.CreateBucket(bucketMeta)
		if err != nil {
			return err
		}
		if err := meta.Put(keySchema, []byte(strconv.Itoa(schemaVersion))); err != nil {
			return err
		}
		_, err = tx.CreateBucketIfNotExists(bucketMappings)
		return err
	})
	if schemaErr != nil {
		return schemaErr
	}
	return db.wrap(err)
}

// checkSchema reports whether the file is still empty (bbolt made it, but no sync wrote
// to it yet).
func (db *DB) checkSchema(tx *bbolt.Tx) (fresh bool, err error) {
	meta := tx.Bucket(bucketMeta)
	if meta == nil {
		foreign := false
		_ = tx.ForEach(func([]byte, *bbolt.Bucket) error {
			foreign = true
			return nil
		})
		if foreign {
			return false, fmt.Errorf("status file %s is a bbolt file of another program (it has no schema); %s", db.path, deleteHint)
		}
		return true, nil
	}
	v := meta.Get(keySchema)
	n, convErr := strconv.Atoi(string(v))
	if v == nil || convErr != nil || n < 1 {
		return false, fmt.Errorf("status file %s has an unreadable schema %q; %s", db.path, v, deleteHint)
	}
	if n > schemaVersion {
		return false, fmt.Errorf("status file %s has schema %d; this pimsync knows up to %d", db.path, n, schemaVersion)
	}
	return false, nil
}

// Close releases the pair's lock, so the next sync can start.
func (db *DB) Close() error {
	if db.bolt == nil {
		return nil
	}
	return db.wrap(db.bolt.Close())
}

// wrap names the file in every error, because a user with several pairs has to know
// which file to look at or delete.
func (db *DB) wrap(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("status file %s: %w", db.path, err)
}

func (db *DB) view(fn func(tx *bbolt.Tx) error) error {
	if db.bolt == nil {
		return nil
	}
	return db.wrap(db.bolt.View(fn))
}

// update is for the rare writes (mappings), which do not need to share a commit.
func (db *DB) update(fn func(tx *bbolt.Tx) error) error {
	if err := db.writable(); err != nil {
		return err
	}
	return db.wrap(db.bolt.Update(fn))
}

// Writable reports whether the DB was opened for a sync rather than read-only.
func (db *DB) Writable() bool { return !db.readOnly }

// writable is checked before anything else, so that a dry run that tries to write fails
// even when the write would change nothing.
func (db *DB) writable() error {
	if db.readOnly {
		return db.wrap(errReadOnly)
	}
	return nil
}

// Mapping is one collection on side A synced with one on side B. Key is the collection's
// name within the pair (its alias or id) and identifies the mapping in the status; the
// ids and hrefs are what each side knew the collection by, so a collection that moved or
// was replaced can be noticed.
type Mapping struct {
	Key   string
	IDA   string
	HrefA string
	IDB   string
	HrefB string
}

// Side is what one storage held for an item after the last sync: Href to find it again,
// Etag to see cheaply whether it changed, Hash to see whether it changed in content.
type Side struct {
	Href string
	Etag string
	Hash string
}

// Item is one item as both sides held it after the last sync. Ident is its UID, or its
// content hash when it has none, so that an item is recognized on both sides whatever
// its href.
type Item struct {
	Ident string
	A, B  Side
}

func mappingBucket(tx *bbolt.Tx, key string) *bbolt.Bucket {
	ms := tx.Bucket(bucketMappings)
	if ms == nil || key == "" {
		return nil
	}
	return ms.Bucket(dbKey(key))
}

// subBucket finds the items, props or state of a mapping; a mapping written by PutMapping
// has all three, so a missing one only means there is nothing in it.
func subBucket(tx *bbolt.Tx, key string, name []byte) *bbolt.Bucket {
	m := mappingBucket(tx, key)
	if m == nil {
		return nil
	}
	return m.Bucket(name)
}

// writableSub is the write-side of subBucket: writing under a mapping the status does not
// know is a bug in the caller, since the mapping's ids would be lost.
func writableSub(tx *bbolt.Tx, key string, name []byte) (*bbolt.Bucket, error) {
	m := mappingBucket(tx, key)
	if m == nil {
		return nil, fmt.Errorf("no mapping %s (PutMapping first)", show(key))
	}
	return m.CreateBucketIfNotExists(name)
}

// Mappings lists every collection mapping of the pair, sorted by Key so output and
// processing order are stable.
func (db *DB) Mappings() ([]Mapping, error) {
	var out []Mapping
	err := db.view(func(tx *bbolt.Tx) error {
		ms := tx.Bucket(bucketMappings)
		if ms == nil {
			return nil
		}
		c := ms.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if v != nil {
				return fmt.Errorf("mappings: stray value under %s; %s", show(string(k)), deleteHint)
			}
			m, err := readMapping(ms.Bucket(k), k)
			if err != nil {
				return err
			}
			out = append(out, m)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b Mapping) int { return strings.Compare(a.Key, b.Key) })
	return out, nil
}

func readMapping(b *bbolt.Bucket, k []byte) (Mapping, error) {
	v := b.Get(keyInfo)
	if v == nil {
		return Mapping{}, fmt.Errorf("mapping %s: no info record; %s", show(string(k)), deleteHint)
	}
	m, err := decodeMapping(v)
	if err == nil && string(dbKey(m.Key)) != string(k) {
		err = errors.New("record belongs to another key")
	}
	if err != nil {
		return Mapping{}, fmt.Errorf("mapping %s: corrupt info record (%v); %s", show(string(k)), err, deleteHint)
	}
	return m, nil
}

// Mapping looks up one mapping; ok is false when the pair never synced that collection.
func (db *DB) Mapping(key string) (m Mapping, ok bool, err error) {
	err = db.view(func(tx *bbolt.Tx) error {
		b := mappingBucket(tx, key)
		if b == nil {
			return nil
		}
		var err error
		m, err = readMapping(b, dbKey(key))
		ok = err == nil
		return err
	})
	return m, ok, err
}

// PutMapping records a mapping, or updates its ids and hrefs while keeping its items,
// properties and state, which still describe the same pair of collections.
func (db *DB) PutMapping(m Mapping) error {
	if m.Key == "" {
		return db.wrap(errors.New("mapping with an empty key"))
	}
	rec := encodeMapping(m)
	k := dbKey(m.Key)
	return db.update(func(tx *bbolt.Tx) error {
		ms, err := tx.CreateBucketIfNotExists(bucketMappings)
		if err != nil {
			return err
		}
		b, err := ms.CreateBucketIfNotExists(k)
		if err != nil {
			return fmt.Errorf("mapping %s: %w", show(m.Key), err)
		}
		for _, name := range [][]byte{bucketItems, bucketProps, bucketState} {
			if _, err := b.CreateBucketIfNotExists(name); err != nil {
				return fmt.Errorf("mapping %s: %w", show(m.Key), err)
			}
		}
		return b.Put(keyInfo, rec)
	})
}

// DeleteMapping forgets a collection mapping with all its items, properties and state,
// so that syncing the collection again starts as a first sync. Deleting an unknown
// mapping is not an error.
func (db *DB) DeleteMapping(key string) error {
	if err := db.writable(); err != nil || key == "" {
		return err
	}
	return db.update(func(tx *bbolt.Tx) error {
		ms := tx.Bucket(bucketMappings)
		if ms == nil {
			return nil
		}
		err := ms.DeleteBucket(dbKey(key))
		if errors.Is(err, bolterrors.ErrBucketNotFound) {
			return nil
		}
		return err
	})
}

// Items returns what the last sync left of a mapping's items, sorted by Ident; an unknown
// mapping simply has none. One corrupt record fails the whole call: planning without it
// could delete or duplicate that item.
func (db *DB) Items(key string) ([]Item, error) {
	return db.readItems(key, bucketItems, "item")
}

// readItems returns the item records in the mapping's sub-bucket name, sorted by Ident;
// what names them in an error.
func (db *DB) readItems(key string, name []byte, what string) ([]Item, error) {
	var out []Item
	err := db.view(func(tx *bbolt.Tx) error {
		b := subBucket(tx, key, name)
		if b == nil {
			return nil
		}
		c := b.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			it, err := readItem(k, v)
			if err != nil {
				return fmt.Errorf("mapping %s: %s %s: corrupt record (%v); %s", show(key), what, showKey(k), err, deleteHint)
			}
			out = append(out, it)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b Item) int { return strings.Compare(a.Ident, b.Ident) })
	return out, nil
}

func readItem(k, v []byte) (Item, error) {
	if v == nil {
		return Item{}, errors.New("a bucket where a record should be")
	}
	it, err := decodeItem(v)
	if err == nil && !isKey(k, it.Ident) {
		err = errors.New("the record is for another ident")
	}
	return it, err
}

// PutItem records an item after a sync action, and forgets its intent (PutIntents); it
// returns once the record is on disk.
func (db *DB) PutItem(key string, it Item) error {
	if it.Ident == "" {
		return db.wrap(errEmptyIdent(key))
	}
	rec := encodeItem(it)
	k := dbKey(it.Ident)
	return db.batch(func(tx *bbolt.Tx) error {
		b, err := writableSub(tx, key, bucketItems)
		if err != nil {
			return err
		}
		if err := forgetIntent(tx, key, k); err != nil {
			return err
		}
		return b.Put(k, rec)
	})
}

// DeleteItem forgets an item after it was deleted on both sides; it returns once that is
// on disk. Forgetting an unknown item is not an error.
func (db *DB) DeleteItem(key, ident string) error {
	if err := db.writable(); err != nil || ident == "" {
		return err
	}
	k := dbKey(ident)
	return db.batch(func(tx *bbolt.Tx) error {
		if err := forgetIntent(tx, key, k); err != nil {
			return err
		}
		b := subBucket(tx, key, bucketItems)
		if b == nil {
			return nil
		}
		return b.Delete(k)
	})
}

// Props returns the collection properties (displayname, color, description, order) as
// last synced, so that a change on one side can be told from a change on the other.
func (db *DB) Props(key string) (map[string]string, error) {
	out := map[string]string{}
	err := db.view(func(tx *bbolt.Tx) error {
		b := subBucket(tx, key, bucketProps)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			s, err := decodeValue(v)
			if err != nil {
				return fmt.Errorf("mapping %s: property %s: corrupt record (%v); %s", show(key), show(string(k)), err, deleteHint)
			}
			out[string(k)] = s
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// PutProp records a property value after syncing it; it returns once that is on disk.
func (db *DB) PutProp(key, name, value string) error {
	if err := checkName("property", name); err != nil {
		return db.wrap(err)
	}
	rec := encodeValue(value)
	return db.batch(func(tx *bbolt.Tx) error {
		b, err := writableSub(tx, key, bucketProps)
		if err != nil {
			return err
		}
		return b.Put([]byte(name), rec)
	})
}

// DeleteProp forgets a property that is now unset on both sides; it returns once that is
// on disk.
func (db *DB) DeleteProp(key, name string) error {
	if err := db.writable(); err != nil || name == "" {
		return err
	}
	return db.batch(func(tx *bbolt.Tx) error {
		b := subBucket(tx, key, bucketProps)
		if b == nil {
			return nil
		}
		return b.Delete([]byte(name))
	})
}

// State holds whatever a later sync needs to skip work, such as sync tokens and ctags per
// side; ok is false when nothing was stored under name.
func (db *DB) State(key, name string) (value string, ok bool, err error) {
	err = db.view(func(tx *bbolt.Tx) error {
		value, ok, err = getValue(subBucket(tx, key, bucketState), name)
		if err != nil {
			return fmt.Errorf("mapping %s: state %s: %w", show(key), show(name), err)
		}
		return nil
	})
	return value, ok, err
}

// getValue reads a value record from b, which may be missing.
func getValue(b *bbolt.Bucket, name string) (value string, ok bool, err error) {
	if b == nil || name == "" {
		return "", false, nil
	}
	v := b.Get([]byte(name))
	if v == nil {
		return "", false, nil
	}
	value, err = decodeValue(v)
	if err != nil {
		return "", false, fmt.Errorf("corrupt record (%v); %s", err, deleteHint)
	}
	return value, true, nil
}

// PutState stores an opaque value for State; it returns once that is on disk.
func (db *DB) PutState(key, name, value string) error {
	if err := checkName("state", name); err != nil {
		return db.wrap(err)
	}
	rec := encodeValue(value)
	return db.batch(func(tx *bbolt.Tx) error {
		b, err := writableSub(tx, key, bucketState)
		if err != nil {
			return err
		}
		return b.Put([]byte(name), rec)
	})
}

// checkName bounds property and state names: they come from code, not from servers, so
// unlike idents they are stored as they are.
func checkName(what, name string) error {
	if name == "" || len(name) > maxPlainKey {
		return fmt.Errorf("%s name of %d bytes (want 1 to %d)", what, len(name), maxPlainKey)
	}
	return nil
}

// PairState is State for the pair as a whole rather than one collection mapping: where
// discovery found each DAV storage's home set, so that a sync with nothing to do does
// not repeat it.
func (db *DB) PairState(name string) (value string, ok bool, err error) {
	err = db.view(func(tx *bbolt.Tx) error {
		value, ok, err = getValue(tx.Bucket(bucketPair), name)
		if err != nil {
			return fmt.Errorf("pair state %s: %w", show(name), err)
		}
		return nil
	})
	return value, ok, err
}

// PutPairState stores a value for PairState; it returns once that is on disk.
func (db *DB) PutPairState(name, value string) error {
	if err := checkName("pair state", name); err != nil {
		return db.wrap(err)
	}
	rec := encodeValue(value)
	return db.batch(func(tx *bbolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketPair)
		if err != nil {
			return err
		}
		return b.Put([]byte(name), rec)
	})
}
