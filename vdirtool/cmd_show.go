package main

import (
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"

	"github.com/pimsync-go/libsync/cli"
	vdir "github.com/pimsync-go/libvdir"
	"github.com/pimsync-go/libvdir/item"
)

type showCmd struct {
	Path string `arg:"" type:"existingfile" help:"Item file."`
}

// showOut is the line of `vdirtool show`.
type showOut struct {
	Path       string `json:"path"`
	UID        string `json:"uid"`
	Component  string `json:"component"`
	Summary    string `json:"summary"`
	Start      string `json:"start"`
	TZID       string `json:"tzid"`
	Recurrence string `json:"recurrence"`
	Size       int    `json:"size"`
	Error      string `json:"error"`
}

func (cmd *showCmd) Run(e *cli.Env, g *grammar) error {
	path, err := filepath.Abs(cmd.Path)
	if err != nil {
		return err
	}
	// Read through the collection, so an item file gets the same checks as in ls
	// (size limit, links leading out of the storage).
	dir, name := filepath.Split(path)
	ext := strings.TrimPrefix(filepath.Ext(name), ".")
	if g.Ext != "" {
		ext = g.Ext
	}
	if ext == "" {
		return &cli.UsageError{Err: fmt.Errorf("%s: an item file name ends in .ics or .vcf", cmd.Path)}
	}
	c, err := vdir.OpenCollection(filepath.Clean(dir), ext)
	if err != nil {
		return err
	}
	it, err := c.Get(e.Ctx, name)
	if err != nil {
		return err
	}
	out := describe(path, it.Data)
	p := cli.NewPrinter(e, "FIELD", "VALUE")
	if e.JSON {
		if err := p.Emit(out); err != nil {
			return err
		}
	} else {
		for _, row := range [][2]string{{"path", out.Path}, {"uid", out.UID}, {"component", out.Component},
			{"summary", out.Summary}, {"start", strings.TrimSpace(out.Start + " " + out.TZID)},
			{"recurrence", out.Recurrence}, {"error", out.Error}} {
			if row[1] != "" {
				if err := p.Emit(nil, row[0], row[1]); err != nil {
					return err
				}
			}
		}
	}
	if err := p.Flush(); err != nil {
		return err
	}
	if out.Error != "" {
		// A malformed item is shown as far as it could be read; the exit status says
		// it is not well formed, as check would.
		slog.Error("malformed item", "path", out.Path, "err", out.Error)
		return cli.ErrReported
	}
	return nil
}

// describe reads what show prints from an item's bytes, without changing them.
func describe(path string, data []byte) showOut {
	info, err := item.Inspect(data)
	out := showOut{Path: path, UID: info.UID, Component: string(info.Kind), Size: len(data)}
	if err != nil {
		out.Error = err.Error()
	}
	props := item.MainProps(data, "SUMMARY", "FN", "DTSTART", "RRULE")
	out.Summary = props["SUMMARY"].Value
	if info.Kind == item.Card {
		out.Summary = props["FN"].Value
	}
	out.Start = props["DTSTART"].Value
	out.TZID = props["DTSTART"].Param("TZID")
	out.Recurrence = props["RRULE"].Value
	return out
}
