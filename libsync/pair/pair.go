// Package pair turns a configured pair into a ready syncer.Pair: it resolves the values
// that come from commands (credentials, paths), opens both storages and the pair's
// status database. Commands of every tool that sync (pimsync sync, daemon,
// resolve-conflicts) go through it, so they treat a configuration the same way.
package pair

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/pimsync-go/libsync/config"
	"github.com/pimsync-go/libsync/dav"
	"github.com/pimsync-go/libsync/plan"
	"github.com/pimsync-go/libsync/status"
	"github.com/pimsync-go/libsync/storage"
	"github.com/pimsync-go/libsync/storage/davstore"
	"github.com/pimsync-go/libsync/storage/singlefile"
	"github.com/pimsync-go/libsync/storage/vdirstore"
	"github.com/pimsync-go/libsync/storage/webcalstore"
	"github.com/pimsync-go/libsync/syncer"
)

// Options change how a pair is opened.
type Options struct {
	// DryRun opens the status read-only and makes the sync write nothing.
	DryRun bool
	// Only restricts the sync to these collections.
	Only []string
	// Rediscover finds the home sets of DAV storages again instead of using those the
	// status remembers from the last sync (pimsync discover).
	Rediscover bool
}

// Prepared is a pair with its storages open (credentials resolved, home sets found),
// ready to sync any number of times: the daemon prepares each pair once, and opens its
// status only while it syncs, so that pimsync status can read it in between.
type Prepared struct {
	Name   string
	Config *config.Pair
	st     [2]storage.Storage
	roots  [2]string // vdir storages' directories
	dir    string
	homes  *homes
}

// Roots returns the directory of each side that is a vdir storage, "" for the others:
// where a daemon watches for local changes.
func (pp *Prepared) Roots() [2]string { return pp.roots }

// WatchDirs returns the directories of each side that is a singlefile storage, where
// its files are written: a daemon watches them too, for a change of any collection.
func (pp *Prepared) WatchDirs() [2][]string {
	var out [2][]string
	for i, s := range pp.st {
		if ws, ok := storage.Unwrap(s).(interface{ WatchDirs() []string }); ok {
			out[i] = ws.WatchDirs()
		}
	}
	return out
}

// StatusDir is the directory of the pair's status file.
func (pp *Prepared) StatusDir() string { return pp.dir }

// Opened is a pair ready to sync; Close releases its status database (and its lock).
type Opened struct {
	*syncer.Pair
	Config *config.Pair
	db     *status.DB
	dir    string
	homes  *homes
}

// Close remembers where the DAV storages' home sets were found, for the next sync, and
// closes the status database.
func (o *Opened) Close() error {
	err := o.homes.save(o.db, o.dir, o.Name)
	if cerr := o.db.Close(); err == nil {
		err = cerr
	}
	return err
}

// Open prepares the pair called name and opens its status: Prepare, then
// Prepared.Open.
func Open(ctx context.Context, cfg *config.Config, name string, opt Options) (*Opened, error) {
	p, err := Prepare(ctx, cfg, name, opt)
	if err != nil {
		return nil, err
	}
	return p.Open(opt)
}

// Prepare opens the storages of the pair called name (opt.Rediscover is the only
// option it looks at). It does not touch the status, so a pair whose storage is
// missing fails without leaving a status file behind.
func Prepare(ctx context.Context, cfg *config.Config, name string, opt Options) (*Prepared, error) {
	cp := cfg.Pair(name)
	if cp == nil {
		return nil, fmt.Errorf("no pair %s in %s", name, cfg.File)
	}
	dir, err := StatusDir(ctx, cfg)
	if err != nil {
		return nil, err
	}
	hs := &homes{refresh: opt.Rediscover}
	if !opt.Rediscover {
		hs.read(dir, name)
	}
	p := &Prepared{Name: name, Config: cp, dir: dir, homes: hs}
	for i, cs := range []*config.Storage{cp.A, cp.B} {
		s, err := openStorage(ctx, cfg, cs, &hs.side[i])
		if err != nil {
			return nil, fmt.Errorf("pair %s: %w", name, err)
		}
		p.st[i] = s
		if ls, ok := storage.Unwrap(s).(interface{ Root() string }); ok {
			p.roots[i] = ls.Root()
		}
	}
	return p, nil
}

