package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sort"

	"github.com/pimsync-go/libsync/cli"
	vdir "github.com/pimsync-go/libvdir"
	"github.com/pimsync-go/libvdir/item"
)

type repairCmd struct {
	Path   string `arg:"" complete:"dirs" help:"Storage root or collection directory, or - to repair the items named by 'vdirtool check --json' lines on standard input."`
	DryRun bool   `short:"n" name:"dry-run" help:"Show what would change; write nothing."`
	Rename bool   `help:"Also rename repaired items, and items with unsafe file names, to a safe name made from their UID (never over an existing file)."`
}

// repairOut is one line of `vdirtool repair`.
type repairOut struct {
	Path    string `json:"path"`
	Problem string `json:"problem"`
	OldUID  string `json:"old_uid"`
	UID     string `json:"uid"`
	Kept    string `json:"kept"`
	Etag    string `json:"etag"`
	Written bool   `json:"written"`
	Renamed string `json:"renamed"`
	Error   string `json:"error"`
}

func (cmd *repairCmd) Run(e *cli.Env, g *grammar) error {
	var targets map[string]map[string]bool // collection dir → item names; nil: every item
	var dirs []string
	if cmd.Path == "-" {
		var err error
		if targets, err = readCheckLines(e, cmd.Rename); err != nil {
			return err
		}
		for d := range targets {
			dirs = append(dirs, d)
		}
		sort.Strings(dirs)
	} else {
		cols, err := collectionsAt(e, g, cmd.Path)
		if err != nil {
			return err
		}
		for _, c := range cols {
			dirs = append(dirs, c.Path())
		}
	}
	p := cli.NewPrinter(e, "PROBLEM", "PATH", "UID", "RENAMED", "ERROR")
	failed := 0
	for _, dir := range dirs {
		var only map[string]bool
		if targets != nil {
			only = targets[dir]
		}
		outs, err := cmd.repairCollection(e.Ctx, g, dir, only)
		if err != nil {
			slog.Error("cannot repair collection", "collection", dir, "err", err)
			failed++
			continue
		}
		for _, out := range outs {
			if out.Error != "" {
				failed++
			}
			if err := p.Emit(out, out.Problem, out.Path, out.UID, out.Renamed, out.Error); err != nil {
				return err
			}
		}
	}
	if err := p.Flush(); err != nil {
		return err
	}
	if failed > 0 {
		return cli.ErrReported
	}
	return nil
}

// readCheckLines reads `vdirtool check --json` output and returns the items it names
// with a problem repair fixes, by collection directory. Other problems need a person
// (a parse error, several items in one file) and are only counted.
func readCheckLines(e *cli.Env, rename bool) (map[string]map[string]bool, error) {
	targets := map[string]map[string]bool{}
	sc := bufio.NewScanner(e.Stdin)
	sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
	line, ignored := 0, 0
	for sc.Scan() {
		line++
		var pr problemOut
		if err := json.Unmarshal(sc.Bytes(), &pr); err != nil {
			return nil, &cli.UsageError{Err: fmt.Errorf("standard input line %d: not a line of 'vdirtool check --json': %v", line, err)}
		}
		if pr.Path == "" {
			return nil, &cli.UsageError{Err: fmt.Errorf("standard input line %d: not a line of 'vdirtool check --json': no path", line)}
		}
		switch {
		case pr.Problem == vdir.ProblemNoUID, pr.Problem == vdir.ProblemDuplicateUID,
			pr.Problem == vdir.ProblemUnsafeFilename && rename:
		default:
			ignored++
			continue
		}
		abs, err := filepath.Abs(pr.Path)
		if err != nil {
			return nil, err
		}
		dir, name := filepath.Split(abs)
		dir = filepath.Clean(dir)
		if targets[dir] == nil {
			targets[dir] = map[string]bool{}
		}
		targets[dir][name] = true
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read standard input: %w", err)
	}
	if ignored > 0 {
		slog.Info("problems repair does not fix were left alone", "count", ignored)
	}
	return targets, nil
}

