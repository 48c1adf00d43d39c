package pair

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"time"

	"github.com/pimsync-go/libsync/config"
	"github.com/pimsync-go/libsync/plan"
	"github.com/pimsync-go/libsync/status"
	"github.com/pimsync-go/libsync/syncer"
)

// Sync syncs the pair and records in its status how the run went and which items each
// collection left in conflict, for pimsync status. A dry run records nothing.
func (o *Opened) Sync(ctx context.Context) (*syncer.Result, error) {
	start := time.Now()
	res, err := o.Pair.Sync(ctx)
	if o.DryRun {
		return res, err
	}
	for _, cr := range resultCollections(res) {
		if cr.Err != nil || cr.Skipped != "" {
			continue // what is in conflict there is not known now
		}
		if _, ok, _ := o.db.Mapping(cr.Key); !ok {
			continue // the collection is gone
		}
		var cs []status.Conflict
		for _, c := range cr.Conflicts {
			cs = append(cs, status.Conflict{Ident: c.Ident, HrefA: c.Href[plan.A], HrefB: c.Href[plan.B]})
		}
		if perr := o.db.PutConflicts(cr.Key, cs); perr != nil {
			slog.Warn("conflicts not recorded", "pair", o.Name, "collection", cr.Key, "err", perr)
		}
	}
	if perr := o.db.PutRun(runOf(start, res, err)); perr != nil {
		slog.Warn("run not recorded", "pair", o.Name, "err", perr)
	}
	return res, err
}

func resultCollections(res *syncer.Result) []*syncer.CollectionResult {
	if res == nil {
		return nil
	}
	return res.Collections
}

// runOf sums up a run for the status.
func runOf(start time.Time, res *syncer.Result, err error) status.Run {
	r := status.Run{Start: start, End: time.Now(), Result: status.ResultOK}
	if err != nil {
		r.Result, r.Error = status.ResultFailed, err.Error()
		return r
	}
	for _, cr := range res.Collections {
		var first error
		switch {
		case cr.Err != nil:
			first = cr.Err
		case len(cr.ItemErrors) > 0:
			first = cr.ItemErrors[0]
		case len(cr.Duplicates) > 0:
			first = errors.New("several items share the UID " + cr.Duplicates[0].Ident)
		}
		if first != nil {
			if r.Result != status.ResultErrors {
				r.Result, r.Error = status.ResultErrors, cr.Key+": "+first.Error()
			}
			continue
		}
		if len(cr.Conflicts) > 0 && r.Result == status.ResultOK {
			r.Result = status.ResultConflicts
		}
	}
	return r
}

// RecordFailure records that the pair called name could not be synced at all (its
// storage could not be opened: a server down, a password command failing), so that
// pimsync status shows it. A pair without a status file gets one only with create (the
// daemon, whose failures nobody watches); a one-off sync says it on the terminal.
func RecordFailure(ctx context.Context, cfg *config.Config, name string, start time.Time, failure error, create bool) {
	dir, err := StatusDir(ctx, cfg)
	if err != nil {
		return
	}
	if _, err := os.Stat(status.Path(dir, name)); err != nil && !create {
		return
	}
	db, err := status.Open(dir, name)
	if err != nil {
		slog.Debug("failure not recorded", "pair", name, "err", err)
		return
	}
	defer db.Close()
	r := status.Run{Start: start, End: time.Now(), Result: status.ResultFailed, Error: failure.Error()}
	if err := db.PutRun(r); err != nil {
		slog.Warn("failure not recorded", "pair", name, "err", err)
	}
}
