package main

import (
	"errors"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/pimsync-go/libsync/cli"
	"github.com/pimsync-go/libsync/config"
	"github.com/pimsync-go/libsync/daemon"
)

// daemonCmd is "pimsync daemon".
type daemonCmd struct {
	ReadyFD int      `short:"r" name:"ready-fd" placeholder:"FD" default:"-1" help:"Write READY=1 to descriptor FD once ready, then close it (s6, dinit); also READY_FD. systemd's NOTIFY_SOCKET is used when set."`
	Pairs   []string `arg:"" optional:"" name:"pair" complete:"pairs" help:"Pairs to keep in sync (default: all)."`
}

// Run keeps the pairs in sync until SIGTERM or SIGINT, which let the syncs under way
// finish what they started (exit status 0). SIGHUP reloads the configuration; a broken
// one is reported and the running one kept.
func (c *daemonCmd) Run(e *cli.Env, g *grammar) error {
	ready, err := newReadiness(c.ReadyFD)
	if err != nil {
		return &cli.UsageError{Err: err}
	}
	cfg, names, err := c.load(g)
	if err != nil {
		return err
	}
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	d, err := daemon.Start(e.Ctx, cfg, daemon.Options{Pairs: names})
	if err != nil {
		return err
	}
	if err := ready.ready(); err != nil {
		slog.Warn("readiness not signalled", "err", err)
	}
	slog.Info("daemon ready", "pairs", names, "config", cfg.File)
	for {
		select {
		case <-e.Ctx.Done():
			ready.notify("STOPPING=1")
			slog.Info("stopping: letting the syncs under way finish")
			d.Stop()
			d.Wait()
			return nil
		case <-hup:
			newCfg, newNames, err := c.load(g)
			if err != nil {
				slog.Error("configuration not reloaded; the running one stays", "err", err)
				continue
			}
			ready.notify("RELOADING=1")
			d.Stop()
			d.Wait()
			if d, err = daemon.Start(e.Ctx, newCfg, daemon.Options{Pairs: newNames}); err != nil {
				return err
			}
			ready.notify("READY=1")
			slog.Info("configuration reloaded", "pairs", newNames, "config", newCfg.File)
		}
	}
}

// load reads the configuration and the pairs to run.
func (c *daemonCmd) load(g *grammar) (*config.Config, []string, error) {
	cfg, targets, err := g.targets(c.Pairs)
	if err != nil {
		return nil, nil, err
	}
	var names []string
	for _, t := range targets {
		if len(t.collections) > 0 {
			return nil, nil, &cli.UsageError{Err: errWholePairs}
		}
		names = append(names, t.pair.Name)
	}
	return cfg, names, nil
}

// errWholePairs: the daemon's unit is the pair.
var errWholePairs = errors.New("the daemon keeps whole pairs in sync: name pairs, not PAIR/COLLECTION")
