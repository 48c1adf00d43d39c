// Package storage defines what a sync needs of a place that holds calendars or address
// books: list collections, list a collection's items with etags, fetch items' exact bytes,
// and write them conditionally. Each kind of storage (vdir, CalDAV/CardDAV, webcal, memory)
// is an adapter in a sub-package; the sync code knows only these interfaces.
package storage

import (
	"context"
	"errors"
	"strconv"
)

// Errors callers branch on. Adapters wrap them with context.
var (
	// ErrNotFound: the collection or item is not there (DAV 404 and 410).
	ErrNotFound = errors.New("not found")
	// ErrPrecondition: the item changed since it was listed, or a create found the name
	// taken (DAV 412, a vdir etag mismatch). The item is left for the next sync.
	ErrPrecondition = errors.New("changed meanwhile")
	// ErrReadOnly: a write to a storage configured read_only.
	ErrReadOnly = errors.New("storage is read-only")
	// ErrNotEmpty: a collection still holds items and is not deleted.
	ErrNotEmpty = errors.New("collection is not empty")
	// ErrUnsupported: the storage refuses this property (Xandikos keeps no
	// calendar-description); the sync leaves it alone rather than fail every time.
	ErrUnsupported = errors.New("not kept by this storage")
	// ErrWeakEtag: the item's etag is weak, so a conditional write is impossible; a
	// Forcer can write it once the caller has checked the item is unchanged.
	ErrWeakEtag = errors.New("the server gave a weak etag; a conditional write is impossible")
	// ErrTooLarge: a response or an item is larger than the storage's max_size; it is
	// not read, and the sync goes on without it.
	ErrTooLarge = errors.New("too large")
	// ErrConflict: the storage refuses the write as a conflict with what it holds (DAV
	// 409), as Radicale refuses to change an item's UID in place.
	ErrConflict = errors.New("refused as a conflict")
)

// FormatSize gives a byte count as a message says it: in GiB, MiB or KiB when it is a
// whole number of them, else in bytes.
func FormatSize(n int64) string {
	for _, u := range []struct {
		unit  string
		shift uint
	}{{"GiB", 30}, {"MiB", 20}, {"KiB", 10}} {
		if n >= 1<<u.shift && n%(1<<u.shift) == 0 {
			return strconv.FormatInt(n>>u.shift, 10) + " " + u.unit
		}
	}
	return strconv.FormatInt(n, 10) + " bytes"
}

// Storage is a storage root: a vdir directory, a DAV home set, a webcal feed.
type Storage interface {
	// Collections lists the collections the storage has now.
	Collections(ctx context.Context) ([]CollectionInfo, error)
	// Collection opens the collection at href (as Collections and CreateCollection
	// return it). It does not check that the collection exists.
	Collection(ctx context.Context, href string) (Collection, error)
	// Href returns where a new collection called id would be created.
	Href(id string) string
	// CreateCollection makes an empty collection called id, and fails when one is
	// there already: a sync takes a collection it just created to be empty, unlisted.
	CreateCollection(ctx context.Context, id string) (CollectionInfo, error)
	// DeleteCollection removes the collection at href, only if it has no items
	// (ErrNotEmpty otherwise).
	DeleteCollection(ctx context.Context, href string) error
	// String names the storage in messages (a path or a URL without credentials).
	String() string
}

// CollectionInfo identifies a collection: its ID is its name (a vdir's directory name,
// the last segment of a DAV URL), its Href where it lives.
type CollectionInfo struct {
	ID   string
	Href string
	// Version changes whenever anything in the collection changes (a CalDAV getctag
	// or sync-token); "" when the storage has nothing so cheap. An unchanged version
	// lets a sync skip listing that side.
	Version string
	// SyncToken is the collection's RFC 6578 sync token, "" when it has none; with a
	// ChangeLister it lets a sync list only what changed since an earlier token.
	SyncToken string
}

