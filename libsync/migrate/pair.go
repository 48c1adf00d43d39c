package migrate

import "fmt"

// pair writes one pair block.
func (m *migration) pair(p *pairInfo) {
	w := &m.out
	s := p.sec
	for _, si := range []*storageInfo{p.a, p.b} {
		if si.skip != "" {
			m.warn(s.line, "pair %s uses storage %s, which has no equivalent; the pair is left as a comment", s.name, si.sec.name)
			w.comment(0, fmt.Sprintf("[pair %s] uses storage %s (%s):", s.name, si.sec.name, si.skip))
			for _, e := range s.keys {
				w.comment(0, e.key+" = "+oneLine(e.raw))
			}
			return
		}
	}
	w.open(0, "pair", s.name)
	w.directive(1, "storage_a", p.a.sec.name)
	w.directive(1, "storage_b", p.b.sec.name)
	for _, e := range s.keys {
		if e.used {
			continue
		}
		e.used = true
		m.pairKey(p, e)
	}
	if s.get("partial_sync") == nil {
		// vdirsyncer's default, revert: the writable side mirrors the read-only one.
		switch roA, roB := p.a.readOnly(), p.b.readOnly(); {
		case roA && !roB:
			w.comment(1, "vdirsyncer reverted b's changes to match the read-only a (partial_sync's default, revert): b mirrors a")
			w.directive(1, "one_way")
		case roB && !roA:
			m.warn(s.line, "pair %s: vdirsyncer reverted a's changes to match the read-only b (partial_sync's default, revert); pimsync keeps them and leaves b alone (one_way mirrors storage a into b: swap the storages for that)", s.name)
			w.comment(1, "vdirsyncer reverted a's changes to match the read-only b; pimsync keeps them (no equivalent)")
		}
	}
	w.close(0)
}

// pairKey translates one key of a pair section.
func (m *migration) pairKey(p *pairInfo, e *entry) {
	w := &m.out
	where := "pair " + p.sec.name
	switch e.key {
	case "a", "b":
	case "collections":
		m.collections(p, e)
	case "conflict_resolution":
		switch v := e.value.(type) {
		case nil:
		case string:
			switch v {
			case "a wins":
				w.directive(1, "conflict_resolution", "keep", "a")
			case "b wins":
				w.directive(1, "conflict_resolution", "keep", "b")
			default:
				m.unknown(1, where, e)
			}
		case []any:
			var words []string
			for _, x := range v {
				if s, ok := x.(string); ok {
					words = append(words, s)
				}
			}
			if len(words) != len(v) || len(words) < 2 || words[0] != "command" {
				m.unknown(1, where, e)
				return
			}
			w.comment(1, "runs the command with the two versions' files, as vdirsyncer did (pimsync resolve-conflicts)")
			w.directive(1, "conflict_resolution", append([]string{"cmd"}, words[1:]...)...)
		default:
			m.unknown(1, where, e)
		}
	case "partial_sync":
		m.partialSync(p, e)
	case "metadata":
		list, _ := e.value.([]any)
		all := map[string]bool{}
		for _, x := range list {
			if s, ok := x.(string); ok {
				all[s] = true
			}
		}
		w.comment(1, fmt.Sprintf("vdirsyncer's metadata = %s: pimsync syncs displayname, color, description and order of every collection, on every sync", oneLine(e.raw)))
		if !(all["displayname"] && all["color"] && all["description"] && all["order"]) {
			m.warn(e.line, "%s: metadata = %s: pimsync syncs all four properties (displayname, color, description, order), not a choice of them, and on every sync rather than on metasync", where, oneLine(e.raw))
		}
	case "implicit":
		w.comment(1, "vdirsyncer's implicit = \"create\": pimsync creates the collections that collections from a, from b or all bring")
	default:
		m.unknown(1, where, e)
	}
}

