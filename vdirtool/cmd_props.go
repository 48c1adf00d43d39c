package main

import (
	"fmt"
	"strings"

	"github.com/pimsync-go/libsync/cli"
	vdir "github.com/pimsync-go/libvdir"
)

type propsCmd struct {
	Get propsGetCmd `cmd:"" help:"Print a collection's metadata: one property, or all of them."`
	Set propsSetCmd `cmd:"" help:"Write a metadata file atomically; an empty value removes it."`
}

type propsGetCmd struct {
	Collection string `arg:"" type:"existingdir" help:"Collection directory."`
	Name       string `arg:"" optional:"" help:"displayname, color, description or order; all when left out."`
}

type propsSetCmd struct {
	Collection string `arg:"" type:"existingdir" help:"Collection directory."`
	Name       string `arg:"" help:"displayname, color, description or order."`
	Value      string `arg:"" help:"The new value; \"\" removes the property."`
}

// propOut is one line of `vdirtool props`.
type propOut struct {
	Collection string `json:"collection"`
	Name       string `json:"name"`
	Value      string `json:"value"`
}

// metaKey checks a property name against the vdir's metadata files, so that props
// never reads or writes any other file of the collection.
func metaKey(name string) (vdir.MetaKey, error) {
	for _, k := range vdir.MetaKeys {
		if strings.EqualFold(name, string(k)) {
			return k, nil
		}
	}
	var names []string
	for _, k := range vdir.MetaKeys {
		names = append(names, string(k))
	}
	return "", &cli.UsageError{Err: fmt.Errorf("unknown property %q: one of %s", name, strings.Join(names, ", "))}
}

func (cmd *propsGetCmd) Run(e *cli.Env, g *grammar) error {
	c, err := vdir.OpenCollection(cmd.Collection, extFor(g, cmd.Collection))
	if err != nil {
		return err
	}
	keys := vdir.MetaKeys
	if cmd.Name != "" {
		k, err := metaKey(cmd.Name)
		if err != nil {
			return err
		}
		keys = []vdir.MetaKey{k}
	}
	p := cli.NewPrinter(e, "NAME", "VALUE")
	for _, k := range keys {
		v, err := c.Meta(e.Ctx, k)
		if err != nil {
			return err
		}
		out := propOut{Collection: c.Path(), Name: string(k), Value: v}
		if err := p.Emit(out, out.Name, out.Value); err != nil {
			return err
		}
	}
	return p.Flush()
}

func (cmd *propsSetCmd) Run(e *cli.Env, g *grammar) error {
	k, err := metaKey(cmd.Name)
	if err != nil {
		return err
	}
	c, err := vdir.OpenCollection(cmd.Collection, extFor(g, cmd.Collection))
	if err != nil {
		return err
	}
	if err := c.SetMeta(e.Ctx, k, cmd.Value); err != nil {
		return err
	}
	v, err := c.Meta(e.Ctx, k)
	if err != nil {
		return err
	}
	p := cli.NewPrinter(e, "NAME", "VALUE")
	out := propOut{Collection: c.Path(), Name: string(k), Value: v}
	if err := p.Emit(out, out.Name, out.Value); err != nil {
		return err
	}
	return p.Flush()
}
