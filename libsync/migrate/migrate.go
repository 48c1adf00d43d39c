// Package migrate turns a vdirsyncer configuration (INI with JSON values) into an
// equivalent pimsync.conf, for pimsync migrate-config. It is a pure translation: it
// reads no other file and runs nothing, not even the commands the configuration names
// for its secrets, which it carries over as { cmd … } and { shell … } blocks.
//
// What has an equivalent is translated; what has none becomes a comment in the output
// beside what it would have been, and a Warning that names the line of the vdirsyncer
// file, so that nothing is dropped silently.
package migrate

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/pimsync-go/libsync/scfg"
)

// Warning is something of the vdirsyncer configuration that pimsync.conf cannot say,
// or says differently; Line is where it is in the vdirsyncer file.
type Warning struct {
	Line int
	Msg  string
}

// Result is a translated configuration.
type Result struct {
	// Config is the pimsync.conf, with comments where the translation is not exact.
	Config   string
	Warnings []Warning
}

// DefaultSource is the vdirsyncer configuration vdirsyncer itself would read without
// -c: $VDIRSYNCER_CONFIG, ~/.vdirsyncer/config, then
// $XDG_CONFIG_HOME/vdirsyncer/config (~/.config/vdirsyncer/config).
func DefaultSource() (string, error) {
	if p := os.Getenv("VDIRSYNCER_CONFIG"); p != "" {
		return p, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("no vdirsyncer configuration given, and no home directory to look in: %w", err)
	}
	xdg := os.Getenv("XDG_CONFIG_HOME")
	if xdg == "" {
		xdg = filepath.Join(home, ".config")
	}
	tried := []string{filepath.Join(home, ".vdirsyncer", "config"), filepath.Join(xdg, "vdirsyncer", "config")}
	for _, p := range tried {
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("no vdirsyncer configuration found (looked at $VDIRSYNCER_CONFIG, %s); give its path", strings.Join(tried, ", "))
}

// Convert translates the vdirsyncer configuration data, read from file (named in
// messages and in the output's first comment). A file that is not a vdirsyncer
// configuration at all (it does not parse, a pair names a storage it lacks) is an error.
func Convert(file string, data []byte) (*Result, error) {
	m, err := newMigration(file, data)
	if err != nil {
		return nil, err
	}
	m.write()
	sort.SliceStable(m.warnings, func(i, j int) bool { return m.warnings[i].Line < m.warnings[j].Line })
	return &Result{Config: m.out.String(), Warnings: m.warnings}, nil
}

// newMigration parses data and works out what its storages and pairs are.
func newMigration(file string, data []byte) (*migration, error) {
	secs, err := parseINI(file, data)
	if err != nil {
		return nil, err
	}
	m := &migration{file: file, secs: secs, storages: map[string]*storageInfo{}}
	for _, s := range secs {
		switch s.kind {
		case "general":
			m.general = s
		case "storage":
			si := &storageInfo{sec: s}
			m.storages[s.name] = si
			m.storageOrder = append(m.storageOrder, si)
		case "pair":
			m.pairs = append(m.pairs, &pairInfo{sec: s})
		}
	}
	if err := m.resolve(); err != nil {
		return nil, err
	}
	return m, nil
}

type migration struct {
	file         string
	secs         []*section
	general      *section
	storages     map[string]*storageInfo
	storageOrder []*storageInfo
	pairs        []*pairInfo
	warnings     []Warning
	out          writer
}

// storageInfo is a storage section and what the translation found out about it.
type storageInfo struct {
	sec  *section
	kind string // "calendar", "contacts" or "" (not known)
	// collection is set when a pair with collections = null uses the storage: its path
	// or URL is then a collection, where pimsync wants the directory or server above.
	collection string // the collection's ID
	rooted     bool   // a pair with a collections list uses it as a root
	skip       string // why it cannot be translated at all
}

func (si *storageInfo) typ() string {
	if e := si.sec.get("type"); e != nil {
		if s, ok := e.value.(string); ok {
			return s
		}
	}
	return ""
}

func (si *storageInfo) str(key string) string {
	if e := si.sec.get(key); e != nil {
		if s, ok := e.value.(string); ok {
			return s
		}
	}
	return ""
}

func (si *storageInfo) readOnly() bool {
	if si.typ() == "http" {
		return true
	}
	e := si.sec.get("read_only")
	return e != nil && e.value == true
}

// pairInfo is a pair section and its storages.
type pairInfo struct {
	sec  *section
	a, b *storageInfo
	null bool // collections = null
}

func (m *migration) warn(line int, format string, args ...any) {
	m.warnings = append(m.warnings, Warning{Line: line, Msg: fmt.Sprintf(format, args...)})
}

// resolve links pairs to their storages and works out each storage's kind and whether
// it stands for one collection.
func (m *migration) resolve() error {
	for _, p := range m.pairs {
		for i, side := range []string{"a", "b"} {
			e := p.sec.get(side)
			if e == nil {
				return &SyntaxError{File: m.file, Line: p.sec.line, Msg: fmt.Sprintf("pair %s has no %s", p.sec.name, side)}
			}
			name, _ := e.value.(string)
			si := m.storages[name]
			if si == nil {
				return &SyntaxError{File: m.file, Line: e.line, Msg: fmt.Sprintf("pair %s: %s = %s names no [storage] section", p.sec.name, side, e.raw)}
			}
			if i == 0 {
				p.a = si
			} else {
				p.b = si
			}
		}
		if e := p.sec.get("collections"); e == nil {
			return &SyntaxError{File: m.file, Line: p.sec.line, Msg: fmt.Sprintf("pair %s has no collections (vdirsyncer requires it)", p.sec.name)}
		} else {
			p.null = e.value == nil
		}
	}
	for _, si := range m.storageOrder {
		switch t := si.typ(); t {
		case "caldav", "http", "google_calendar":
			si.kind = "calendar"
		case "carddav", "google_contacts":
			si.kind = "contacts"
		case "filesystem":
			si.kind = kindOfExt(si.str("fileext"))
		case "singlefile":
			si.kind = kindOfExt(path.Ext(si.str("path")))
		}
		switch si.typ() {
		case "google_calendar", "google_contacts":
			si.skip = "Google's storages log in with OAuth, which pimsync does not do"
		case "filesystem", "singlefile", "caldav", "carddav", "http":
		default:
			si.skip = fmt.Sprintf("vdirsyncer's storage type %q has no equivalent", si.typ())
		}
	}
	// A storage whose kind its own settings do not tell has its partner's.
	for range 2 {
		for _, p := range m.pairs {
			if p.a.kind == "" {
				p.a.kind = p.b.kind
			}
			if p.b.kind == "" {
				p.b.kind = p.a.kind
			}
		}
	}
	for _, p := range m.pairs {
		for _, si := range []*storageInfo{p.a, p.b} {
			if !p.null {
				si.rooted = true
				continue
			}
			if si.collection == "" {
				si.collection = collectionID(si, p.sec.name)
			}
		}
	}
	return nil
}

func kindOfExt(ext string) string {
	switch strings.ToLower(strings.TrimPrefix(ext, ".")) {
	case "ics", "ical", "ifb", "icalendar":
		return "calendar"
	case "vcf", "vcard":
		return "contacts"
	}
	return ""
}

// collectionID is the ID of the collection a storage's path or URL names, for a pair
// with collections = null: the directory's or file's name, or the URL's last segment.
func collectionID(si *storageInfo, pair string) string {
	switch si.typ() {
	case "filesystem":
		if base := filepath.Base(filepath.Clean(si.str("path"))); base != "." && base != "/" {
			return base
		}
	case "singlefile":
		base := filepath.Base(si.str("path"))
		return strings.TrimSuffix(base, filepath.Ext(base))
	case "caldav", "carddav":
		if u, err := url.Parse(si.str("url")); err == nil {
			if seg := path.Base(strings.TrimSuffix(u.Path, "/")); seg != "." && seg != "/" && seg != "" {
				if id, err := url.PathUnescape(seg); err == nil {
					return id
				}
			}
		}
	}
	return pair
}

// write produces the configuration.
func (m *migration) write() {
	w := &m.out
	w.comment(0, "pimsync.conf, translated from the vdirsyncer configuration "+m.file+" by pimsync migrate-config.")
	w.comment(0, "pimsync does not read vdirsyncer's status: sync once more with vdirsyncer before")
	w.comment(0, "switching, so that pimsync's first sync finds both sides equal.")
	w.blank()
	status := "~/.local/share/pimsync/status/"
	if m.general != nil {
		if e := m.general.get("status_path"); e != nil {
			e.used = true
			w.comment(0, fmt.Sprintf("vdirsyncer kept its status in %s; pimsync keeps its own, apart.", e.raw))
		}
		for _, e := range m.general.keys {
			if !e.used {
				m.unknown(0, "general", e)
			}
		}
	} else {
		m.warn(1, "no [general] section: vdirsyncer requires one with status_path")
	}
	w.directive(0, "status_path", status)

	for _, si := range m.storageOrder {
		w.blank()
		m.storage(si)
	}
	for _, p := range m.pairs {
		w.blank()
		m.pair(p)
	}
}

// unknown comments on a key the translation does not know.
func (m *migration) unknown(depth int, where string, e *entry) {
	m.warn(e.line, "%s: %s = %s has no equivalent in pimsync; left as a comment", where, e.key, e.raw)
	m.out.comment(depth, fmt.Sprintf("vdirsyncer's %s = %s: no equivalent", e.key, oneLine(e.raw)))
	e.used = true
}

// oneLine joins a value continued over several lines, for a comment.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

var errNoString = errors.New("not a string")

// text returns an entry's value as a string.
func text(e *entry) (string, error) {
	s, ok := e.value.(string)
	if !ok {
		return "", errNoString
	}
	return s, nil
}

// writer builds the output: directives with their words quoted for scfg, and comments.
type writer struct {
	b strings.Builder
}

func (w *writer) words(depth int, name string, params []string) {
	w.b.WriteString(strings.Repeat("\t", depth))
	w.b.WriteString(scfg.Quote(name))
	for _, p := range params {
		w.b.WriteByte(' ')
		w.b.WriteString(scfg.Quote(p))
	}
}

// directive writes one directive on a line.
func (w *writer) directive(depth int, name string, params ...string) {
	w.words(depth, name, params)
	w.b.WriteByte('\n')
}

// open starts a block; close ends it.
func (w *writer) open(depth int, name string, params ...string) {
	w.words(depth, name, params)
	w.b.WriteString(" {\n")
}

func (w *writer) close(depth int) {
	w.b.WriteString(strings.Repeat("\t", depth) + "}\n")
}

// comment writes text as a comment line.
func (w *writer) comment(depth int, text string) {
	for _, l := range strings.Split(text, "\n") {
		w.b.WriteString(strings.Repeat("\t", depth) + "# " + l + "\n")
	}
}

func (w *writer) blank() { w.b.WriteByte('\n') }

func (w *writer) String() string { return w.b.String() }