// collections translates a pair's collections.
func (m *migration) collections(p *pairInfo, e *entry) {
	w := &m.out
	where := "pair " + p.sec.name
	if e.value == nil {
		// The storages' paths and URLs are the collection itself.
		alias := p.a.collection
		if p.b.typ() == "filesystem" && p.a.typ() != "filesystem" {
			alias = p.b.collection
		}
		w.comment(1, "vdirsyncer's collections = null: each storage's path or URL is the collection")
		w.open(1, "collection")
		w.directive(2, "alias", alias)
		for i, si := range []*storageInfo{p.a, p.b} {
			side := "ab"[i : i+1]
			switch si.typ() {
			case "caldav", "carddav":
				if href, ok := hrefOf(si); ok {
					w.directive(2, "href_"+side, href)
					continue
				}
				m.warn(e.line, "%s: collections = null, and storage %s's url is not given literally: the collection's href cannot be known here; the collection is taken by its ID %s", where, si.sec.name, si.collection)
			}
			w.directive(2, "id_"+side, si.collection)
		}
		w.close(1)
		return
	}
	list, ok := e.value.([]any)
	if !ok {
		m.unknown(1, where, e)
		return
	}
	fromA, fromB := false, false
	for _, x := range list {
		switch v := x.(type) {
		case string:
			switch v {
			case "from a":
				fromA = true
			case "from b":
				fromB = true
			default:
				w.directive(1, "collection", v)
			}
		case []any:
			if len(v) != 3 {
				m.warn(e.line, "%s: collection %v is not [name, on a, on b]; left as a comment", where, v)
				w.comment(1, fmt.Sprintf("vdirsyncer's collection %v: not understood", v))
				continue
			}
			name, _ := v[0].(string)
			ida, oka := v[1].(string)
			idb, okb := v[2].(string)
			if name == "" || !oka || !okb {
				m.warn(e.line, "%s: collection %v names a side by null (the storage's own path or URL), which pimsync.conf says with collections = null only; left as a comment", where, v)
				w.comment(1, fmt.Sprintf("vdirsyncer's collection %v: no equivalent", v))
				continue
			}
			w.open(1, "collection")
			w.directive(2, "alias", name)
			w.directive(2, "id_a", ida)
			w.directive(2, "id_b", idb)
			w.close(1)
		default:
			m.warn(e.line, "%s: collection %v is not a name; left as a comment", where, v)
			w.comment(1, fmt.Sprintf("vdirsyncer's collection %v: not understood", v))
		}
	}
	switch {
	case fromA && fromB:
		w.directive(1, "collections", "all")
	case fromA:
		w.directive(1, "collections", "from", "a")
	case fromB:
		w.directive(1, "collections", "from", "b")
	}
	if len(list) == 0 {
		m.warn(e.line, "%s: collections = [] syncs nothing", where)
	}
}

// partialSync translates partial_sync, which only matters when a side is read-only.
func (m *migration) partialSync(p *pairInfo, e *entry) {
	w := &m.out
	where := "pair " + p.sec.name
	mode, _ := e.value.(string)
	roA, roB := p.a.readOnly(), p.b.readOnly()
	switch {
	case !roA && !roB:
		w.comment(1, fmt.Sprintf("vdirsyncer's partial_sync = %s: no side is read-only, so it did nothing", oneLine(e.raw)))
	case mode == "ignore":
		w.comment(1, "vdirsyncer's partial_sync = \"ignore\": pimsync never writes to a read-only storage and keeps the other side's changes, the same")
	case mode == "revert" && roA:
		w.comment(1, "vdirsyncer's partial_sync = \"revert\": b mirrors the read-only a, its own changes undone")
		w.directive(1, "one_way")
	default:
		m.warn(e.line, "%s: partial_sync = %s has no equivalent: pimsync leaves the read-only side alone and keeps the other side's changes (partial_sync = \"ignore\")%s", where, oneLine(e.raw),
			map[bool]string{true: "; one_way mirrors storage a into b, swap the storages for that", false: ""}[mode == "revert"])
		w.comment(1, fmt.Sprintf("vdirsyncer's partial_sync = %s: no equivalent; pimsync behaves as \"ignore\"", oneLine(e.raw)))
	}
}
