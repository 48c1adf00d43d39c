package migrate

import (
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
)

// pimsyncType is the storage type of pimsync.conf for a vdirsyncer storage.
func (si *storageInfo) pimsyncType() string {
	sub := "icalendar"
	if si.kind == "contacts" {
		sub = "vcard"
	}
	switch t := si.typ(); t {
	case "filesystem":
		return "vdir/" + sub
	case "singlefile":
		return "singlefile/" + sub
	case "http":
		return "webcal"
	default:
		return t
	}
}

// valueKeys are the directives that take { cmd … } and { shell … } in pimsync, as
// vdirsyncer's keys take .fetch.
var valueKeys = map[string]bool{"url": true, "username": true, "password": true, "path": true}

// storage writes one storage block.
func (m *migration) storage(si *storageInfo) {
	w := &m.out
	s := si.sec
	if si.skip != "" {
		m.warn(s.line, "storage %s: %s; it, and any pair that uses it, is left as a comment", s.name, si.skip)
		w.comment(0, fmt.Sprintf("[storage %s]: %s.", s.name, si.skip))
		for _, e := range s.keys {
			w.comment(0, e.key+" = "+masked(e))
		}
		return
	}
	if si.kind == "" && (si.typ() == "filesystem" || si.typ() == "singlefile") {
		m.warn(s.line, "storage %s: neither its file extension nor its pair tells calendars from contacts; taken for calendars", s.name)
	}
	if si.collection != "" && si.rooted {
		m.warn(s.line, "storage %s is used by a pair with collections = null (its path or URL is one collection) and by one with a list of collections (it holds collections): pimsync.conf needs two storages for that; this one is written as the second kind", s.name)
		si.collection = ""
	}
	w.open(0, "storage", s.name)
	w.directive(1, "type", si.pimsyncType())
	for _, e := range s.keys {
		if e.used {
			continue
		}
		e.used = true
		key, fetch := strings.CutSuffix(e.key, ".fetch")
		if fetch {
			m.fetch(si, key, e)
			continue
		}
		m.storageKey(si, e)
	}
	if si.typ() == "http" {
		id := si.collection
		if id == "" {
			id = s.name
		}
		w.comment(1, "vdirsyncer's http storage is one collection; pimsync names it:")
		w.directive(1, "collection_id", id)
	}
	w.close(0)
}

// masked is an entry's value for a comment, with secrets (passwords, OAuth client
// secrets and tokens) left out.
func masked(e *entry) string {
	for _, k := range []string{"password", "secret", "token"} {
		if strings.Contains(e.key, k) && !strings.HasSuffix(e.key, "_file") && !strings.HasSuffix(e.key, ".fetch") {
			return "(a secret, not copied here)"
		}
	}
	return oneLine(e.raw)
}

