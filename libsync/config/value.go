package config

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pimsync-go/libsync/scfg"
)

// maxOutput bounds what a command may print: a secret or a path is short, and a command
// that prints without end must not take the memory with it.
const maxOutput = 1 << 20

// Value is the value of url, username, password, path or status_path: either a literal,
// or a command whose output is the value, so that secrets need not sit in the file.
// Exactly one of Literal, Cmd and Shell is meant; when Cmd or Shell is set, Literal is
// empty.
type Value struct {
	Literal string
	Cmd     []string // { cmd PROG ARGS… }: PROG run directly with ARGS
	Shell   string   // { shell SCRIPT }: run by sh -c; unquoted words are joined by spaces
	IsPath  bool     // path and status_path: a leading ~ is the home directory

	Name      string // the directive, for messages
	File      string // where the directive was read; empty for values built by hand
	Line, Col int
}

// IsSet reports whether the value was given. A value read from a file is set even when
// its literal is empty (password "").
func (v Value) IsSet() bool {
	return v.Literal != "" || len(v.Cmd) > 0 || v.Shell != "" || v.Line != 0
}

// String describes the value for logs without running anything or showing a literal
// that could be a secret.
func (v Value) String() string {
	switch {
	case len(v.Cmd) > 0:
		return "{ cmd " + scfg.Quote(v.Cmd[0]) + " … }"
	case v.Shell != "":
		return "{ shell … }"
	case v.IsPath && v.Literal != "":
		return v.Literal
	case v.Literal != "" || v.Line != 0:
		return "(literal)"
	}
	return "(unset)"
}

// Resolve returns the value: the literal as it is, or what the command prints on standard
// output without one trailing newline (LF or CRLF). Commands run with no standard input
// and the environment of this process, and are killed when ctx ends. For IsPath values a
// leading "~" or "~/" becomes the home directory ($HOME).
//
// A command that fails, or prints nothing, is an error that names the directive's
// position, the program and its exit status and the first line of its standard error,
// but never what it printed on standard output, which may be a secret.
func (v Value) Resolve(ctx context.Context) (string, error) {
	s := v.Literal
	switch {
	case len(v.Cmd) > 0:
		out, err := v.run(ctx, exec.CommandContext(ctx, v.Cmd[0], v.Cmd[1:]...), "command "+scfg.Quote(v.Cmd[0]))
		if err != nil {
			return "", err
		}
		s = out
	case v.Shell != "":
		out, err := v.run(ctx, exec.CommandContext(ctx, "sh", "-c", v.Shell), "shell script")
		if err != nil {
			return "", err
		}
		s = out
	}
	if v.IsPath {
		return v.expandHome(s)
	}
	return s, nil
}

// where prefixes messages about v with its position and directive.
func (v Value) where() string {
	if v.File == "" {
		return v.Name
	}
	return fmt.Sprintf("%s:%d:%d: %s", v.File, v.Line, v.Col, v.Name)
}

func (v Value) run(ctx context.Context, cmd *exec.Cmd, what string) (string, error) {
	stdout := &capped{max: maxOutput}
	stderr := &capped{max: 64 << 10}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	// A child that leaves a grandchild holding the pipes open must not hang us once
	// the context is done.
	cmd.WaitDelay = time.Second
	err := cmd.Run()
	if err != nil {
		if ctx.Err() != nil {
			return "", fmt.Errorf("%s: %s: %w", v.where(), what, ctx.Err())
		}
		return "", fmt.Errorf("%s: %s failed: %w%s", v.where(), what, err, firstLine(stderr.buf.Bytes()))
	}
	if stdout.over {
		return "", fmt.Errorf("%s: %s printed more than %d bytes", v.where(), what, maxOutput)
	}
	out := stdout.buf.String()
	if strings.HasSuffix(out, "\r\n") {
		out = out[:len(out)-2]
	} else {
		out = strings.TrimSuffix(out, "\n")
	}
	if out == "" {
		return "", fmt.Errorf("%s: %s printed nothing%s", v.where(), what, firstLine(stderr.buf.Bytes()))
	}
	return out, nil
}

// firstLine returns ": " and the first non-blank line of a command's standard error,
// shortened, or nothing.
func firstLine(b []byte) string {
	b = bytes.TrimLeft(b, " \t\r\n")
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		b = b[:i]
	}
	b = bytes.TrimRight(b, " \t\r")
	if len(b) > 200 {
		b = b[:200]
		for len(b) > 0 && !utf8.Valid(b) {
			b = b[:len(b)-1] // do not cut a character in two
		}
		b = append(b, "…"...)
	}
	if len(b) == 0 {
		return ""
	}
	return ": " + strings.ToValidUTF8(string(b), "\uFFFD")
}

func (v Value) expandHome(s string) (string, error) {
	if s != "~" && !strings.HasPrefix(s, "~/") {
		return s, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("%s: cannot expand ~: %w", v.where(), err)
	}
	return strings.TrimSuffix(home, "/") + s[1:], nil
}

// capped keeps the first max bytes written to it and notes whether there were more; it
// never fails, so the command is not killed by a broken pipe.
type capped struct {
	buf  bytes.Buffer
	max  int
	over bool
}

func (c *capped) Write(p []byte) (int, error) {
	if room := c.max - c.buf.Len(); len(p) > room {
		c.over = true
		c.buf.Write(p[:max(room, 0)])
	} else {
		c.buf.Write(p)
	}
	return len(p), nil
}

// value reads a Value from directive d, which directives() has checked: one parameter,
// or a block. The block must hold exactly one cmd or shell directive.
func (p *parser) value(d *scfg.Directive, isPath bool) Value {
	v := Value{Name: d.Name, IsPath: isPath, File: p.file, Line: d.Line, Col: d.Col}
	if len(d.Children) == 0 {
		v.Literal = d.Params[0]
		return v
	}
	where := d.Name + " block"
	if len(d.Children) > 1 {
		c := d.Children[1]
		p.errorf(c.Line, c.Col, "%s must hold exactly one cmd or shell directive", where)
		return v
	}
	c := d.Children[0]
	switch c.Name {
	case "cmd":
		switch {
		case len(c.Children) > 0:
			p.at(c.Children[0], "cmd takes no block")
		case len(c.Params) == 0:
			p.at(c, "cmd needs a program: cmd PROG [ARGS…]")
		case c.Params[0] == "":
			p.atParam(c, 0, "cmd's program name is empty")
		default:
			v.Cmd = c.Params
		}
	case "shell":
		switch {
		case len(c.Children) > 0:
			p.at(c.Children[0], "shell takes no block")
		case strings.TrimSpace(strings.Join(c.Params, "")) == "":
			p.at(c, "shell needs a script: shell SCRIPT")
		default:
			// pimsync's own example writes scripts unquoted (shell pass show x | head -1),
			// so the words are joined again; quoting the whole script keeps its quotes.
			v.Shell = strings.Join(c.Params, " ")
		}
	default:
		p.at(c, "unknown directive %s in %s: expected cmd PROG [ARGS…] or shell SCRIPT", scfg.Quote(c.Name), where)
	}
	return v
}
