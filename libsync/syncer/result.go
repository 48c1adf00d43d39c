package syncer

import (
	"github.com/pimsync-go/libsync/plan"
)

// Result is what a pair's sync did.
type Result struct {
	Pair        string
	Collections []*CollectionResult
}

// OK reports whether every collection is in sync: no errors, conflicts, duplicates or
// skipped collections.
func (r *Result) OK() bool {
	for _, c := range r.Collections {
		if !c.OK() {
			return false
		}
	}
	return true
}

// CollectionResult is what the sync of one collection did. Counts are per side written.
type CollectionResult struct {
	Key                       string
	Created, Updated, Deleted [2]int
	// CollectionOps describe collections created or deleted.
	CollectionOps []string
	Conflicts     []ItemConflict
	Duplicates    []plan.Duplicate
	// Skipped says why the collection was not synced (on_empty, on_delete, read-only).
	Skipped string
	// ItemErrors are the items that failed; the others went on.
	ItemErrors []error
	// Err is a failure of the whole collection.
	Err error
	// Resolved counts the conflicts Resolver settled.
	Resolved int
	// Skips counts writes not done because a side is read-only.
	Skips int
	// PropConflicts are properties changed on both sides, unresolved.
	PropConflicts []string
}

// ItemConflict is an item whose two versions differ with no resolution configured.
type ItemConflict struct {
	Ident string
	Href  [2]string
	Why   string
}

// OK reports whether the collection is in sync.
func (c *CollectionResult) OK() bool {
	return c.Err == nil && len(c.ItemErrors) == 0 && len(c.Conflicts) == 0 &&
		len(c.Duplicates) == 0 && len(c.PropConflicts) == 0 && c.Skipped == ""
}
