package main

import (
	"log/slog"

	"github.com/pimsync-go/libsync/cli"
	"github.com/pimsync-go/libsync/config"
	"github.com/pimsync-go/libsync/pair"
)

// checkCmd is "pimsync check".
type checkCmd struct {
	Pairs []string `arg:"" optional:"" name:"pair" complete:"pairs" help:"Pairs to check (default: all)."`
}

// checked is one line of check's output: one storage and whether it is usable.
type checked struct {
	Pair    string `json:"pair"`
	Storage string `json:"storage"`
	Type    string `json:"type"`
	OK      bool   `json:"ok"`
	Error   string `json:"error"`
}

// Run parses the configuration, runs its commands and opens every storage the pairs use.
func (c *checkCmd) Run(e *cli.Env, g *grammar) error {
	cfg, targets, err := g.targets(c.Pairs)
	if err != nil {
		return err
	}
	failed := false
	if _, err := pair.StatusDir(e.Ctx, cfg); err != nil {
		slog.Error("status_path", "err", err)
		failed = true
	}
	out := cli.NewPrinter(e, "PAIR", "STORAGE", "TYPE", "OK", "ERROR")
	for _, t := range targets {
		for _, s := range []*config.Storage{t.pair.A, t.pair.B} {
			r := checked{Pair: t.pair.Name, Storage: s.Name, Type: s.Type, OK: true}
			if err := checkStorage(e, cfg, s); err != nil {
				r.OK, r.Error = false, err.Error()
				failed = true
			}
			ok := "yes"
			if !r.OK {
				ok = "no"
			}
			out.Emit(r, r.Pair, r.Storage, r.Type, ok, r.Error)
		}
	}
	return finish(out, failed)
}

// checkStorage opens a storage, which runs its credential commands (once: a password
// prompt must not come twice), and lists its collections.
func checkStorage(e *cli.Env, cfg *config.Config, s *config.Storage) error {
	st, err := pair.OpenStorage(e.Ctx, cfg, s)
	if err != nil {
		return err
	}
	_, err = st.Collections(e.Ctx)
	return err
}