// Open locks the pair's status database (read-only for a dry run) and returns the pair
// ready to sync.
func (pp *Prepared) Open(opt Options) (*Opened, error) {
	cp, name := pp.Config, pp.Name
	var db *status.DB
	var err error
	if opt.DryRun {
		db, err = status.OpenReadOnly(pp.dir, name)
	} else {
		db, err = status.Open(pp.dir, name)
	}
	if err != nil {
		return nil, err
	}
	p := &syncer.Pair{
		Name:    name,
		Storage: pp.st,
		Status:  db,
		Select: plan.Selection{
			From: [2]bool{cp.FromA, cp.FromB},
			IDs:  cp.Collections,
		},
		Options: plan.Options{
			SyncEmpty: cp.OnEmpty == config.OnEmptySync,
			ReadOnly:  [2]bool{cp.A.ReadOnly, cp.B.ReadOnly},
			OneWay:    cp.OneWay,
		},
		DeleteSync: cp.OnDelete == config.OnDeleteSync,
		Writes:     [2]int{cp.A.Concurrency, cp.B.Concurrency},
		FetchSize:  [2]int{cp.A.MultigetSize, cp.B.MultigetSize},
		Only:       opt.Only,
		DryRun:     opt.DryRun,
	}
	switch cp.Conflict.Keep {
	case "a":
		p.Resolve = plan.KeepA
	case "b":
		p.Resolve = plan.KeepB
	}
	for _, m := range cp.Mappings {
		p.Select.Mappings = append(p.Select.Mappings, plan.Mapping{Key: m.Alias,
			ID: [2]string{m.IDA, m.IDB}, Href: [2]string{m.HrefA, m.HrefB}})
	}
	return &Opened{Pair: p, Config: cp, db: db, dir: pp.dir, homes: pp.homes}, nil
}

// StatusDir resolves status_path; a relative one is relative to the configuration
// file's directory, as vdirsyncer has it.
func StatusDir(ctx context.Context, cfg *config.Config) (string, error) {
	dir, err := cfg.StatusPath.Resolve(ctx)
	if err != nil {
		return "", err
	}
	return relativeTo(cfg, dir), nil
}

func relativeTo(cfg *config.Config, path string) string {
	if filepath.IsAbs(path) || cfg.File == "" {
		return path
	}
	return filepath.Join(filepath.Dir(cfg.File), path)
}

// hookPath locates a post_hook: a bare program name is looked up in PATH when it runs,
// a path is taken like the configuration's other paths (~/, relative to the file).
func hookPath(cfg *config.Config, prog string) string {
	if !strings.Contains(prog, "/") {
		return prog
	}
	return localPath(cfg, prog)
}

// filterOf is the calendar-query filter of a storage's start_date, end_date and
// item_types, worked out at each listing (relative dates move with the day), or nil
// for a storage without them.
func filterOf(cs *config.Storage) func() dav.Filter {
	if !cs.StartDate.IsSet() && !cs.EndDate.IsSet() && len(cs.ItemTypes) == 0 {
		return nil
	}
	return func() dav.Filter {
		now := time.Now()
		f := dav.Filter{Components: cs.ItemTypes}
		if cs.StartDate.IsSet() {
			f.Start = cs.StartDate.At(now)
		}
		if cs.EndDate.IsSet() {
			f.End = cs.EndDate.At(now)
		}
		return f
	}
}

// ErrUnsupported is returned for storage types this build cannot open yet.
var ErrUnsupported = errors.New("not supported by this build yet")

// OpenStorage resolves a storage's values and opens it; a read_only storage is wrapped
// so that no write can reach it.
func OpenStorage(ctx context.Context, cfg *config.Config, cs *config.Storage) (storage.Storage, error) {
	return openStorage(ctx, cfg, cs, nil)
}

// openStorage is OpenStorage with a home set remembered from an earlier sync, which a
// DAV storage uses instead of discovery when it was found from the same account.
func openStorage(ctx context.Context, cfg *config.Config, cs *config.Storage, h *home) (storage.Storage, error) {
	var s storage.Storage
	switch cs.Type {
	case config.TypeVdirICalendar, config.TypeVdirVCard:
		path, err := cs.Path.Resolve(ctx)
		if err != nil {
			return nil, err
		}
		path = relativeTo(cfg, path)
		if fi, err := os.Stat(path); err != nil || !fi.IsDir() {
			return nil, fmt.Errorf("storage %s (%s:%d): path %s is not a directory; create it first", cs.Name, cs.File, cs.Line, path)
		}
		vs, err := vdirstore.Open(path, cs.FileExt)
		if err != nil {
			return nil, fmt.Errorf("storage %s: %w", cs.Name, err)
		}
		vs.SetPostHook(hookPath(cfg, cs.PostHook))
		vs.SetMaxSize(cs.MaxSize)
		s = vs
	case config.TypeSingleFileICalendar, config.TypeSingleFileVCard:
		path, err := cs.Path.Resolve(ctx)
		if err != nil {
			return nil, err
		}
		path = relativeTo(cfg, path)
		// The files come and go with their collections; the directory holding them
		// must be there, as a vdir's must.
		before, _, _ := strings.Cut(path, "%s")
		dir := filepath.Dir(before)
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			return nil, fmt.Errorf("storage %s (%s:%d): directory %s of path %s does not exist; create it first", cs.Name, cs.File, cs.Line, dir, path)
		}
		ss, err := singlefile.Open(path, cs.Type == config.TypeSingleFileVCard)
		if err != nil {
			return nil, fmt.Errorf("storage %s (%s:%d): %w", cs.Name, cs.File, cs.Line, err)
		}
		s = ss
	case config.TypeCalDAV, config.TypeCardDAV:
		ds, err := openDAV(ctx, cfg, cs, h)
		if err == nil {
			if cs.CollectionIDSegment == "second-last" {
				ds.SetIDSegment(davstore.SecondLastSegment)
			}
			if f := filterOf(cs); f != nil {
				err = ds.SetFilter(f)
			}
		}
		if err != nil {
			return nil, fmt.Errorf("storage %s (%s:%d): %w", cs.Name, cs.File, cs.Line, err)
		}
		s = ds
	case config.TypeWebcal:
		ws, err := openWebcal(ctx, cfg, cs)
		if err != nil {
			return nil, fmt.Errorf("storage %s (%s:%d): %w", cs.Name, cs.File, cs.Line, err)
		}
		s = ws
	default:
		return nil, fmt.Errorf("storage %s (%s:%d): type %s: %w", cs.Name, cs.File, cs.Line, cs.Type, ErrUnsupported)
	}
	if cs.ReadOnly {
		s = storage.ReadOnly(s)
	}
	return s, nil
}

