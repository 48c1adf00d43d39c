package main

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"

	vdir "github.com/pimsync-go/libvdir"
)

// fix is one item to give a new UID.
type fix struct {
	name, etag string
	vdir.UIDFix
}

// planFixes reads every item of c and decides which get a new UID by the rule of
// vdir.UIDPlanner, which libsync/repair (davcli and pimsync repair) follows as well:
// every item without one, and every item of a group sharing one but the first by file
// name. The reading is done here over libvdir, so that vdirtool links nothing of the
// sync (docs/architecture.md). Items that cannot be read, or hold no VEVENT, VTODO,
// VJOURNAL or VCARD, are logged and left alone.
func planFixes(ctx context.Context, c *vdir.Collection) ([]fix, error) {
	l, err := c.List(ctx) // sorted by name: the first name keeps a shared UID
	if err != nil {
		return nil, err
	}
	var fixes []fix
	var planner vdir.UIDPlanner
	for _, e := range l.Items {
		it, err := c.Get(ctx, e.Name)
		if err != nil {
			slog.Warn("item not repaired", "path", filepath.Join(c.Path(), e.Name), "err", err)
			continue
		}
		f, ok, err := planner.Plan(e.Name, it.Data)
		switch {
		case errors.Is(err, vdir.ErrNotAnItem):
			slog.Warn("item not repaired", "path", filepath.Join(c.Path(), e.Name), "reason", err.Error())
		case err != nil:
			slog.Warn("item not repaired", "path", filepath.Join(c.Path(), e.Name), "err", err)
		case ok:
			fixes = append(fixes, fix{name: e.Name, etag: it.Etag, UIDFix: f})
		}
	}
	return fixes, nil
}
