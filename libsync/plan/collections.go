package plan

import (
	"fmt"
	"sort"
)

// Collection is a collection on one side: its ID (name) and Href (location). An empty
// Href means it does not exist yet.
type Collection struct {
	ID   string
	Href string
	// Version is the storage's change tag for the collection, "" when it has none.
	Version string
	// SyncToken is its RFC 6578 sync token, "" when it has none.
	SyncToken string
}

// Mapping is an explicitly configured collection: Key is its alias; on each side it is
// given by ID or by Href.
type Mapping struct {
	Key  string
	ID   [2]string
	Href [2]string
}

// Selection is which collections a pair syncs (pimsync.conf's collections and
// collection directives).
type Selection struct {
	From     [2]bool  // collections from a / from b (all = both)
	IDs      []string // collection ID
	Mappings []Mapping
}

// CollectionsInput is what the collection plan looks at.
type CollectionsInput struct {
	Have   [2][]Collection
	Select Selection
	// Known are the keys the status has synced before, with their hrefs.
	Known map[string][2]string
	// DeleteSync propagates a collection's deletion (on_delete sync); only empty
	// collections are ever deleted.
	DeleteSync bool
	ReadOnly   [2]bool
	OneWay     bool
}

// Mapped is the decision for one selected collection.
type Mapped struct {
	Key string
	Col [2]Collection
	// Create are the sides where the collection is made first, with Col[s].ID.
	Create [2]bool
	// Delete is the side whose collection is deleted (if empty), when Deleting.
	Delete   Side
	Deleting bool
	// Forget drops the key from the status: the collection is gone from both sides.
	Forget bool
	// Skip says why the collection is not synced, or is "".
	Skip string
	Why  string
}

// Sync reports whether the collection's items are synced after the collection actions.
func (m Mapped) Sync() bool { return !m.Forget && !m.Deleting && m.Skip == "" }

// Collections maps the selected collections of both sides and decides which must be
// created or deleted.
func Collections(in CollectionsInput) []Mapped {
	byID := [2]map[string]Collection{{}, {}}
	byHref := [2]map[string]Collection{{}, {}}
	for s := A; s <= B; s++ {
		for _, c := range in.Have[s] {
			byID[s][c.ID] = c
			byHref[s][c.Href] = c
		}
	}
	var out []Mapped
	claimed := [2]map[string]string{{}, {}} // href -> key
	keys := map[string]bool{}
	add := func(key string, want [2]Collection, explicit bool) {
		if keys[key] {
			return
		}
		keys[key] = true
		m := Mapped{Key: key}
		var exists [2]bool
		for s := A; s <= B; s++ {
			c := want[s]
			if c.Href != "" {
				if have, ok := byHref[s][c.Href]; ok {
					c.ID, c.Version, c.SyncToken = have.ID, have.Version, have.SyncToken
					exists[s] = true
				}
			} else if have, ok := byID[s][c.ID]; ok {
				c = have
				exists[s] = true
			}
			m.Col[s] = c
			if exists[s] {
				if k, ok := claimed[s][c.Href]; ok {
					if explicit {
						m.Skip = fmt.Sprintf("%s on %s is already synced as %s", c.Href, s, k)
						out = append(out, m)
					}
					return
				}
			}
		}
		for s := A; s <= B; s++ {
			if exists[s] {
				claimed[s][m.Col[s].Href] = key
			}
		}
		_, known := in.Known[key]
		decideCollection(&m, exists, known, in)
		out = append(out, m)
	}

	for _, mp := range in.Select.Mappings {
		add(mp.Key, [2]Collection{{ID: mp.ID[A], Href: mp.Href[A]}, {ID: mp.ID[B], Href: mp.Href[B]}}, true)
	}
	for _, id := range in.Select.IDs {
		add(id, [2]Collection{{ID: id}, {ID: id}}, true)
	}
	for s := A; s <= B; s++ {
		if !in.Select.From[s] {
			continue
		}
		for _, c := range in.Have[s] {
			if _, taken := claimed[s][c.Href]; taken {
				continue
			}
			add(c.ID, [2]Collection{{ID: c.ID}, {ID: c.ID}}, false)
		}
	}
	// A collection synced before that is now on neither side (from a/from b only see
	// what exists) is forgotten, so that one made again later at the same place starts
	// as a first sync instead of meeting the old records.
	var stale []string
	for key, hrefs := range in.Known {
		_, onA := byHref[A][hrefs[A]]
		_, onB := byHref[B][hrefs[B]]
		if !keys[key] && !onA && !onB {
			stale = append(stale, key)
		}
	}
	sort.Strings(stale)
	for _, key := range stale {
		out = append(out, Mapped{Key: key, Forget: true, Why: "gone from both sides"})
	}
	return out
}

func decideCollection(m *Mapped, exists [2]bool, known bool, in CollectionsInput) {
	switch {
	case exists[A] && exists[B]:
		m.Why = "on both sides"
	case !exists[A] && !exists[B]:
		if known {
			m.Forget, m.Why = true, "gone from both sides"
			return
		}
		m.Why = "on neither side"
		for s := A; s <= B; s++ {
			m.create(s, in.ReadOnly)
		}
	default:
		have := A
		if !exists[A] {
			have = B
		}
		missing := have.Other()
		switch {
		case in.OneWay && missing == B:
			m.Why = "missing on b, which mirrors a"
			m.create(B, in.ReadOnly)
		case in.OneWay && !(known && in.DeleteSync):
			m.Skip = "not on a, which b mirrors"
		case !known:
			m.Why = "new on " + have.String()
			m.create(missing, in.ReadOnly)
		case in.DeleteSync:
			if in.ReadOnly[have] {
				m.Skip = fmt.Sprintf("deleted on %s; not deleted on %s, which is read-only", missing, have)
				return
			}
			m.Delete, m.Deleting = have, true
			m.Why = fmt.Sprintf("deleted on %s", missing)
		default:
			m.Skip = fmt.Sprintf("deleted on %s; on_delete skip keeps it on %s", missing, have)
		}
	}
}

func (m *Mapped) create(s Side, ro [2]bool) {
	switch {
	case m.Skip != "":
	case ro[s]:
		m.Skip = fmt.Sprintf("missing on %s, which is read-only", s)
	case m.Col[s].ID == "":
		m.Skip = fmt.Sprintf("%s does not exist on %s", m.Col[s].Href, s)
	default:
		m.Create[s] = true
	}
}
