package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"

	"github.com/pimsync-go/libsync/config"
)

// LoadConfig reads pimsync.conf at path, or at config.DefaultPath when path is empty,
// for a tool's -c flag. Every problem with it is a UsageError: nothing runs until it
// is fixed. A file that others can read while it holds a literal password gets a
// warning, not a refusal: the user may accept the risk (a single-user machine), and
// refusing would break a working setup.
func LoadConfig(path string) (*config.Config, error) {
	cfg, path, err := readConfig(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, &UsageError{Err: fmt.Errorf("no configuration at %s (give one with -c FILE)", path)}
	}
	if err != nil {
		return nil, &UsageError{Err: err}
	}
	if fi, err := os.Stat(cfg.File); err == nil {
		if name := cfg.ExposedSecret(fi.Mode()); name != "" {
			slog.Warn("the configuration holds a password that other users can read: chmod 600 it, or give the password as password { cmd … }",
				"file", cfg.File, "mode", fi.Mode().Perm().String(), "storage", name)
		}
	}
	return cfg, nil
}

// readConfig reads pimsync.conf at path, or at config.DefaultPath when path is empty,
// and returns it with the path it read; it warns of nothing, so completion can use it
// without printing over the command line.
func readConfig(path string) (*config.Config, string, error) {
	if path == "" {
		p, err := config.DefaultPath()
		if err != nil {
			return nil, "", err
		}
		path = p
	}
	cfg, err := config.Load(path)
	return cfg, path, err
}
