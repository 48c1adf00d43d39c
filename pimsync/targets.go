package main

import (
	"fmt"
	"strings"

	"github.com/pimsync-go/libsync/cli"
	"github.com/pimsync-go/libsync/config"
)

// target is a pair to work on, and the collections named for it (none: all).
type target struct {
	pair        *config.Pair
	collections []string
}

// load reads the configuration named by -c, or the default one (cli.LoadConfig).
func (g *grammar) load() (*config.Config, error) { return cli.LoadConfig(g.Config) }

// targets loads the configuration and resolves PAIR[/COLLECTION] arguments (and -p)
// to pairs in configuration order; none means every pair.
func (g *grammar) targets(args []string) (*config.Config, []target, error) {
	cfg, err := g.load()
	if err != nil {
		return nil, nil, err
	}
	args = append(append([]string(nil), g.Pairs...), args...)
	wanted := map[string][]string{}
	all := map[string]bool{}
	for _, a := range args {
		name, coll, hasColl := strings.Cut(a, "/")
		if cfg.Pair(name) == nil {
			var names []string
			for _, p := range cfg.Pairs {
				names = append(names, p.Name)
			}
			return nil, nil, &cli.UsageError{Err: fmt.Errorf("no pair %q in %s (pairs: %s)", name, cfg.File, strings.Join(names, ", "))}
		}
		if !hasColl {
			all[name] = true
			wanted[name] = wanted[name][:0:0]
			continue
		}
		if coll == "" {
			return nil, nil, &cli.UsageError{Err: fmt.Errorf("%q: empty collection name after the slash", a)}
		}
		if !all[name] {
			wanted[name] = append(wanted[name], coll)
		}
	}
	var out []target
	for _, p := range cfg.Pairs {
		colls, ok := wanted[p.Name]
		if len(args) > 0 && !ok {
			continue
		}
		out = append(out, target{pair: p, collections: colls})
	}
	return cfg, out, nil
}

// finish ends a command that works pair by pair: it flushes the output and turns
// failures, already reported one by one, into exit status 1.
func finish(out *cli.Printer, failed bool) error {
	if out != nil {
		if err := out.Flush(); err != nil {
			return err
		}
	}
	if failed {
		return cli.ErrReported
	}
	return nil
}
