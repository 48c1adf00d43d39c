package main

import (
	"errors"
	"strconv"
	"time"

	"github.com/pimsync-go/libsync/cli"
	"github.com/pimsync-go/libsync/pair"
	"github.com/pimsync-go/libsync/status"
)

// statusCmd is "pimsync status".
type statusCmd struct {
	Pairs []string `arg:"" optional:"" name:"pair" complete:"pairs" help:"Pairs to report on (default: all)."`
}

// pairStatus is one line of status's output: one pair, as its status file has it.
type pairStatus struct {
	Pair        string             `json:"pair"`
	State       string             `json:"state"`
	Daemon      bool               `json:"daemon"`
	DaemonPID   string             `json:"daemon_pid"`
	LastStart   string             `json:"last_start"`
	LastEnd     string             `json:"last_end"`
	Error       string             `json:"error"`
	LastError   string             `json:"last_error"`
	LastErrorAt string             `json:"last_error_at"`
	Collections []collectionStatus `json:"collections"`
}

// collectionStatus is a collection of a pairStatus.
type collectionStatus struct {
	Collection string           `json:"collection"`
	Items      int              `json:"items"`
	Conflicts  []conflictStatus `json:"conflicts"`
}

// conflictStatus is an item a collection's last sync left in conflict.
type conflictStatus struct {
	UID   string `json:"uid"`
	HrefA string `json:"href_a"`
	HrefB string `json:"href_b"`
}

// States beyond the results of a run (status.Result…).
const (
	stateNever   = "never synced"
	stateSyncing = "syncing"
)

// Run reports each pair from its status file, without touching the storages: the
// last sync's times and result, the items and conflicts per collection, the latest
// error, and whether a daemon runs the pair. Exit status 1 when a pair failed, has
// errors or conflicts, so that it can feed a monitoring check.
func (c *statusCmd) Run(e *cli.Env, g *grammar) error {
	cfg, targets, err := g.targets(c.Pairs)
	if err != nil {
		return err
	}
	dir, err := pair.StatusDir(e.Ctx, cfg)
	if err != nil {
		return err
	}
	out := cli.NewPrinter(e, "PAIR", "STATE", "LAST SYNC", "ITEMS", "CONFLICTS", "DAEMON", "LAST ERROR")
	failed := false
	for _, t := range targets {
		ps, err := readStatus(dir, t.pair.Name)
		if err != nil {
			return err
		}
		switch ps.State {
		case status.ResultFailed, status.ResultErrors, status.ResultConflicts:
			failed = true
		}
		items, conflicts := 0, 0
		for _, col := range ps.Collections {
			items += col.Items
			conflicts += len(col.Conflicts)
		}
		daemon := "no"
		if ps.Daemon {
			daemon = "pid " + ps.DaemonPID
		}
		lastErr := ps.LastError
		if lastErr != "" {
			lastErr = ps.LastErrorAt + ": " + lastErr
		}
		out.Emit(ps, ps.Pair, ps.State, ps.LastEnd, strconv.Itoa(items), strconv.Itoa(conflicts), daemon, lastErr)
	}
	if err := out.Flush(); err != nil {
		return err
	}
	if failed {
		return cli.ErrReported
	}
	return nil
}

// readStatus reads one pair's report. A pair being synced right now holds its status
// file: it reads as "syncing", with nothing else known.
func readStatus(dir, name string) (pairStatus, error) {
	ps := pairStatus{Pair: name, State: stateNever, Collections: []collectionStatus{}}
	ps.DaemonPID, ps.Daemon = status.DaemonRunning(dir, name)
	db, err := status.OpenReadOnly(dir, name)
	if errors.Is(err, status.ErrLocked) {
		ps.State = stateSyncing
		return ps, nil
	}
	if err != nil {
		return ps, err
	}
	defer db.Close()
	run, ok, err := db.LastRun()
	if err != nil {
		return ps, err
	}
	if ok {
		ps.State, ps.Error, ps.LastError = run.Result, run.Error, run.LastError
		ps.LastStart, ps.LastEnd, ps.LastErrorAt = stamp(run.Start), stamp(run.End), stamp(run.LastErrorAt)
	}
	maps, err := db.Mappings()
	if err != nil {
		return ps, err
	}
	for _, m := range maps {
		items, err := db.Items(m.Key)
		if err != nil {
			return ps, err
		}
		cs, err := db.Conflicts(m.Key)
		if err != nil {
			return ps, err
		}
		col := collectionStatus{Collection: m.Key, Items: len(items), Conflicts: []conflictStatus{}}
		for _, c := range cs {
			col.Conflicts = append(col.Conflicts, conflictStatus{UID: c.Ident, HrefA: c.HrefA, HrefB: c.HrefB})
		}
		ps.Collections = append(ps.Collections, col)
	}
	if !ok && len(maps) > 0 {
		ps.State = status.ResultOK // synced by a pimsync from before runs were recorded
	}
	return ps, nil
}

// stamp formats a time for the output: RFC 3339 in local time, "" for none.
func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Local().Format(time.RFC3339)
}
