package syncer

import (
	"fmt"
	"log/slog"
	"sync/atomic"

	"github.com/pimsync-go/libsync/plan"
	"github.com/pimsync-go/libsync/status"
)

// Write intents: before a sync writes items, it records the item records those writes
// will leave (status.PutIntents), so that the next sync can tell a write whose answer
// was lost from a change someone else made (see settle).

// intentOf returns the intent of a creation or update, the record the write will
// leave, with the side written to holding no etag yet and the hash of the bytes copied;
// ok is false for other actions.
func intentOf(a plan.Action) (in status.Item, ok bool) {
	if a.Op != plan.Create && a.Op != plan.Update {
		return status.Item{}, false
	}
	var rec [2]plan.Item
	rec[a.To.Other()] = *a.Source()
	rec[a.To].Hash = a.Source().Hash
	if a.Op == plan.Update {
		rec[a.To].Href = a.Cur[a.To].Href
	}
	return toStatus(a.Ident, rec[plan.A], rec[plan.B]), true
}

// adopt returns the intents that were carried out, as the records their writes would
// have left: those whose side written to now holds one item under the ident, with the
// hash written. That item is then the write's own result, whatever its etag, and the
// other side's version the intent names is the one it copied; a change on either side
// since then shows as a change against that record, not as a conflict with the write.
// An intent whose item holds anything else (the write was never made, or was
// overwritten since) is not adopted, and the item is planned as without one.
func adopt(intents []status.Item, items [2]map[string][]plan.Item) []status.Item {
	var out []status.Item
	for _, in := range intents {
		var to plan.Side
		switch {
		case in.A.Etag == "" && in.B.Etag != "":
			to = plan.A
		case in.B.Etag == "" && in.A.Etag != "":
			to = plan.B
		default:
			continue // not an intent this code wrote
		}
		rec := [2]plan.Item{fromStatusSide(in.A), fromStatusSide(in.B)}
		cur := items[to][in.Ident]
		if len(cur) != 1 || cur[0].Hash != rec[to].Hash || rec[to].Href != "" && cur[0].Href != rec[to].Href {
			continue
		}
		rec[to] = cur[0]
		out = append(out, toStatus(in.Ident, rec[plan.A], rec[plan.B]))
	}
	return out
}

func fromStatusSide(s status.Side) plan.Item {
	return plan.Item{Href: s.Href, Etag: s.Etag, Hash: s.Hash}
}

// settle adopts the intents a sync of the collection left behind (see adopt) into
// records, the status it read, and forgets them all: the sync about to plan is the
// one that looks at them. A dry run adopts them for its plan only.
func (p *Pair) settle(key string, records []status.Item, sides [2]*side) ([]status.Item, error) {
	intents, err := p.Status.Intents(key)
	if err != nil || len(intents) == 0 {
		return records, err
	}
	done := adopt(intents, [2]map[string][]plan.Item{sides[plan.A].items, sides[plan.B].items})
	if !p.DryRun {
		if err := p.Status.SettleIntents(key, done); err != nil {
			return records, err
		}
	}
	slog.Info("writes of an interrupted sync looked at", "pair", p.Name, "collection", key,
		"intents", len(intents), "carried out", len(done))
	if len(done) == 0 {
		return records, nil
	}
	byIdent := make(map[string]int, len(records))
	for i, rec := range records {
		byIdent[rec.Ident] = i
	}
	out := append([]status.Item(nil), records...)
	for _, d := range done {
		if i, ok := byIdent[d.Ident]; ok {
			out[i] = d
		} else {
			out = append(out, d)
		}
	}
	return out, nil
}

// intentGate records the intents of a plan's writes (see intentOf) in the background,
// in chunks and in order, and lets each write start once its own intent is on disk: the
// first writes of an initial sync of thousands of items then start after one commit,
// not after a commit per chunk of all of them.
type intentGate struct {
	chunkOf []int           // by action: the chunk holding its intent, or -1
	done    []chan struct{} // closed once the chunk is committed, or will never be
	errs    []error         // set before done is closed
	stopped atomic.Bool
	exited  chan struct{}
}

// recordIntents starts committing the intents of actions. It refuses at once an intent
// that the status would refuse, before any is committed and any write starts.
func (p *Pair) recordIntents(key string, actions []plan.Action) (*intentGate, error) {
	g := &intentGate{chunkOf: make([]int, len(actions)), exited: make(chan struct{})}
	var chunks [][]status.Item
	for i := range actions {
		g.chunkOf[i] = -1
		in, ok := intentOf(actions[i])
		if !ok {
			continue
		}
		if in.Ident == "" {
			return nil, fmt.Errorf("mapping %s: write of an item with an empty ident", key)
		}
		if n := len(chunks); n == 0 || len(chunks[n-1]) == status.IntentsPerCommit {
			chunks = append(chunks, make([]status.Item, 0, min(status.IntentsPerCommit, len(actions)-i)))
		}
		chunks[len(chunks)-1] = append(chunks[len(chunks)-1], in)
		g.chunkOf[i] = len(chunks) - 1
	}
	if len(chunks) == 0 {
		// Nothing to record; the status still says whether it could be written.
		if err := p.Status.PutIntents(key, nil); err != nil {
			return nil, err
		}
	}
	g.done = make([]chan struct{}, len(chunks))
	g.errs = make([]error, len(chunks))
	for k := range g.done {
		g.done[k] = make(chan struct{})
	}
	go func() {
		defer close(g.exited)
		var err error
		for k, c := range chunks {
			if err == nil && g.stopped.Load() {
				err = ErrStopped
			}
			if err == nil {
				err = p.Status.PutIntents(key, c)
			}
			g.errs[k] = err
			close(g.done[k])
		}
	}()
	return g, nil
}

// wait returns once action i may start: its intent, if it has one, is committed; the
// error says why it never will be.
func (g *intentGate) wait(i int) error {
	if g == nil || g.chunkOf[i] < 0 {
		return nil
	}
	k := g.chunkOf[i]
	<-g.done[k]
	return g.errs[k]
}

// close stops committing chunks whose writes will not be made, and waits for the
// commit under way: the status is not to be written after the collection's sync.
func (g *intentGate) close() {
	if g == nil {
		return
	}
	g.stopped.Store(true)
	<-g.exited
}
