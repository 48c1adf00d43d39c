package pair

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	"os"
	"strings"

	"github.com/pimsync-go/libsync/config"
	"github.com/pimsync-go/libsync/dav"
	"github.com/pimsync-go/libsync/status"
	"github.com/pimsync-go/libsync/storage/davstore"
)

// homes are the home sets of a pair's DAV storages, remembered in the pair's status
// (PairState "home a", "home b") so that a sync with nothing to do costs one request per
// storage instead of two or three.
type homes struct {
	side [2]home
	// refresh lets a read-only open (pimsync discover) update the records; a dry run of
	// a sync writes nothing.
	refresh bool
}

// home is one side's remembered home set. The record is "<account>\n<home set URL>",
// where account is a hash of the storage's type, URL and user: a home set found for
// another account is never used. The URL itself is not stored, since it may carry
// credentials. A third line "tokens" says that every collection had a sync token when
// the home set was last listed (davstore.Storage.Tokens).
type home struct {
	read    string // the record as the status held it
	opened  *davstore.Storage
	account string
}

var homeNames = [2]string{"home a", "home b"}

// read loads the records. Anything that goes wrong (no status yet, a sync of the pair
// running, a damaged file) only means discovering again, so it is logged, not returned.
func (hs *homes) read(dir, pair string) {
	db, err := status.OpenReadOnly(dir, pair)
	if err != nil {
		slog.Debug("home sets not remembered", "pair", pair, "err", err)
		return
	}
	defer db.Close()
	for i, name := range homeNames {
		if v, ok, err := db.PairState(name); err != nil {
			slog.Debug("home set not remembered", "pair", pair, "err", err)
		} else if ok {
			hs.side[i].read = v
		}
	}
}

func account(cs *config.Storage, u, user string) string {
	sum := sha256.Sum256([]byte(cs.Type + "\x00" + u + "\x00" + user))
	return hex.EncodeToString(sum[:16])
}

// open opens the DAV storage at the remembered home set, or discovers it.
func (h *home) open(ctx context.Context, c *dav.Client, kind dav.Kind, u string, cs *config.Storage) (*davstore.Storage, error) {
	h.account = account(cs, u, c.User)
	if acc, known, ok := strings.Cut(h.read, "\n"); ok && acc == h.account && known != "" {
		known, flag, _ := strings.Cut(known, "\n")
		s, err := davstore.Known(c, kind, u, known, flag == "tokens")
		if err == nil {
			h.opened = s
			return s, nil
		}
	}
	s, err := davstore.Open(ctx, c, kind, u)
	if err != nil {
		return nil, err
	}
	h.opened = s
	return s, nil
}

func (h *home) record() string {
	if h.opened == nil {
		return ""
	}
	r := h.account + "\n" + h.opened.Home()
	if h.opened.Tokens() {
		r += "\ntokens"
	}
	return r
}

// save stores the records that changed. A dry run writes nothing; pimsync discover,
// which opens the status read-only too, refreshes the records of a pair that has a
// status file already, but does not create one for a pair never synced.
func (hs *homes) save(db *status.DB, dir, pair string) error {
	var changed []int
	for i := range hs.side {
		if r := hs.side[i].record(); r != "" && r != hs.side[i].read {
			changed = append(changed, i)
		}
	}
	if len(changed) == 0 {
		return nil
	}
	put := func(db *status.DB) error {
		for _, i := range changed {
			r := hs.side[i].record()
			if err := db.PutPairState(homeNames[i], r); err != nil {
				return err
			}
			hs.side[i].read = r // a pair that syncs again (the daemon) writes it once
		}
		return nil
	}
	if db.Writable() {
		return put(db)
	}
	if !hs.refresh {
		return nil
	}
	if _, err := os.Stat(status.Path(dir, pair)); err != nil {
		return nil
	}
	// The dry run's shared lock is released first, or this would wait for itself.
	db.Close()
	rw, err := status.Open(dir, pair)
	if errors.Is(err, status.ErrLocked) {
		return nil // a sync is running; it found the home sets itself
	}
	if err != nil {
		return err
	}
	defer rw.Close()
	return put(rw)
}
