package main

import (
	"log/slog"
	"path/filepath"

	"github.com/pimsync-go/libsync/cli"
	"github.com/pimsync-go/libsync/dav"
	"github.com/pimsync-go/libsync/webcal"
	vdir "github.com/pimsync-go/libvdir"
	"github.com/pimsync-go/libvdir/item"
)

// actionOut is one line of `webcalfetch URL --vdir COLLECTION`: a file it changed.
type actionOut struct {
	UID    string `json:"uid"`
	Action string `json:"action"` // create, update or delete
	Path   string `json:"path"`
}

// held is an item file the collection had before the fetch.
type held struct {
	uid, name, etag, hash string // uid "" when the file has none or repeats another's
	seen                  bool   // the feed still has its UID
}

// mirror makes the collection hold exactly the feed's items. The vdir is compared by
// UID and content hash, not by a state file, so files edited or removed by hand are
// put right by the next run. The feed is checked whole before the first write (Split
// does), so a malformed feed leaves the collection untouched; every write is atomic
// and conditional on the etag read, so an item another program changes meanwhile is
// reported and left for the next run.
func (cmd *fetchCmd) mirror(e *cli.Env, client *dav.Client, cache webcal.Cache) (webcal.Result, error) {
	ext := vdir.DetectExt(cmd.Vdir)
	if ext == "" {
		ext = "ics"
	}
	c, err := vdir.OpenCollection(cmd.Vdir, ext)
	if err != nil {
		return webcal.Result{}, err
	}
	l, err := c.List(e.Ctx)
	if err != nil {
		return webcal.Result{}, err
	}
	// byUID holds the files by UID (files without one, or with a UID already taken,
	// under their name, so they are removed as the feed does not have them).
	byUID := map[string]*held{}
	var order []*held
	for _, en := range l.Items {
		it, err := c.Get(e.Ctx, en.Name)
		if err != nil {
			return webcal.Result{}, err
		}
		h := &held{name: en.Name, etag: it.Etag, hash: item.Hash(it.Data)}
		if uid := item.UID(it.Data); uid != "" && byUID[uid] == nil {
			h.uid = uid
			byUID[uid] = h
		}
		order = append(order, h)
	}

	p := cli.NewPrinter(e, "ACTION", "UID", "PATH")
	emit := func(uid, action, name string) error {
		out := actionOut{UID: uid, Action: action, Path: filepath.Join(c.Path(), name)}
		return p.Emit(out, out.Action, out.UID, out.Path)
	}
	failed := 0
	res, err := webcal.Fetch(e.Ctx, client, cmd.URL, cache, func(pc item.Piece) error {
		if h := byUID[pc.UID]; h != nil {
			h.seen = true
			if h.hash == item.Hash(pc.Data) {
				return nil
			}
			if _, err := c.Update(e.Ctx, h.name, h.etag, pc.Data); err != nil {
				slog.Error("cannot update item", "uid", pc.UID, "err", err)
				failed++
				return nil
			}
			return emit(pc.UID, "update", h.name)
		}
		name := vdir.SafeName(pc.UID, ext)
		if _, err := c.Create(e.Ctx, name, pc.Data); err != nil {
			slog.Error("cannot create item", "uid", pc.UID, "err", err)
			failed++
			return nil
		}
		return emit(pc.UID, "create", name)
	})
	if err != nil {
		return res, err
	}
	if !res.NotModified {
		for _, h := range order {
			if h.seen {
				continue
			}
			if err := c.Delete(e.Ctx, h.name, h.etag); err != nil {
				slog.Error("cannot delete item", "path", h.name, "err", err)
				failed++
				continue
			}
			if err := emit(h.uid, "delete", h.name); err != nil {
				return res, err
			}
		}
	}
	if err := p.Flush(); err != nil {
		return res, err
	}
	if failed > 0 {
		slog.Error("some items could not be written; the next run tries again", "failed", failed)
		return res, cli.ErrReported
	}
	return res, nil
}
