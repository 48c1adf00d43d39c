package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"path/filepath"

	vdir "github.com/pimsync-go/libvdir"
	"github.com/pimsync-go/libvdir/item"
)

// Problems repair fixes, named as check names them.
const (
	problemNoUID     = "no-uid"
	problemDuplicate = "duplicate-uid"
)

// newUID returns a random version 4 UUID, the kind of UID calendar and contact programs
// make themselves.
func newUID() string {
	var b [16]byte
	rand.Read(b[:]) // never fails (crypto/rand since Go 1.24)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// fix is one item to give a new UID.
type fix struct {
	name, etag      string
	problem, oldUID string
	uid, kept       string
	data            []byte // the item with only its UID lines changed
}

// planFixes reads every item of c and decides which get a new UID: every item without
// one, and every item of a group sharing one but the first by file name. This is the
// rule of libsync/repair.Plan (davcli and pimsync repair), kept here over libvdir so that
// vdirtool links nothing of the sync (docs/architecture.md): the first name keeps the
// UID because that choice is the same on every run, so a dry run shows what a run does.
// Items that cannot be read, or hold no VEVENT, VTODO, VJOURNAL or VCARD, are logged
// and left alone.
func planFixes(ctx context.Context, c *vdir.Collection) ([]fix, error) {
	l, err := c.List(ctx) // sorted by name
	if err != nil {
		return nil, err
	}
	var fixes []fix
	keeper := map[string]string{} // UID → name of the first item with it
	for _, e := range l.Items {
		it, err := c.Get(ctx, e.Name)
		if err != nil {
			slog.Warn("item not repaired", "path", filepath.Join(c.Path(), e.Name), "err", err)
			continue
		}
		info, _ := item.Inspect(it.Data)
		if info.Kind == "" {
			slog.Warn("item not repaired", "path", filepath.Join(c.Path(), e.Name),
				"reason", "not an item: no VEVENT, VTODO, VJOURNAL or VCARD")
			continue
		}
		f := fix{name: e.Name, etag: it.Etag, oldUID: info.UID}
		switch kept, seen := keeper[info.UID]; {
		case info.UID == "":
			f.problem = problemNoUID
		case seen:
			f.problem, f.kept = problemDuplicate, kept
		default:
			keeper[info.UID] = e.Name
			continue
		}
		f.uid = newUID()
		if f.data, err = item.SetUID(it.Data, f.uid); err != nil {
			slog.Warn("item not repaired", "path", filepath.Join(c.Path(), e.Name), "err", err)
			continue
		}
		fixes = append(fixes, f)
	}
	return fixes, nil
}
