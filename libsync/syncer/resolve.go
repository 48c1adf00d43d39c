package syncer

import (
	"context"

	"fmt"

	"github.com/pimsync-go/libsync/plan"
	"github.com/pimsync-go/libvdir/item"
)

// Resolver settles a conflict: given both versions of the item, it returns the version
// both sides should have. An error leaves the conflict as it is.
type Resolver func(ctx context.Context, key string, c ItemConflict, a, b []byte) ([]byte, error)

// resolve settles one conflict with p.Resolver and writes the result, conditionally,
// to each side whose content differs from it.
func (p *Pair) resolve(ctx context.Context, key string, sides [2]*side, a plan.Action) error {
	var data [2][]byte
	c := ItemConflict{Ident: a.Ident, Why: a.Why}
	for s := plan.A; s <= plan.B; s++ {
		cur := a.Cur[s]
		c.Href[s] = cur.Href
		d, err := sides[s].bytes(ctx, *cur)
		if err != nil {
			return fmt.Errorf("read %s on %s: %w", cur.Href, s, err)
		}
		data[s] = d
	}
	// One at a time: a resolver is often an editor that takes over the terminal.
	p.resolving.Lock()
	merged, err := p.Resolver(ctx, key, c, data[plan.A], data[plan.B])
	p.resolving.Unlock()
	if err != nil {
		return err
	}
	info, _ := item.Inspect(merged)
	if ident := info.UID; ident != a.Ident {
		return fmt.Errorf("the resolved item has UID %q, not %q; not written", ident, a.Ident)
	}
	hash := item.Hash(merged)
	var rec [2]plan.Item
	for s := plan.A; s <= plan.B; s++ {
		cur := *a.Cur[s]
		rec[s] = cur
		if cur.Hash == hash {
			continue
		}
		etag, err := sides[s].col.Update(ctx, cur.Href, cur.Etag, merged)
		if err != nil {
			return fmt.Errorf("update %s on %s: %w", cur.Href, s, err)
		}
		rec[s] = plan.Item{Href: cur.Href, Etag: etag, Hash: hash}
	}
	return p.Status.PutItem(key, toStatus(a.Ident, rec[plan.A], rec[plan.B]))
}