// storageKey translates one key of a storage section.
func (m *migration) storageKey(si *storageInfo, e *entry) {
	w := &m.out
	where := "storage " + si.sec.name
	typ := si.typ()
	bad := func() {
		m.warn(e.line, "%s: %s = %s is not a value vdirsyncer takes there; left as a comment", where, e.key, oneLine(e.raw))
		w.comment(1, fmt.Sprintf("vdirsyncer's %s = %s: not understood", e.key, oneLine(e.raw)))
	}
	str := func(name string) {
		if s, err := text(e); err == nil {
			w.directive(1, name, s)
		} else {
			bad()
		}
	}
	dav := typ == "caldav" || typ == "carddav" || typ == "http"
	switch {
	case e.key == "type":
	case e.key == "read_only":
		if e.value == true && typ != "http" {
			w.directive(1, "read_only")
		}
	case e.key == "path" && typ == "filesystem":
		p, err := text(e)
		switch {
		case err != nil:
			bad()
		case si.collection != "":
			w.comment(1, fmt.Sprintf("vdirsyncer's path %s is the collection %s itself; pimsync wants the directory above it.", p, si.collection))
			w.directive(1, "path", filepath.Dir(strings.TrimRight(p, "/")))
		default:
			w.directive(1, "path", p)
		}
	case e.key == "path" && typ == "singlefile":
		p, err := text(e)
		switch {
		case err != nil:
			bad()
		case si.collection != "" && strings.Contains(p, "%s"):
			m.warn(e.line, "%s: path %s has %%s, but its pair has collections = null; pimsync takes it as one file per collection", where, p)
			w.directive(1, "path", p)
		default:
			w.directive(1, "path", p)
		}
	case e.key == "fileext" && typ == "filesystem":
		ext, err := text(e)
		want := ".ics"
		if si.kind == "contacts" {
			want = ".vcf"
		}
		switch {
		case err != nil:
			bad()
		case ext == "":
			m.warn(e.line, "%s: fileext \"\" (files without an extension) has no equivalent: pimsync names item files NAME.EXT", where)
			w.comment(1, `vdirsyncer's fileext "": no equivalent`)
		case ext != want:
			w.directive(1, "fileext", strings.TrimPrefix(ext, "."))
		}
	case e.key == "encoding":
		if s, _ := text(e); !strings.EqualFold(strings.ReplaceAll(s, "_", "-"), "utf-8") && !strings.EqualFold(s, "utf8") {
			m.warn(e.line, "%s: encoding %s has no equivalent: pimsync reads and writes items as UTF-8, byte for byte", where, e.raw)
			w.comment(1, fmt.Sprintf("vdirsyncer's encoding = %s: no equivalent (items are UTF-8)", e.raw))
		}
	case e.key == "post_hook" && typ == "filesystem":
		if e.value != nil {
			str("post_hook")
		}
	case e.key == "fileignoreext" && typ == "filesystem":
		if s, _ := text(e); s != ".tmp" {
			m.unknown(1, where, e)
		}
	case dav && (e.key == "url" || e.key == "username" || e.key == "password"):
		str(e.key)
	case dav && e.key == "verify":
		switch v := e.value.(type) {
		case bool:
			if !v {
				m.warn(e.line, "%s: verify = false has no equivalent: pimsync always checks certificates; pin a self-signed one with tls_fingerprint (openssl x509 -noout -fingerprint -sha256)", where)
				w.comment(1, "vdirsyncer's verify = false: no equivalent; pin the certificate with tls_fingerprint instead")
			}
		case string:
			w.directive(1, "tls_root", v)
		default:
			bad()
		}
	case dav && e.key == "verify_fingerprint":
		str("tls_fingerprint")
	case dav && e.key == "auth":
		// pimsync answers the server's challenge, Basic or Digest, as vdirsyncer's
		// basic, digest and guess meant.
	case dav && e.key == "auth_cert":
		switch v := e.value.(type) {
		case string:
			w.directive(1, "auth_cert", v)
		case []any:
			var files []string
			for _, f := range v {
				if s, ok := f.(string); ok {
					files = append(files, s)
				}
			}
			if len(files) != len(v) || len(files) == 0 || len(files) > 2 {
				bad()
				return
			}
			w.directive(1, "auth_cert", files...)
		default:
			bad()
		}
	case dav && e.key == "useragent":
		str("user_agent")
	case typ == "caldav" && (e.key == "start_date" || e.key == "end_date"):
		m.dateRange(si)
	case typ == "caldav" && e.key == "item_types":
		list, ok := e.value.([]any)
		var types []string
		for _, t := range list {
			if s, ok := t.(string); ok {
				types = append(types, s)
			}
		}
		switch {
		case !ok || len(types) != len(list):
			bad()
		case len(types) > 0:
			w.directive(1, "item_types", types...)
		}
	case typ == "carddav" && e.key == "use_vcard_4":
		if e.value == true {
			m.warn(e.line, "%s: use_vcard_4 has no equivalent: pimsync sends every card as it is, never converted", where)
			w.comment(1, "vdirsyncer's use_vcard_4 = true: no equivalent (cards are sent as they are)")
		}
	default:
		m.unknown(1, where, e)
	}
}

