package syncer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/pimsync-go/libsync/plan"
	"github.com/pimsync-go/libsync/storage"
)

// props syncs the collection's properties three-way. A collection this sync created
// counts as having none: what a server gives a new collection (Radicale names it after
// its path) is not the user's, and must not conflict with the other side's values.
func (p *Pair) props(ctx context.Context, key string, sides [2]*side, created [2]bool, r *CollectionResult) error {
	var cur [2]map[string]string
	for s := plan.A; s <= plan.B; s++ {
		cur[s] = map[string]string{}
		if sides[s].col == nil || created[s] {
			continue
		}
		props, err := sides[s].col.Props(ctx)
		if err != nil {
			return fmt.Errorf("properties on %s: %w", s, err)
		}
		for k, v := range props {
			cur[s][string(k)] = v
		}
	}
	old, err := p.Status.Props(key)
	if err != nil {
		return err
	}
	// Only the properties both sides keep are synced.
	for s := plan.A; s <= plan.B; s++ {
		if sides[s].col == nil {
			continue
		}
		kept := map[string]bool{}
		for _, pr := range storage.Supported(sides[s].col) {
			kept[string(pr)] = true
		}
		for _, m := range []map[string]string{cur[plan.A], cur[plan.B], old} {
			for k := range m {
				if !kept[k] {
					delete(m, k)
				}
			}
		}
	}
	for _, a := range plan.Props(cur, old, p.Options) {
		switch a.Op {
		case plan.Conflict:
			r.PropConflicts = append(r.PropConflicts, a.Name)
			slog.Warn("property changed on both sides; left as it is", "pair", p.Name, "collection", key,
				"property", a.Name, "a", cur[plan.A][a.Name], "b", cur[plan.B][a.Name])
			continue
		case plan.Skip:
			slog.Info("property not synced", "pair", p.Name, "collection", key, "property", a.Name, "why", a.Why)
			continue
		}
		if p.DryRun {
			continue
		}
		if a.Op == plan.Update {
			err := sides[a.To].col.SetProp(ctx, storage.Prop(a.Name), a.Value)
			if errors.Is(err, storage.ErrUnsupported) {
				slog.Warn("property not synced: the storage does not keep it", "pair", p.Name, "collection", key,
					"side", a.To, "property", a.Name, "err", err)
				continue
			}
			if err != nil {
				return fmt.Errorf("set %s on %s: %w", a.Name, a.To, err)
			}
			sides[a.To].propsWritten = true
		}
		if a.Value == "" {
			err = p.Status.DeleteProp(key, a.Name)
		} else {
			err = p.Status.PutProp(key, a.Name, a.Value)
		}
		if err != nil {
			return err
		}
	}
	return nil
}
