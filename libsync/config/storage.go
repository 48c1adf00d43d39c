package config

import (
	"fmt"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pimsync-go/libsync/scfg"
)

var (
	allTypes       = []string{TypeVdirICalendar, TypeVdirVCard, TypeCalDAV, TypeCardDAV, TypeWebcal, TypeSingleFileICalendar, TypeSingleFileVCard}
	vdirTypes      = []string{TypeVdirICalendar, TypeVdirVCard}
	localPathTypes = []string{TypeVdirICalendar, TypeVdirVCard, TypeSingleFileICalendar, TypeSingleFileVCard}
	davTypes       = []string{TypeCalDAV, TypeCardDAV}
	httpTypes      = []string{TypeCalDAV, TypeCardDAV, TypeWebcal}
)

var storageSpecs = map[string]spec{
	"type":      {min: 1, max: 1},
	"interval":  {min: 1, max: 1},
	"read_only": {min: 0, max: 0},

	"concurrency":   {min: 1, max: 1},
	"multiget_size": {min: 1, max: 1, types: davTypes},

	"path":    {min: 1, max: 1, value: true, types: localPathTypes},
	"fileext": {min: 1, max: 1, types: vdirTypes},

	"url":             {min: 1, max: 1, value: true, types: httpTypes},
	"username":        {min: 1, max: 1, value: true, types: httpTypes},
	"password":        {min: 1, max: 1, value: true, types: httpTypes},
	"user_agent":      {min: 1, max: 1, types: httpTypes},
	"tls_root":        {min: 1, max: 1, types: httpTypes},
	"tls_fingerprint": {min: 1, max: 1, types: httpTypes},
	"auth_cert":       {min: 1, max: 2, types: httpTypes},
	"timeout":         {min: 1, max: 1, types: httpTypes},
	"max_size":        {min: 1, max: 1, types: append(slices.Clone(vdirTypes), httpTypes...)},

	"collection_id_segment": {min: 1, max: 1, types: davTypes},
	"socket":                {min: 1, max: 1, types: davTypes},

	"collection_id": {min: 1, max: 1, types: []string{TypeWebcal}},

	"start_date": {min: 1, max: 1, types: []string{TypeCalDAV}},
	"end_date":   {min: 1, max: 1, types: []string{TypeCalDAV}},
	"item_types": {min: 1, max: -1, types: []string{TypeCalDAV}},
	"post_hook":  {min: 1, max: 1, types: vdirTypes},
}

// storageHints answer what people moving from vdirsyncer tend to write.
var storageHints = map[string]string{
	"encoding":           "not supported: items are always UTF-8",
	"verify":             "vdirsyncer's verify is tls_root here",
	"verify_fingerprint": "vdirsyncer's verify_fingerprint is tls_fingerprint here",
	"fileignoreext":      "not supported",
}

var typeHints = map[string]string{
	"filesystem":      "vdirsyncer's filesystem is vdir/icalendar or vdir/vcard here",
	"http":            "vdirsyncer's http is webcal here",
	"singlefile":      "vdirsyncer's singlefile is singlefile/icalendar or singlefile/vcard here",
	"google_calendar": "use caldav",
	"google_contacts": "use carddav",
}

