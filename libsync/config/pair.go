package config

import (
	"fmt"
	"strings"

	"github.com/pimsync-go/libsync/scfg"
)

var pairSpecs = map[string]spec{
	"storage_a":           {min: 1, max: 1},
	"storage_b":           {min: 1, max: 1},
	"collections":         {min: 1, max: 2, repeat: true},
	"collection":          {min: 0, max: 1, block: true, repeat: true},
	"on_empty":            {min: 1, max: 1},
	"on_delete":           {min: 1, max: 1},
	"conflict_resolution": {min: 1, max: -1},
	"one_way":             {min: 0, max: 0},
}

var pairHints = map[string]string{
	"a":            "use storage_a",
	"b":            "use storage_b",
	"partial_sync": "use one_way, or read_only on a storage",
	"metadata":     "display name, colour, description and order are always synced",
}

var mappingSpecs = map[string]spec{
	"alias":  {min: 1, max: 1},
	"id_a":   {min: 1, max: 1},
	"href_a": {min: 1, max: 1},
	"id_b":   {min: 1, max: 1},
	"href_b": {min: 1, max: 1},
}

// pairScope tracks what a pair's collections already use, so that one collection is not
// synced twice under two names, nor two names given to one.
type pairScope struct {
	names map[string]int // collection IDs and aliases: the line that declared them
	sideA map[string]int // "id X" or "href X" of side A
	sideB map[string]int
}

// pair interprets one pair block, resolving its storages among those of the file.
func (p *parser) pair(d *scfg.Directive, storages map[string]*Storage) *Pair {
	pr := &Pair{Name: d.Params[0], File: p.file, Line: d.Line, Col: d.Col}
	where := "pair " + scfg.Quote(pr.Name)
	switch {
	case pr.Name == "":
		p.atParam(d, 0, "pair name is empty")
	case pr.Name[0] == '.':
		p.atParam(d, 0, "pair name %s cannot start with a dot", scfg.Quote(pr.Name))
	case strings.Contains(pr.Name, "/"):
		// PAIR/COLLECTION names one collection on the command line.
		p.atParam(d, 0, "pair name %s cannot contain /", scfg.Quote(pr.Name))
	}
	if len(d.Children) == 0 {
		p.at(d, "%s needs a block with storage_a, storage_b and its collections", where)
		return pr
	}
	got := p.directives(where, d.Children, pairSpecs, pairHints)

	if xa := first(got["storage_a"]); xa != nil {
		pr.A = p.storageRef(xa, storages)
	} else if d.Children.Get("storage_a") == nil {
		p.at(d, "%s has no storage_a", where)
	}
	xb := first(got["storage_b"])
	if xb != nil {
		pr.B = p.storageRef(xb, storages)
	} else if d.Children.Get("storage_b") == nil {
		p.at(d, "%s has no storage_b", where)
	}

	for _, x := range got["collections"] {
		switch strings.Join(x.Params, " ") {
		case "all":
			pr.FromA, pr.FromB = true, true
		case "from a":
			pr.FromA = true
		case "from b":
			pr.FromB = true
		default:
			p.atParam(x, 0, "collections takes all, from a or from b")
		}
	}
	sc := pairScope{names: map[string]int{}, sideA: map[string]int{}, sideB: map[string]int{}}
	for _, x := range got["collection"] {
		p.collection(pr, x, &sc)
	}
	if d.Children.Get("collections") == nil && d.Children.Get("collection") == nil {
		p.at(d, "%s declares no collections: add collections from a, from b or all, or collection ID", where)
	}

	if x := first(got["on_empty"]); x != nil {
		switch x.Params[0] {
		case "skip":
			pr.OnEmpty = OnEmptySkip
		case "sync":
			pr.OnEmpty = OnEmptySync
		default:
			p.atParam(x, 0, "on_empty must be skip or sync, not %s", scfg.Quote(x.Params[0]))
		}
	}
	if x := first(got["on_delete"]); x != nil {
		switch x.Params[0] {
		case "sync":
			pr.OnDelete = OnDeleteSync
		case "skip":
			pr.OnDelete = OnDeleteSkip
		default:
			p.atParam(x, 0, "on_delete must be sync or skip, not %s", scfg.Quote(x.Params[0]))
		}
	}
	if x := first(got["conflict_resolution"]); x != nil {
		pr.Conflict = p.resolution(x)
	}
	pr.OneWay = len(got["one_way"]) > 0

	if pr.A != nil && pr.B != nil {
		p.pairStorages(pr, d, xb)
	}
	return pr
}