// Collection is one calendar or address book.
type Collection interface {
	// List returns every item's href and etag, without reading the items. Items that
	// exist but cannot be read safely come back in Unreadable, so a sync never takes
	// them for deleted.
	List(ctx context.Context) (Listing, error)
	// Get fetches the items at hrefs. An item that fails on its own has Err set; the
	// error return is for failures of the whole request.
	Get(ctx context.Context, hrefs []string) ([]Item, error)
	// Create stores data as a new item, named after ident when that makes a safe name,
	// and returns its href and etag. It never replaces an existing item.
	Create(ctx context.Context, ident string, data []byte) (href, etag string, err error)
	// Update replaces the item at href if its etag is still etag, and returns the new
	// etag (ErrPrecondition otherwise, ErrNotFound when it is gone).
	Update(ctx context.Context, href, etag string, data []byte) (string, error)
	// Delete removes the item at href if its etag is still etag.
	Delete(ctx context.Context, href, etag string) error
	// Props returns the collection's properties that are set.
	Props(ctx context.Context) (map[Prop]string, error)
	// SetProp sets a property; an empty value removes it.
	SetProp(ctx context.Context, p Prop, value string) error
}

// Entry is one listed item.
type Entry struct {
	Href string
	Etag string
}

// Listing is what List finds.
type Listing struct {
	Items []Entry
	// Unreadable are items that exist but are not offered for sync, with the reason.
	Unreadable []Unreadable
	// Outside are items the collection holds that its storage's filter (start_date,
	// end_date, item_types) leaves out. A sync leaves them alone: neither copied nor
	// taken for deleted, since an event leaves a moving window by the passing of time
	// alone, and servers do not filter exactly.
	Outside []Entry
}

// Unreadable is an item a listing found but will not read.
type Unreadable struct {
	Href   string
	Reason string
}

// Item is an item's exact bytes as fetched, or the error fetching it.
type Item struct {
	Href string
	Etag string
	Data []byte
	Err  error
}

// Prop is a collection property the sync keeps equal on both sides.
type Prop string

// The synced properties, named as the vdir metadata files are.
const (
	DisplayName Prop = "displayname"
	Color       Prop = "color"
	Description Prop = "description"
	Order       Prop = "order"
)

// Props lists the synced properties in a fixed order.
var Props = []Prop{DisplayName, Color, Description, Order}

// PropLister is a Collection that keeps only some of the synced properties (a CardDAV
// address book has no color): the sync leaves the others alone rather than take their
// absence for a deletion.
type PropLister interface {
	SupportedProps() []Prop
}

// Supported returns the properties c keeps.
func Supported(c Collection) []Prop {
	if pl, ok := c.(PropLister); ok {
		return pl.SupportedProps()
	}
	return Props
}

// Forcer is a Collection that can write without a condition. The sync uses it only for
// items whose etag is weak, right after reading the item again and finding the content
// it planned with: a small window, where the alternative is never syncing such items.
type Forcer interface {
	ForceUpdate(ctx context.Context, href string, data []byte) (string, error)
	ForceDelete(ctx context.Context, href string) error
}

// Local is a Collection on this machine (a vdir), whose items cost less to read again
// than to keep: a sync keeps only their hashes, not every item's bytes until it has
// copied them all.
type Local interface {
	Local() bool
}

// AllGetter is a Collection that can send every item it holds in one answer, read as it
// arrives. A sync that wants most items of a big collection (the first sync against a
// full one) asks for them so rather than in chunks with Get: one request instead of
// one per chunk, and servers that look up each href of a multiget (Xandikos walks the
// whole calendar for each) do one pass instead of one per item.
type AllGetter interface {
	// GetAll calls fn with the items, as they come, each once. It may leave items out
	// (the caller gets what it still wants with Get), and items fn had stay good when
	// an error comes later.
	GetAll(ctx context.Context, fn func(Item) error) error
}

// ChangeLister is a Collection that can list only what changed since a sync token.
type ChangeLister interface {
	// Changes returns what changed since token; "" asks for every item (RFC 6578's
	// initial sync). ErrInvalidToken means the token is no longer known.
	Changes(ctx context.Context, token string) (Changes, error)
}

// Changes is what a collection changed since a sync token.
type Changes struct {
	Changed []Entry  // items new or modified, with their etags
	Deleted []string // hrefs of items gone
	// Token is the sync token as of this answer, and Version the collection's Version
	// (CollectionInfo) that goes with it.
	Token, Version string
}

// ErrInvalidToken: a sync token is no longer valid; list in full.
var ErrInvalidToken = errors.New("sync token no longer valid")
