package vdirstore

import (
	"bytes"
	"context"
	"log/slog"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// HookTimeout bounds one run of a post_hook, so that a hook that hangs cannot stall a
// sync; the hook is killed after it.
const HookTimeout = time.Minute

// hookOutputMax is how much of a failed hook's output is logged.
const hookOutputMax = 4096

// SetPostHook makes every Create and Update of the storage's collections run prog with
// the item file's path as its only argument, once the file is in place (vdirsyncer's
// post_hook). prog runs directly, never through a shell, so nothing in an item's name
// is interpreted; a name without a slash is looked up in PATH. A hook that fails is
// logged as a warning and never fails the write: the item is already stored, and
// failing would only make the sync write it again. "" turns the hook off. Call it
// before the storage is used.
func (s *Storage) SetPostHook(prog string) { s.postHook = prog }

// runPostHook runs the hook, if any, for the item file name of c.
func (c *Collection) runPostHook(ctx context.Context, name string) {
	if c.postHook == "" {
		return
	}
	path := filepath.Join(c.c.Path(), name)
	ctx, cancel := context.WithTimeout(ctx, HookTimeout) // a stopped sync stops its hook too
	defer cancel()
	cmd := exec.CommandContext(ctx, c.postHook, path)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.WaitDelay = time.Second // a hook's child that keeps the output open must not hang us
	if err := cmd.Run(); err != nil {
		text := out.String()
		if len(text) > hookOutputMax {
			text = text[:hookOutputMax] + "…"
		}
		slog.WarnContext(ctx, "post_hook failed; the item is stored", "hook", c.postHook, "item", path,
			"err", err, "output", strings.TrimSpace(text))
	}
}
