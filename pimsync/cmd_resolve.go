package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/pimsync-go/libsync/cli"
	"github.com/pimsync-go/libsync/config"
	"github.com/pimsync-go/libsync/pair"
	"github.com/pimsync-go/libsync/plan"
	"github.com/pimsync-go/libsync/syncer"
	vdir "github.com/pimsync-go/libvdir"
)

// resolveCmd is "pimsync resolve-conflicts".
type resolveCmd struct {
	Pairs []string `arg:"" optional:"" name:"pair" complete:"pairs" help:"Pairs, or PAIR/COLLECTION, whose conflicts to settle (default: all)."`
}

// Run settles every conflict of the target pairs with the pair's conflict_resolution
// command (keep a / keep b are applied by sync itself).
func (c *resolveCmd) Run(e *cli.Env, g *grammar) error {
	cfg, targets, err := g.targets(c.Pairs)
	if err != nil {
		return err
	}
	failed := false
	for _, t := range targets {
		res := t.pair.Conflict
		if len(res.Cmd) == 0 && res.Keep == "" {
			if len(c.Pairs) > 0 || len(g.Pairs) > 0 {
				slog.Error("pair has no conflict_resolution; add one (keep a, keep b or cmd PROG ARGS…)", "pair", t.pair.Name)
				failed = true
			}
			continue
		}
		p, err := pair.Open(e.Ctx, cfg, t.pair.Name, pair.Options{Only: t.collections})
		if err != nil {
			slog.Error("pair not resolved", "pair", t.pair.Name, "err", err)
			failed = true
			continue
		}
		p.ConflictsOnly = true
		p.Resolver = func(ctx context.Context, key string, ic syncer.ItemConflict, a, b []byte) ([]byte, error) {
			switch res.Keep {
			case "a":
				return a, nil
			case "b":
				return b, nil
			}
			return runResolver(ctx, e, t.pair, res.Cmd, ic, a, b)
		}
		result, err := p.Sync(e.Ctx)
		p.Close()
		if err != nil {
			slog.Error("pair not resolved", "pair", t.pair.Name, "err", err)
			failed = true
			continue
		}
		for _, cr := range result.Collections {
			report(p.Name, cr, false)
			if cr.Resolved > 0 {
				slog.Info("conflicts resolved", "pair", p.Name, "collection", cr.Key, "count", cr.Resolved)
			}
			if !cr.OK() {
				failed = true
			}
		}
	}
	return finish(nil, failed)
}

// runResolver writes both versions to temporary files, runs PROG ARGS… FILE_A FILE_B,
// and returns the result if the program exited 0 and left both files equal (ignoring
// leading and trailing white space) and not empty.
func runResolver(ctx context.Context, e *cli.Env, p *config.Pair, argv []string, ic syncer.ItemConflict, a, b []byte) ([]byte, error) {
	dir, err := os.MkdirTemp("", "pimsync-conflict-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	ext := "ics"
	if p.A.Kind() == config.Contacts {
		ext = "vcf"
	}
	base := vdir.SafeName(ic.Ident, ext)
	files := []string{filepath.Join(dir, "a-"+base), filepath.Join(dir, "b-"+base)}
	for i, data := range [][]byte{a, b} {
		if err := os.WriteFile(files[i], data, 0o600); err != nil {
			return nil, err
		}
	}
	cmd := exec.CommandContext(ctx, argv[0], append(append([]string(nil), argv[1:]...), files...)...)
	cmd.Stdin = os.Stdin
	cmd.Stdout, cmd.Stderr = e.Stdout, e.Stderr // an interactive resolver (nvim -d) needs the terminal
	slog.Info("running conflict_resolution", "pair", p.Name, "uid", ic.Ident, "href_a", ic.Href[plan.A], "href_b", ic.Href[plan.B])
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("%s: %w", argv[0], err)
	}
	ra, errA := os.ReadFile(files[0])
	rb, errB := os.ReadFile(files[1])
	if err := errors.Join(errA, errB); err != nil {
		return nil, err
	}
	if !bytes.Equal(bytes.TrimSpace(ra), bytes.TrimSpace(rb)) {
		return nil, fmt.Errorf("%s exited 0 but left the two versions different", argv[0])
	}
	if len(bytes.TrimSpace(ra)) == 0 {
		return nil, fmt.Errorf("%s left the item empty", argv[0])
	}
	return ra, nil
}