// openDAV resolves a CalDAV or CardDAV storage's credentials, builds its HTTP client
// (tls_root, tls_fingerprint, auth_cert, socket or a unix:// url) and finds its home
// set. Certificate and key files are read here, so a wrong path fails the open.
func openDAV(ctx context.Context, cfg *config.Config, cs *config.Storage, h *home) (*davstore.Storage, error) {
	u, user, pass, opts, err := httpAccess(ctx, cfg, cs)
	if err != nil {
		return nil, err
	}
	if strings.HasPrefix(u, "unix:") {
		if cs.Socket != "" {
			return nil, fmt.Errorf("url is unix:// and socket is %s as well: name the socket once (socket goes with an http:// or https:// url)", cs.Socket)
		}
		if u, opts.Socket, err = dav.UnixURL(u); err != nil {
			return nil, err
		}
	}
	c, err := newClient(cs, opts, user, pass)
	if err != nil {
		return nil, err
	}
	kind := dav.Calendars
	if cs.Type == config.TypeCardDAV {
		kind = dav.AddressBooks
	}
	if h == nil {
		return davstore.Open(ctx, c, kind, u)
	}
	return h.open(ctx, c, kind, u, cs)
}

// openWebcal resolves a webcal storage's url and credentials and builds its HTTP
// client with the same TLS and authentication options as a DAV storage's. It fetches
// nothing: the feed is read when the sync lists it.
func openWebcal(ctx context.Context, cfg *config.Config, cs *config.Storage) (storage.Storage, error) {
	u, user, pass, opts, err := httpAccess(ctx, cfg, cs)
	if err != nil {
		return nil, err
	}
	c, err := newClient(cs, opts, user, pass)
	if err != nil {
		return nil, err
	}
	return webcalstore.Open(c, u, cs.CollectionID)
}

// httpAccess resolves what an HTTP storage (caldav, carddav, webcal) is reached with:
// its url and credentials, which may come from commands, and its TLS and socket files.
func httpAccess(ctx context.Context, cfg *config.Config, cs *config.Storage) (u, user, pass string, opts dav.HTTPOptions, err error) {
	var vals [3]string
	for i, v := range []config.Value{cs.URL, cs.Username, cs.Password} {
		if !v.IsSet() {
			continue
		}
		if vals[i], err = v.Resolve(ctx); err != nil {
			return "", "", "", opts, err
		}
	}
	if vals[2] != "" && cs.Socket == "" && dav.Cleartext(vals[0]) {
		// Only a warning: a trusted network (a VPN, a home LAN) is the user's call.
		slog.Warn("the password goes over the network unencrypted (http:// to another machine): use https://",
			"storage", cs.Name, "url", dav.Redact(vals[0]))
	}
	opts = dav.HTTPOptions{TLSRoot: localPath(cfg, cs.TLSRoot), TLSFingerprint: cs.TLSFingerprint,
		Socket: localPath(cfg, cs.Socket), MaxConns: cs.Concurrency, Timeout: cs.Timeout}
	for _, f := range cs.AuthCert {
		opts.AuthCert = append(opts.AuthCert, localPath(cfg, f))
	}
	return vals[0], vals[1], vals[2], opts, nil
}

// newClient builds the client of an HTTP storage.
func newClient(cs *config.Storage, opts dav.HTTPOptions, user, pass string) (*dav.Client, error) {
	hc, err := dav.NewHTTPClient(opts)
	if err != nil {
		return nil, err
	}
	ua := cs.UserAgent
	if ua == "" {
		ua = "pimsync-go"
	}
	return &dav.Client{HTTP: hc, User: user, Password: pass, UserAgent: ua, MaxResponse: cs.MaxSize}, nil
}

// localPath is a file named in the configuration (tls_root, auth_cert, socket): "~/"
// is the home directory, and a relative path is relative to the configuration file,
// as paths of vdir storages are.
func localPath(cfg *config.Config, p string) string {
	if p == "" {
		return ""
	}
	if rest, ok := strings.CutPrefix(p, "~/"); ok {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, rest)
		}
	}
	return relativeTo(cfg, p)
}
