package main

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"strings"

	"github.com/pimsync-go/libsync/cli"
	"github.com/pimsync-go/libsync/config"
)

// target is a pair to work on, and the collections named for it (none: all).
type target struct {
	pair        *config.Pair
	collections []string
}

// load reads the configuration named by -c, or the default one. Every problem with it
// is a usage error: nothing runs until it is fixed.
func (g *grammar) load() (*config.Config, error) {
	path := g.Config
	if path == "" {
		p, err := config.DefaultPath()
		if err != nil {
			return nil, &cli.UsageError{Err: err}
		}
		path = p
	}
	cfg, err := config.Load(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, &cli.UsageError{Err: fmt.Errorf("no configuration at %s (give one with -c FILE)", path)}
	}
	if err != nil {
		return nil, &cli.UsageError{Err: err}
	}
	warnExposed(cfg)
	return cfg, nil
}

// warnExposed warns when others can read a password written in the configuration.
// It only warns: refusing would break a working setup over a risk the user may accept
// (a single-user machine).
func warnExposed(cfg *config.Config) {
	fi, err := os.Stat(cfg.File)
	if err != nil {
		return
	}
	if name := cfg.ExposedSecret(fi.Mode()); name != "" {
		slog.Warn("the configuration holds a password that other users can read: chmod 600 it, or give the password as password { cmd … }",
			"file", cfg.File, "mode", fi.Mode().Perm().String(), "storage", name)
	}
}

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
