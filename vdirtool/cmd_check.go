package main

import (
	"github.com/pimsync-go/libsync/cli"
	vdir "github.com/pimsync-go/libvdir"
)

type checkCmd struct {
	Path string `arg:"" type:"existingdir" help:"Storage root or collection directory."`
}

// problemOut is one line of `vdirtool check`.
type problemOut struct {
	Path    string `json:"path"`
	Problem string `json:"problem"`
	Detail  string `json:"detail"`
}

func (cmd *checkCmd) Run(e *cli.Env, g *grammar) error {
	ext := extFor(g, cmd.Path)
	isColl, err := vdir.IsCollection(cmd.Path, ext)
	if err != nil {
		return err
	}
	var problems []vdir.Problem
	if isColl {
		c, err := vdir.OpenCollection(cmd.Path, ext)
		if err != nil {
			return err
		}
		problems, err = c.Check(e.Ctx)
		if err != nil {
			return err
		}
	} else {
		s, err := vdir.Open(cmd.Path, ext)
		if err != nil {
			return err
		}
		problems, err = s.Check(e.Ctx)
		if err != nil {
			return err
		}
	}
	p := cli.NewPrinter(e, "PROBLEM", "PATH", "DETAIL")
	for _, pr := range problems {
		out := problemOut{Path: pr.Path, Problem: pr.Code, Detail: pr.Detail}
		if err := p.Emit(out, out.Problem, out.Path, out.Detail); err != nil {
			return err
		}
	}
	if err := p.Flush(); err != nil {
		return err
	}
	if len(problems) > 0 {
		return cli.ErrReported
	}
	return nil
}