// dateRange translates start_date and end_date together: pimsync, like vdirsyncer,
// takes both or neither, so when one has no safe equivalent both become comments.
func (m *migration) dateRange(si *storageInfo) {
	w := &m.out
	where := "storage " + si.sec.name
	var specs [2]string
	var entries [2]*entry
	ok := true
	for i, key := range []string{"start_date", "end_date"} {
		e := si.sec.get(key)
		entries[i] = e
		if e == nil {
			ok = false
			continue
		}
		e.used = true
		expr, isText := e.value.(string)
		if !isText {
			m.warn(e.line, "%s: %s = %s is not a date expression", where, key, oneLine(e.raw))
			ok = false
			continue
		}
		spec, err := dateSpec(expr)
		if err != nil {
			m.warn(e.line, "%s: %s: %v", where, key, err)
			ok = false
			continue
		}
		specs[i] = spec
	}
	for i, e := range entries {
		if e == nil {
			continue
		}
		if !ok {
			w.comment(1, fmt.Sprintf("vdirsyncer's %s = %s: left out (pimsync takes start_date and end_date together, as -365d, +2y or YYYY-MM-DD)", e.key, oneLine(e.raw)))
			continue
		}
		w.comment(1, fmt.Sprintf("vdirsyncer's %s = %s", e.key, oneLine(e.raw)))
		w.directive(1, e.key, specs[i])
	}
	switch {
	case ok:
	case entries[0] != nil && entries[1] != nil:
		m.warn(entries[0].line, "%s: the date range is left out: without it, pimsync syncs the whole calendar", where)
	case entries[0] != nil:
		m.warn(entries[0].line, "%s: start_date without end_date (vdirsyncer refuses that too) is left out", where)
	default:
		m.warn(entries[1].line, "%s: end_date without start_date (vdirsyncer refuses that too) is left out", where)
	}
}

// fetch translates KEY.fetch = ["command", …] or ["shell", …] into a { cmd … } or
// { shell … } block; a prompt has no equivalent.
func (m *migration) fetch(si *storageInfo, key string, e *entry) {
	w := &m.out
	where := "storage " + si.sec.name
	list, _ := e.value.([]any)
	var words []string
	for _, v := range list {
		s, ok := v.(string)
		if !ok {
			words = nil
			break
		}
		words = append(words, s)
	}
	switch {
	case !valueKeys[key]:
		m.unknown(1, where, e)
	case len(words) < 2:
		m.warn(e.line, "%s: %s = %s is not a fetch vdirsyncer takes; left as a comment", where, e.key, oneLine(e.raw))
		w.comment(1, fmt.Sprintf("vdirsyncer's %s = %s: not understood", e.key, oneLine(e.raw)))
	case key == "path" && si.collection != "":
		m.warn(e.line, "%s: path.fetch with collections = null: pimsync wants the directory above the collection, which a command's output cannot be cut to here", where)
		w.comment(1, fmt.Sprintf("vdirsyncer's %s = %s: its output is the collection itself; pimsync wants the directory above", e.key, oneLine(e.raw)))
	case words[0] == "command":
		w.open(1, key)
		w.directive(2, "cmd", words[1:]...)
		w.close(1)
	case words[0] == "shell" && len(words) == 2:
		w.open(1, key)
		w.directive(2, "shell", words[1])
		w.close(1)
	case words[0] == "prompt":
		m.warn(e.line, "%s: %s is asked for at a prompt, which pimsync never shows itself (it runs as a daemon too): give a command that asks, as the comment suggests", where, key)
		w.comment(1, fmt.Sprintf("vdirsyncer asked for the %s at a prompt (%s). pimsync does not prompt;", key, oneLine(e.raw)))
		w.comment(1, "a command can, for instance:")
		w.comment(1, fmt.Sprintf("%s {\n\tcmd systemd-ask-password %s\n}", key, strconvQuote(words[len(words)-1])))
	default:
		m.warn(e.line, "%s: %s = %s is not a fetch vdirsyncer takes; left as a comment", where, e.key, oneLine(e.raw))
		w.comment(1, fmt.Sprintf("vdirsyncer's %s = %s: not understood", e.key, oneLine(e.raw)))
	}
}

// strconvQuote quotes a prompt's text for the comment's suggestion.
func strconvQuote(s string) string { return fmt.Sprintf("%q", s) }

// hrefOf is the path of a DAV storage's URL, for a collection block's href: the URL of
// a storage with collections = null is the collection's.
func hrefOf(si *storageInfo) (string, bool) {
	u, err := url.Parse(si.str("url"))
	if err != nil || u.Path == "" || si.str("url") == "" {
		return "", false
	}
	return u.EscapedPath(), true
}
