package vdir

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MetaKey names a collection metadata file.
type MetaKey string

// The metadata files of the vdir specification.
const (
	DisplayName MetaKey = "displayname"
	Color       MetaKey = "color"
	Description MetaKey = "description"
	Order       MetaKey = "order"
)

// MetaKeys lists every metadata key in a stable order.
var MetaKeys = []MetaKey{DisplayName, Color, Description, Order}

// maxMetaSize bounds a metadata file; real values are a few bytes.
const maxMetaSize = 64 << 10

func isMetaName(name string) bool {
	for _, k := range MetaKeys {
		if string(k) == name {
			return true
		}
	}
	return false
}

var (
	// colorRE accepts the specification's #RRGGBB and the #RRGGBBAA that CalDAV servers
	// (Apple's calendar-color, Nextcloud) hand out and vdirsyncer stores as it is.
	colorRE = regexp.MustCompile(`^#[0-9A-Fa-f]{6}([0-9A-Fa-f]{2})?$`)
	// orderRE accepts the integers of Apple's calendar-order, and decimals.
	orderRE = regexp.MustCompile(`^[+-]?[0-9]+(\.[0-9]+)?$`)
)

// ValidateMeta reports whether value, already trimmed, is valid for key.
func ValidateMeta(key MetaKey, value string) error {
	if !utf8.ValidString(value) {
		return errors.New("not valid UTF-8")
	}
	switch key {
	case Color:
		if !colorRE.MatchString(value) {
			return fmt.Errorf("color %q is not of the form #RRGGBB", value)
		}
	case Order:
		if !orderRE.MatchString(value) {
			return fmt.Errorf("order %q is not a number", value)
		}
	case DisplayName:
		if i := strings.IndexFunc(value, unicode.IsControl); i >= 0 {
			return fmt.Errorf("display name contains the control character %U", []rune(value[i:])[0])
		}
	case Description:
		bad := func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' }
		if i := strings.IndexFunc(value, bad); i >= 0 {
			return fmt.Errorf("description contains the control character %U", []rune(value[i:])[0])
		}
	default:
		return fmt.Errorf("unknown metadata %q", string(key))
	}
	return nil
}

// readMeta returns the trimmed content of a metadata file, "" when it is absent, and
// an error wrapping ErrSymlinkOutside, ErrTooLarge or an I/O error.
func (c *Collection) readMeta(key MetaKey) (string, error) {
	if !isMetaName(string(key)) {
		return "", fmt.Errorf("vdir: unknown metadata %q", string(key))
	}
	path := filepath.Join(c.path, string(key))
	target, _, err := resolve(path, c.allowed)
	if errors.Is(err, ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("vdir: read %s: %w", path, err)
	}
	data, _, err := readFile(target, maxMetaSize)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", nil
		}
		return "", fmt.Errorf("vdir: read %s: %w", path, err)
	}
	return strings.TrimSpace(string(data)), nil
}

// Meta returns a metadata value, trimmed, or "" when the file is absent. An invalid
// value is ignored with a warning, as the specification asks of readers: a sync then
// treats the property as unset instead of spreading junk to a server.
func (c *Collection) Meta(ctx context.Context, key MetaKey) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	v, err := c.readMeta(key)
	if err != nil {
		return "", err
	}
	if v == "" {
		return "", nil
	}
	if err := ValidateMeta(key, v); err != nil {
		slog.WarnContext(ctx, "ignoring invalid collection metadata", "path", filepath.Join(c.path, string(key)), "err", err)
		return "", nil
	}
	return v, nil
}

// SetMeta writes a metadata value atomically. The value is trimmed and must be valid for
// key; it is stored without a trailing newline, as vdirsyncer stores it.
func (c *Collection) SetMeta(ctx context.Context, key MetaKey, value string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	path := filepath.Join(c.path, string(key))
	value = strings.TrimSpace(value)
	if value == "" {
		return c.RemoveMeta(ctx, key)
	}
	if err := ValidateMeta(key, value); err != nil {
		return fmt.Errorf("vdir: write %s: %w", path, err)
	}
	// A link leading outside must not be replaced: removing it is the user's call.
	if _, _, err := resolve(path, c.allowed); err != nil && !errors.Is(err, ErrNotFound) {
		return fmt.Errorf("vdir: write %s: %w", path, err)
	}
	tmp, _, err := writeTemp(c.path, string(key), []byte(value), 0)
	if err != nil {
		return fmt.Errorf("vdir: write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("vdir: write %s: %w", path, err)
	}
	syncDir(c.path)
	return nil
}

// RemoveMeta deletes a metadata file; an absent one is not an error.
func (c *Collection) RemoveMeta(ctx context.Context, key MetaKey) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if !isMetaName(string(key)) {
		return fmt.Errorf("vdir: unknown metadata %q", string(key))
	}
	path := filepath.Join(c.path, string(key))
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("vdir: remove %s: %w", path, err)
	}
	syncDir(c.path)
	return nil
}