// storage interprets one storage block. The storage is returned even when it has
// problems, so that pairs naming it are not also reported as naming an undefined one.
func (p *parser) storage(d *scfg.Directive) *Storage {
	s := &Storage{Name: d.Params[0], Interval: DefaultInterval, Concurrency: DefaultConcurrency,
		MultigetSize: DefaultMultigetSize, File: p.file, Line: d.Line, Col: d.Col}
	where := "storage " + scfg.Quote(s.Name)
	switch {
	case s.Name == "":
		p.atParam(d, 0, "storage name is empty")
	case s.Name[0] == '.':
		p.atParam(d, 0, "storage name %s cannot start with a dot", scfg.Quote(s.Name))
	}
	if len(d.Children) == 0 {
		p.at(d, "%s needs a block with at least its type", where)
		return s
	}
	got := p.directives(where, d.Children, storageSpecs, storageHints)
	if t := first(got["type"]); t != nil {
		p.storageType(s, t)
	} else if d.Children.Get("type") == nil {
		p.at(d, "%s has no type (one of %s)", where, strings.Join(allTypes, ", "))
	}
	if s.Type != "" {
		for name, ds := range got {
			if ts := storageSpecs[name].types; ts != nil && !slices.Contains(ts, s.Type) {
				for _, x := range ds {
					p.at(x, "%s does not apply to %s storages, only to %s", name, s.Type, strings.Join(ts, ", "))
				}
				delete(got, name)
			}
		}
	}

	if x := first(got["interval"]); x != nil {
		s.Interval = p.interval(x)
	}
	s.ReadOnly = len(got["read_only"]) > 0
	if x := first(got["concurrency"]); x != nil {
		s.Concurrency = p.count(x, DefaultConcurrency, MaxConcurrency)
	}
	if x := first(got["multiget_size"]); x != nil {
		s.MultigetSize = p.count(x, DefaultMultigetSize, MaxMultigetSize)
	}
	if x := first(got["timeout"]); x != nil {
		s.Timeout = time.Duration(p.count(x, 0, MaxTimeout)) * time.Second
	}
	if x := first(got["max_size"]); x != nil {
		s.MaxSize = p.size(x)
	}
	if x := first(got["path"]); x != nil {
		s.Path = p.value(x, true)
		p.notEmpty(x, "path")
	}
	if x := first(got["fileext"]); x != nil {
		s.FileExt = strings.TrimPrefix(x.Params[0], ".")
		switch {
		case s.FileExt == "":
			p.atParam(x, 0, "fileext is empty")
		case strings.Contains(s.FileExt, "/"):
			p.atParam(x, 0, "fileext cannot contain /")
		}
	}
	if x := first(got["url"]); x != nil {
		s.URL = p.value(x, false)
		if len(x.Children) == 0 {
			p.checkURL(x, s.Type)
		}
	}
	if x := first(got["username"]); x != nil {
		s.Username = p.value(x, false)
	}
	if x := first(got["password"]); x != nil {
		s.Password = p.value(x, false)
		if d.Children.Get("username") == nil {
			// pimsync sends no credentials at all without a username, which would
			// leave the user puzzling over why the server refuses them.
			p.at(x, "password without username: add a username")
		}
	}
	s.UserAgent = p.str(got["user_agent"], false)
	s.TLSRoot = p.str(got["tls_root"], false)
	s.TLSFingerprint = p.str(got["tls_fingerprint"], false)
	s.Socket = p.str(got["socket"], false)
	if x := first(got["auth_cert"]); x != nil {
		for i, f := range x.Params {
			if f == "" {
				p.atParam(x, i, "auth_cert file name is empty")
			}
		}
		s.AuthCert = x.Params
	}
	if x := first(got["collection_id_segment"]); x != nil {
		switch v := x.Params[0]; v {
		case "last", "second-last":
			s.CollectionIDSegment = v
		default:
			p.atParam(x, 0, "collection_id_segment must be last or second-last, not %s", scfg.Quote(v))
		}
	}
	if x := first(got["collection_id"]); x != nil {
		s.CollectionID = x.Params[0]
		if msg := validID(s.CollectionID); msg != "" {
			p.atParam(x, 0, "collection_id %s", msg)
		}
	}
	p.filters(s, got)

	// What each type requires and defaults to. A directive that was given but is
	// malformed has been reported already and is not missing.
	require := func(name string) {
		if d.Children.Get(name) == nil {
			p.at(d, "%s storage %s has no %s", s.Type, scfg.Quote(s.Name), name)
		}
	}
	switch s.Type {
	case TypeVdirICalendar, TypeVdirVCard:
		require("path")
		if d.Children.Get("concurrency") == nil {
			s.Concurrency = DefaultLocalConcurrency
		}
		if s.FileExt == "" {
			s.FileExt = map[string]string{TypeVdirICalendar: "ics", TypeVdirVCard: "vcf"}[s.Type]
		}
	case TypeSingleFileICalendar, TypeSingleFileVCard:
		require("path")
		if d.Children.Get("concurrency") == nil {
			s.Concurrency = DefaultLocalConcurrency
		}
		// The collection id takes the place of %s; two would be ambiguous, and a
		// command's output is checked when the storage is opened.
		if x := first(got["path"]); x != nil && len(x.Children) == 0 && strings.Count(x.Params[0], "%s") > 1 {
			p.atParam(x, 0, "path may contain %%s at most once")
		}
	case TypeCalDAV, TypeCardDAV:
		require("url")
		if s.CollectionIDSegment == "" {
			s.CollectionIDSegment = "last"
		}
	case TypeWebcal:
		require("url")
		require("collection_id")
		s.ReadOnly = true // a feed can only be read
	}
	return s
}

func (p *parser) storageType(s *Storage, t *scfg.Directive) {
	v := t.Params[0]
	switch {
	case slices.Contains(allTypes, v):
		s.Type = v
	case strings.HasPrefix(v, "jmap/"):
		p.atParam(t, 0, "storage type %s is not supported: JMAP storages are not implemented", v)
	case typeHints[v] != "":
		p.atParam(t, 0, "unknown storage type %s (%s)", scfg.Quote(v), typeHints[v])
	default:
		hint := didYouMean(v, allTypes)
		if hint == "" {
			hint = " (one of " + strings.Join(allTypes, ", ") + ")"
		}
		p.atParam(t, 0, "unknown storage type %s%s", scfg.Quote(v), hint)
	}
}

// interval reads whole seconds, the only unit pimsync knows.
func (p *parser) interval(x *scfg.Directive) time.Duration {
	v := x.Params[0]
	if v == "" || strings.Trim(v, "0123456789") != "" {
		p.atParam(x, 0, "interval must be a whole number of seconds greater than 0, not %s", scfg.Quote(v))
		return DefaultInterval
	}
	n, err := strconv.ParseInt(v, 10, 64)
	switch {
	case err != nil || n > math.MaxInt64/int64(time.Second):
		p.atParam(x, 0, "interval %s is too large", v)
	case n == 0:
		p.atParam(x, 0, "interval must be greater than 0")
	default:
		return time.Duration(n) * time.Second
	}
	return DefaultInterval
}