// pairStorages checks that the two storages can be synced with each other at all.
func (p *parser) pairStorages(pr *Pair, d, xb *scfg.Directive) {
	a, b := pr.A, pr.B
	switch {
	case a == b:
		p.atParam(xb, 0, "pair %s: storage_a and storage_b are both %s; a pair syncs two different storages", scfg.Quote(pr.Name), scfg.Quote(a.Name))
	case a.Kind() != 0 && b.Kind() != 0 && a.Kind() != b.Kind():
		p.atParam(xb, 0, "pair %s: storage a is %s but storage b is %s", scfg.Quote(pr.Name), describe(a), describe(b))
	case a.ReadOnly && b.ReadOnly:
		p.at(d, "pair %s: storages %s and %s are both read-only, so nothing could ever be synced", scfg.Quote(pr.Name), scfg.Quote(a.Name), scfg.Quote(b.Name))
	case pr.OneWay && b.ReadOnly:
		p.at(d, "pair %s is one_way, which writes to storage b only, but %s is read-only", scfg.Quote(pr.Name), scfg.Quote(b.Name))
	}
}

// describe names a storage's kind for messages: "a calendar storage (caldav)".
func describe(s *Storage) string {
	return fmt.Sprintf("a %s storage (%s)", s.Kind(), s.Type)
}

// collection interprets `collection ID` or a `collection { … }` mapping block.
func (p *parser) collection(pr *Pair, x *scfg.Directive, sc *pairScope) {
	switch {
	case len(x.Params) == 1 && len(x.Children) > 0:
		p.atParam(x, 0, "collection takes an ID or a block, not both")
	case len(x.Params) == 1:
		id := x.Params[0]
		if msg := validID(id); msg != "" {
			p.atParam(x, 0, "collection ID %s", msg)
			return
		}
		// A plain collection has the same ID on both sides.
		desc := "collection " + scfg.Quote(id)
		if p.claim(sc.names, id, x, desc) && p.claim(sc.sideA, "id "+id, x, desc) {
			p.claim(sc.sideB, "id "+id, x, desc)
		}
		pr.Collections = append(pr.Collections, id)
	case len(x.Children) == 0:
		p.at(x, "collection needs an ID, or a block with alias, id_a or href_a, and id_b or href_b")
	default:
		pr.Mappings = append(pr.Mappings, p.mapping(pr, x, sc))
	}
}

// mapping interprets a collection block.
func (p *parser) mapping(pr *Pair, x *scfg.Directive, sc *pairScope) Mapping {
	where := "collection block of pair " + scfg.Quote(pr.Name)
	m := Mapping{Line: x.Line}
	got := p.directives(where, x.Children, mappingSpecs, nil)
	if a := first(got["alias"]); a != nil {
		m.Alias = a.Params[0]
		if msg := validID(m.Alias); msg != "" {
			p.atParam(a, 0, "alias %s", msg)
		} else {
			p.claim(sc.names, m.Alias, a, "alias "+scfg.Quote(m.Alias))
		}
	} else if x.Children.Get("alias") == nil {
		p.at(x, "%s has no alias: the name the collection goes by", where)
	}
	m.IDA, m.HrefA = p.side(x, got, "a", sc.sideA)
	m.IDB, m.HrefB = p.side(x, got, "b", sc.sideB)
	return m
}

// side reads id_X or href_X of a mapping block: exactly one of them.
func (p *parser) side(x *scfg.Directive, got map[string][]*scfg.Directive, side string, used map[string]int) (id, href string) {
	xi, xh := first(got["id_"+side]), first(got["href_"+side])
	switch {
	case xi != nil && xh != nil:
		later := xi
		if xh.Line > xi.Line {
			later = xh
		}
		p.at(later, "id_%s and href_%s name the same side: give only one", side, side)
	case xi != nil:
		id = xi.Params[0]
		if msg := validID(id); msg != "" {
			p.atParam(xi, 0, "id_%s %s", side, msg)
		} else {
			p.claim(used, "id "+id, xi, "id_"+side+" "+scfg.Quote(id))
		}
	case xh != nil:
		href = xh.Params[0]
		if href == "" {
			p.atParam(xh, 0, "href_%s is empty", side)
		} else {
			p.claim(used, "href "+href, xh, "href_"+side+" "+scfg.Quote(href))
		}
	case x.Children.Get("id_"+side) == nil && x.Children.Get("href_"+side) == nil:
		p.at(x, "collection block has neither id_%s nor href_%s", side, side)
	}
	return id, href
}

// claim records key as used by directive x, or reports that an earlier line uses it;
// desc names the value for the message.
func (p *parser) claim(used map[string]int, key string, x *scfg.Directive, desc string) bool {
	if line, dup := used[key]; dup {
		p.atParam(x, 0, "%s is already used at line %d", desc, line)
		return false
	}
	used[key] = x.Line
	return true
}

// resolution reads conflict_resolution: keep a, keep b, or cmd PROG [ARGS…].
func (p *parser) resolution(x *scfg.Directive) Resolution {
	ps := x.Params
	switch {
	case len(ps) == 2 && ps[0] == "keep" && (ps[1] == "a" || ps[1] == "b"):
		return Resolution{Keep: ps[1]}
	case len(ps) >= 2 && ps[0] == "cmd" && ps[1] != "":
		return Resolution{Cmd: ps[1:]}
	}
	p.atParam(x, 0, `conflict_resolution must be "keep a", "keep b" or "cmd PROG [ARGS…]"`)
	return Resolution{}
}
