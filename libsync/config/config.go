// Package config reads pimsync.conf, the configuration file of pimsync, into a checked
// model: storages, pairs and where the status files go. The syntax is scfg (package
// scfg) and the directives are pimsync's (pimsync.conf(5)). Mistakes are reported all at
// once, each as FILE:LINE:COL: message.
//
// A few checks are stricter than pimsync's, where pimsync would fail later or quietly do
// something else: an interval of 0, a password without a username, a url that is not
// http(s) (or unix:// for DAV), collection IDs with a /, and pair names with a / or a
// leading dot (PAIR/COLLECTION names a collection on the command line).
//
// Values that may hold secrets (url, username, password, path, status_path) can come
// from a command; Parse only records the command, and Value.Resolve runs it.
package config

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/pimsync-go/libsync/scfg"
)

// Storage types.
const (
	TypeVdirICalendar = "vdir/icalendar"
	TypeVdirVCard     = "vdir/vcard"
	TypeCalDAV        = "caldav"
	TypeCardDAV       = "carddav"
	TypeWebcal        = "webcal"
	// TypeSingleFileICalendar and TypeSingleFileVCard keep a collection in one .ics
	// or .vcf file (vdirsyncer's singlefile storage).
	TypeSingleFileICalendar = "singlefile/icalendar"
	TypeSingleFileVCard     = "singlefile/vcard"
)

// DefaultInterval is how often a storage is checked for changes when it sets no interval.
const DefaultInterval = 300 * time.Second

// Defaults and bounds of a storage's concurrency and multiget_size. Four requests in
// flight keep a server busy; more gain little from servers that work one request at a
// time, and cost a stock Radicale a second now and then: it answers each request on a
// connection of its own, accepts 8 at once with a backlog of 5, and a connection past
// those waits for TCP's one-second SYN retry. A vdir takes far more: its writes share
// flushes of the file system, so the more wait together, the fewer flushes (at 256, an
// initial sync of 7,000 items takes a quarter of the time it takes at 8). A multiget of 100 items answers in well
// under a second on every server we know, where vdirsyncer's unbounded ones time out.
const (
	DefaultConcurrency      = 4
	DefaultLocalConcurrency = 256
	MaxConcurrency          = 256
	DefaultMultigetSize     = 100
	MaxMultigetSize         = 1000
	// MaxTimeout bounds a storage's timeout, in seconds.
	MaxTimeout = 3600
	// MinMaxSize and MaxMaxSize bound a storage's max_size: below a KiB not even an
	// empty listing fits, and above 4 GiB the memory runs out before the limit helps.
	MinMaxSize = 1 << 10
	MaxMaxSize = 4 << 30
)

// Config is a parsed and checked configuration file. Nothing changes it after Parse, so
// it may be read from many goroutines at once.
type Config struct {
	File       string // the file it was read from
	StatusPath Value  // the directory that holds one status file per pair
	// Storages by name; StorageOrder has their names in file order.
	Storages     map[string]*Storage
	StorageOrder []string
	Pairs        []*Pair // in file order
}

// Pair returns the pair called name, or nil.
func (c *Config) Pair(name string) *Pair {
	for _, p := range c.Pairs {
		if p.Name == name {
			return p
		}
	}
	return nil
}

// Kind is what a storage holds; only storages of the same kind can be paired.
type Kind int

// Kinds of storage.
const (
	Calendar Kind = iota + 1 // events, tasks and journals: iCalendar
	Contacts                 // vCards
)