// repairCollection gives new UIDs in the collection at dir (to the items in only, when
// set; the plan still sees every item, so a duplicate is found whichever copies are
// named), then renames when asked. Each write replaces the file atomically and only if
// its etag is still the one read.
func (cmd *repairCmd) repairCollection(ctx context.Context, g *grammar, dir string, only map[string]bool) ([]repairOut, error) {
	// Absolute paths, so that output paths match check's.
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	c, err := vdir.OpenCollection(abs, extFor(g, abs))
	if err != nil {
		return nil, err
	}
	fixes, err := planFixes(ctx, c)
	if err != nil {
		return nil, err
	}
	var outs []repairOut
	fixed := map[string]int{} // name → index in outs
	for _, f := range fixes {
		if only != nil && !only[f.name] {
			continue
		}
		out := repairOut{Path: filepath.Join(abs, f.name), Problem: f.Problem, OldUID: f.OldUID, UID: f.UID}
		if f.Kept != "" {
			out.Kept = filepath.Join(abs, f.Kept)
		}
		if !cmd.DryRun {
			if etag, err := c.Update(ctx, f.name, f.etag, f.Data); err != nil {
				out.Error = err.Error()
			} else {
				out.Etag, out.Written = etag, true
			}
		}
		fixed[f.name] = len(outs)
		outs = append(outs, out)
	}
	if !cmd.Rename {
		return outs, nil
	}
	return cmd.renameAll(ctx, c, only, outs, fixed)
}

// renameAll renames repaired items to the safe name of their new UID, and items with
// unsafe names to that of their UID. An item whose safe name is taken keeps its name
// and reports why: renaming never replaces a file.
func (cmd *repairCmd) renameAll(ctx context.Context, c *vdir.Collection, only map[string]bool, outs []repairOut, fixed map[string]int) ([]repairOut, error) {
	l, err := c.List(ctx)
	if err != nil {
		return nil, err
	}
	for _, entry := range l.Items {
		i, ok := fixed[entry.Name]
		if ok {
			out := &outs[i]
			if out.Error != "" || (!out.Written && !cmd.DryRun) {
				continue
			}
			out.Renamed, out.Error = cmd.renameOne(ctx, c, entry.Name, out.Etag, out.UID)
			continue
		}
		if vdir.NameProblem(entry.Name, c.Ext()) == "" || only != nil && !only[entry.Name] {
			continue
		}
		it, err := c.Get(ctx, entry.Name)
		if err != nil {
			outs = append(outs, repairOut{Path: filepath.Join(c.Path(), entry.Name), Problem: vdir.ProblemUnsafeFilename, Error: err.Error()})
			continue
		}
		uid := item.UID(it.Data)
		if uid == "" {
			continue // repair gives it a UID first; this one could not get one
		}
		out := repairOut{Path: filepath.Join(c.Path(), entry.Name), Problem: vdir.ProblemUnsafeFilename, OldUID: uid, UID: uid, Etag: it.Etag}
		out.Renamed, out.Error = cmd.renameOne(ctx, c, entry.Name, it.Etag, uid)
		outs = append(outs, out)
	}
	return outs, nil
}

// renameOne renames name to the safe name of uid and returns the new path, or the
// error as text; in a dry run it only returns the path.
func (cmd *repairCmd) renameOne(ctx context.Context, c *vdir.Collection, name, etag, uid string) (string, string) {
	to := vdir.SafeName(uid, c.Ext())
	if to == name {
		return "", ""
	}
	if cmd.DryRun {
		return filepath.Join(c.Path(), to), ""
	}
	if err := c.Rename(ctx, name, etag, to); err != nil {
		if errors.Is(err, vdir.ErrExists) {
			return "", fmt.Sprintf("not renamed: %v", err)
		}
		return "", err.Error()
	}
	return filepath.Join(c.Path(), to), ""
}