// count reads a whole number from 1 to max; a bad one is reported and def used.
func (p *parser) count(x *scfg.Directive, def, max int) int {
	v := x.Params[0]
	n, err := strconv.Atoi(v)
	if v == "" || strings.Trim(v, "0123456789") != "" || err != nil || n < 1 || n > max {
		p.atParam(x, 0, "%s must be a whole number from 1 to %d, not %s", x.Name, max, scfg.Quote(v))
		return def
	}
	return n
}

// size reads a byte count: digits, and K, M or G for KiB, MiB or GiB (256M).
func (p *parser) size(x *scfg.Directive) int64 {
	v := x.Params[0]
	digits, shift := v, 0
	if i := strings.IndexAny(v, "KMGkmg"); i > 0 && i == len(v)-1 {
		digits, shift = v[:i], 10*(1+strings.IndexByte("KMG", strings.ToUpper(v[i:])[0]))
	}
	n, err := strconv.ParseInt(digits, 10, 64)
	if digits == "" || strings.Trim(digits, "0123456789") != "" || err != nil || n > MaxMaxSize>>shift ||
		n<<shift < MinMaxSize {
		p.atParam(x, 0, "%s must be a size from 1K to 4G (a number of bytes, or of KiB, MiB or GiB with K, M or G: 256M), not %s",
			x.Name, scfg.Quote(v))
		return 0
	}
	return n << shift
}

// str returns the parameter of a single-valued directive, reporting an empty one unless
// empty values are allowed.
func (p *parser) str(ds []*scfg.Directive, allowEmpty bool) string {
	x := first(ds)
	if x == nil {
		return ""
	}
	if x.Params[0] == "" && !allowEmpty {
		p.atParam(x, 0, "%s is empty", x.Name)
	}
	return x.Params[0]
}

// notEmpty reports an empty literal; a command's empty output is caught by Resolve.
func (p *parser) notEmpty(x *scfg.Directive, name string) {
	if len(x.Children) == 0 && x.Params[0] == "" {
		p.atParam(x, 0, "%s is empty", name)
	}
}

// checkURL checks a literal url: absolute, http or https, or for DAV also unix://PATH
// (HTTP over a Unix socket).
func (p *parser) checkURL(x *scfg.Directive, typ string) {
	raw := x.Params[0]
	u, err := url.Parse(raw)
	switch {
	case raw == "":
		p.atParam(x, 0, "url is empty")
	case slices.Contains(davTypes, typ) && !strings.Contains(raw, "://") && bareDomain(raw):
		// An email address or a domain: the server is found as RFC 6764 says.
	case err != nil:
		if ue, ok := err.(*url.Error); ok {
			err = ue.Err // the whole URL is already in the file, at this position
		}
		p.atParam(x, 0, "url is not valid: %v", err)
	case typ == TypeWebcal && (u.Scheme == "webcal" || u.Scheme == "webcals") && u.Host != "":
		// Feeds are published as webcal:// links; they are fetched over https.
	case u.Scheme == "unix" && slices.Contains(davTypes, typ):
		if u.Path == "" {
			p.atParam(x, 0, "url unix:// needs the socket's path, as in unix:///run/dav.sock")
		}
	case u.Scheme != "http" && u.Scheme != "https":
		p.atParam(x, 0, "url must start with http:// or https://%s", unixHint(typ))
	case u.Host == "":
		p.atParam(x, 0, "url has no host")
	}
}

func unixHint(typ string) string {
	if slices.Contains(davTypes, typ) {
		return " (or unix:// for a Unix socket, or an email address or a domain to discover the server from)"
	}
	return ""
}

// bareDomain reports whether s looks like an email address or a domain name (with at
// least one dot); the DNS has the last word when the storage is opened.
func bareDomain(s string) bool {
	if i := strings.LastIndexByte(s, '@'); i > 0 {
		s = s[i+1:]
	}
	if !strings.Contains(s, ".") || strings.HasPrefix(s, ".") || strings.Contains(s, "..") {
		return false
	}
	for _, r := range s {
		if !(r == '.' || r == '-' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// storageRef resolves a pair's storage_a or storage_b.
func (p *parser) storageRef(x *scfg.Directive, storages map[string]*Storage) *Storage {
	name := x.Params[0]
	if s := storages[name]; s != nil || p.broken[name] {
		return s
	}
	known := make([]string, 0, len(storages))
	for n := range storages {
		known = append(known, n)
	}
	hint := didYouMean(name, known)
	if hint == "" {
		hint = fmt.Sprintf(" (%s)", names(storages))
	}
	p.atParam(x, 0, "%s names undefined storage %s%s", x.Name, scfg.Quote(name), hint)
	return nil
}