// String returns "calendar" or "contacts".
func (k Kind) String() string {
	switch k {
	case Calendar:
		return "calendar"
	case Contacts:
		return "contacts"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Storage is one storage block: a place that holds collections of items.
type Storage struct {
	Name string
	Type string // one of the Type constants

	// vdir storages.
	Path    Value
	FileExt string // without the dot; ics or vcf unless set

	// CalDAV, CardDAV and webcal storages.
	URL, Username, Password Value
	CollectionID            string // webcal: the one collection's ID (required)
	CollectionIDSegment     string // CalDAV and CardDAV: "last" (default) or "second-last"
	UserAgent               string
	TLSRoot                 string   // PEM file that replaces the system's root certificates
	TLSFingerprint          string   // the server certificate's fingerprint
	AuthCert                []string // client certificate: a bundle, or certificate and key
	Socket                  string   // CalDAV and CardDAV: talk HTTP over this Unix socket

	// CalDAV filters (filter.go): only items in the window and of these types.
	StartDate, EndDate DateSpec
	ItemTypes          []string // upper case; nil means all
	// PostHook is a program run with an item file's path after each create or update
	// in a vdir storage; "" for none.
	PostHook string

	Interval time.Duration // how often to look for changes; DefaultInterval unless set
	ReadOnly bool          // nothing is ever written to it; always true for webcal

	// Concurrency bounds the requests in flight to the storage, reads and writes
	// (DefaultConcurrency, DefaultLocalConcurrency for vdirs).
	Concurrency int
	// MultigetSize is how many items one read asks for (DefaultMultigetSize); only
	// CalDAV and CardDAV storages set it.
	MultigetSize int
	// Timeout bounds the wait for a server to accept a connection and to start its
	// answer to a request (the timeout directive); zero means dav's defaults.
	Timeout time.Duration
	// MaxSize bounds, in bytes, an item file of a vdir and a response of a server (the
	// max_size directive); zero means each storage's default, 256 MiB.
	MaxSize int64

	File      string
	Line, Col int
}

// Kind returns what the storage holds, or 0 for an unknown type.
func (s *Storage) Kind() Kind {
	switch s.Type {
	case TypeVdirICalendar, TypeCalDAV, TypeWebcal, TypeSingleFileICalendar:
		return Calendar
	case TypeVdirVCard, TypeCardDAV, TypeSingleFileVCard:
		return Contacts
	}
	return 0
}

// Pair is one pair block: two storages whose collections are kept in sync.
type Pair struct {
	Name string
	A, B *Storage

	// Which collections to sync: those of A (collections from a), those of B (from b;
	// all means both), the ones named by collection ID, and explicit Mappings.
	FromA, FromB bool
	Collections  []string
	Mappings     []Mapping

	OnEmpty  OnEmpty
	OnDelete OnDelete
	Conflict Resolution
	OneWay   bool // B is made a mirror of A

	File      string
	Line, Col int
}

// Mapping is a collection block: one collection of A synced with one of B under an
// alias. Each side is named either by ID or by href, never both.
type Mapping struct {
	Alias      string
	IDA, HrefA string
	IDB, HrefB string
	Line       int
}

// OnEmpty says what to do when every item of a collection has gone from one side.
type OnEmpty int

// What on_empty allows. The zero value is the default.
const (
	// OnEmptySkip leaves the collection alone: a collection emptied all at once is more
	// often a mistake (an unmounted disk, a server wiped) than the user's wish.
	OnEmptySkip OnEmpty = iota
	// OnEmptySync deletes the items on the other side too.
	OnEmptySync
)

// String returns the value as written in the file.
func (o OnEmpty) String() string {
	if o == OnEmptySync {
		return "sync"
	}
	return "skip"
}

// OnDelete says what to do when a collection is deleted on one side.
type OnDelete int

// What on_delete allows. The zero value is the default.
const (
	// OnDeleteSync deletes the collection on the other side too, once it is empty.
	OnDeleteSync OnDelete = iota
	// OnDeleteSkip leaves the other side's collection alone.
	OnDeleteSkip
)

// String returns the value as written in the file.
func (o OnDelete) String() string {
	if o == OnDeleteSkip {
		return "skip"
	}
	return "sync"
}

// Resolution is conflict_resolution: how an item changed on both sides is settled.
// With neither Keep nor Cmd set, conflicts are left for the user.
type Resolution struct {
	Keep string   // "a" or "b": that side's version wins
	Cmd  []string // PROG ARGS… of a tool that lets the user merge the two versions
}

// Error is one problem in a configuration file.
type Error struct {
	File      string
	Line, Col int
	Msg       string
}

// Error returns "FILE:LINE:COL: message", the form editors and compilers use.
func (e *Error) Error() string { return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg) }

// DefaultPath returns where pimsync looks for its configuration:
// $XDG_CONFIG_HOME/pimsync/pimsync.conf, or ~/.config/pimsync/pimsync.conf when
// XDG_CONFIG_HOME is unset or not absolute (the XDG base directory specification says
// to ignore a relative one).
func DefaultPath() (string, error) {
	if dir := os.Getenv("XDG_CONFIG_HOME"); dir != "" && filepath.IsAbs(dir) {
		return filepath.Join(dir, "pimsync", "pimsync.conf"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("config: no default path: %w", err)
	}
	return filepath.Join(home, ".config", "pimsync", "pimsync.conf"), nil
}

// Load reads and checks the file at path; see Parse.
func Load(path string) (*Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Parse(path, f)
}

// Parse reads and checks a configuration; file names it in messages. Every problem found
// is returned, joined with errors.Join and sorted by position, each an *Error whose text
// is "FILE:LINE:COL: message". A syntax error stops the parse, so it comes alone. An
// error reading r is returned wrapped.
func Parse(file string, r io.Reader) (*Config, error) {
	blk, err := scfg.Parse(r)
	if err != nil {
		var se *scfg.Error
		if errors.As(err, &se) {
			return nil, &Error{File: file, Line: se.Line, Col: se.Col, Msg: se.Msg}
		}
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	p := &parser{file: file}
	c := p.config(blk)
	if len(p.errs) > 0 {
		sort.SliceStable(p.errs, func(i, j int) bool {
			a, b := p.errs[i], p.errs[j]
			return a.Line < b.Line || a.Line == b.Line && a.Col < b.Col
		})
		errs := make([]error, len(p.errs))
		for i, e := range p.errs {
			errs[i] = e
		}
		return nil, errors.Join(errs...)
	}
	return c, nil
}

var topSpecs = map[string]spec{
	"status_path": {min: 1, max: 1, value: true},
	"storage":     {min: 1, max: 1, block: true, repeat: true},
	"pair":        {min: 1, max: 1, block: true, repeat: true},
}

var topHints = map[string]string{
	"general": "vdirsyncer's [general] section is status_path here",
}

// config interprets the whole file. Storages come first, because pairs may name a
// storage defined further down.
func (p *parser) config(blk scfg.Block) *Config {
	c := &Config{File: p.file, Storages: map[string]*Storage{}}
	top := p.directives("the top level", blk, topSpecs, topHints)
	if d := first(top["status_path"]); d != nil {
		c.StatusPath = p.value(d, true)
		if len(d.Children) == 0 && d.Params[0] == "" {
			p.atParam(d, 0, "status_path is empty")
		}
	} else if blk.Get("status_path") == nil {
		p.errorf(1, 1, "missing status_path: the directory where pimsync keeps the status of each pair")
	}
	for _, d := range top["storage"] {
		s := p.storage(d)
		if prev := c.Storages[s.Name]; prev != nil {
			p.at(d, "storage %s is already defined at line %d", scfg.Quote(s.Name), prev.Line)
			continue
		}
		c.Storages[s.Name] = s
		c.StorageOrder = append(c.StorageOrder, s.Name)
	}
	// A storage block whose own directive is broken (storge x { … }, storage x y { … })
	// has been reported; a pair naming it must not add "undefined storage" on top.
	p.broken = map[string]bool{}
	for _, d := range blk {
		if d.Name != "pair" && d.Name != "status_path" && len(d.Params) > 0 && c.Storages[d.Params[0]] == nil {
			p.broken[d.Params[0]] = true
		}
	}
	seen := map[string]*Pair{}
	for _, d := range top["pair"] {
		pr := p.pair(d, c.Storages)
		if prev := seen[pr.Name]; prev != nil {
			p.at(d, "pair %s is already defined at line %d", scfg.Quote(pr.Name), prev.Line)
			continue
		}
		seen[pr.Name] = pr
		c.Pairs = append(c.Pairs, pr)
	}
	return c
}

// LiteralSecret returns the name of the first storage whose password is written in the
// file itself (a password literal, or a url with a password in it), or "" when every
// password comes from a command. Such a file must be readable by its owner alone.
func (c *Config) LiteralSecret() string {
	for _, name := range c.StorageOrder {
		s := c.Storages[name]
		if s.Password.Literal != "" {
			return name
		}
		if u, err := url.Parse(s.URL.Literal); err == nil && u.User != nil {
			if _, ok := u.User.Password(); ok {
				return name
			}
		}
	}
	return ""
}

// ExposedSecret returns the storage whose literal password others can read in a file
// of this mode (group or others may read it), or "".
func (c *Config) ExposedSecret(mode fs.FileMode) string {
	if mode.Perm()&0o044 == 0 {
		return ""
	}
	return c.LiteralSecret()
}
