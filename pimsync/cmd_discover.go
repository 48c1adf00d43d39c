package main

import (
	"log/slog"

	"github.com/pimsync-go/libsync/cli"
	"github.com/pimsync-go/libsync/pair"
	"github.com/pimsync-go/libsync/plan"
)

// discoverCmd is "pimsync discover".
type discoverCmd struct {
	Pairs []string `arg:"" optional:"" name:"pair" complete:"pairs" help:"Pairs to look at (default: all)."`
}

// discovered is one line of discover's output: one collection of a pair.
type discovered struct {
	Pair       string `json:"pair"`
	Collection string `json:"collection"`
	IDA        string `json:"id_a"`
	HrefA      string `json:"href_a"`
	IDB        string `json:"id_b"`
	HrefB      string `json:"href_b"`
	Action     string `json:"action"`
}

// Run lists each pair's collections and what a sync would do with each. It finds the
// DAV home sets again rather than trust those the status remembers, and refreshes them
// there; it changes nothing else.
func (c *discoverCmd) Run(e *cli.Env, g *grammar) error {
	cfg, targets, err := g.targets(c.Pairs)
	if err != nil {
		return err
	}
	out := cli.NewPrinter(e, "PAIR", "COLLECTION", "A", "B", "ACTION")
	failed := false
	for _, t := range targets {
		p, err := pair.Open(e.Ctx, cfg, t.pair.Name, pair.Options{DryRun: true, Rediscover: true})
		if err != nil {
			slog.Error("pair not discovered", "pair", t.pair.Name, "err", err)
			failed = true
			continue
		}
		mapped, err := p.Collections(e.Ctx)
		p.Close()
		if err != nil {
			slog.Error("pair not discovered", "pair", t.pair.Name, "err", err)
			failed = true
			continue
		}
		for _, m := range mapped {
			r := discovered{Pair: p.Name, Collection: m.Key, IDA: m.Col[plan.A].ID, HrefA: m.Col[plan.A].Href,
				IDB: m.Col[plan.B].ID, HrefB: m.Col[plan.B].Href, Action: action(m)}
			out.Emit(r, r.Pair, r.Collection, orNone(r.HrefA), orNone(r.HrefB), r.Action)
		}
	}
	return finish(out, failed)
}

// action says in words what a sync will do with a mapped collection.
func action(m plan.Mapped) string {
	switch {
	case m.Skip != "":
		return "skip: " + m.Skip
	case m.Forget:
		return "forget: gone from both sides"
	case m.Deleting:
		return "delete on " + m.Delete.String() + " if empty: " + m.Why
	case m.Create[plan.A] && m.Create[plan.B]:
		return "create on a and b"
	case m.Create[plan.A]:
		return "create on a"
	case m.Create[plan.B]:
		return "create on b"
	}
	return "sync"
}

func orNone(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
