package vdir

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestMeta(t *testing.T) {
	ctx := context.Background()
	_, c := newCollection(t)
	for _, tt := range []struct {
		key   MetaKey
		value string
	}{
		{DisplayName, "Personal 📅"},
		{Color, "#3A87AD"},
		{Color, "#d9534fff"},
		{Description, "Home, family\nand more"},
		{Order, "1"},
		{Order, "-2.5"},
	} {
		if err := c.SetMeta(ctx, tt.key, "  "+tt.value+"\n"); err != nil {
			t.Fatalf("SetMeta(%s, %q): %v", tt.key, tt.value, err)
		}
		raw, _ := os.ReadFile(filepath.Join(c.Path(), string(tt.key)))
		if string(raw) != tt.value {
			t.Errorf("%s file holds %q, want %q without a newline", tt.key, raw, tt.value)
		}
		if got, err := c.Meta(ctx, tt.key); err != nil || got != tt.value {
			t.Errorf("Meta(%s) = %q, %v; want %q", tt.key, got, err, tt.value)
		}
	}
	noTempFiles(t, c.Path())
	if err := c.RemoveMeta(ctx, Color); err != nil {
		t.Fatal(err)
	}
	if err := c.RemoveMeta(ctx, Color); err != nil {
		t.Fatalf("removing an absent file: %v", err)
	}
	if got, err := c.Meta(ctx, Color); got != "" || err != nil {
		t.Fatalf("Meta after RemoveMeta = %q, %v", got, err)
	}
	if err := c.SetMeta(ctx, Order, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(c.Path(), "order")); !os.IsNotExist(err) {
		t.Fatal("setting an empty value should remove the file")
	}
	if err := c.SetMeta(ctx, "owner", "me"); err == nil {
		t.Fatal("SetMeta accepted an unknown key")
	}
}

func TestMetaInvalid(t *testing.T) {
	ctx := context.Background()
	_, c := newCollection(t)
	tests := []struct {
		key   MetaKey
		value string
	}{
		{Color, "red"},
		{Color, "#F00"},
		{Color, "3A87AD"},
		{Order, "first"},
		{DisplayName, "two\nlines"},
		{DisplayName, "bell\a"},
		{Description, "nul\x00"},
		{Description, "\xff\xfe"},
	}
	var logs bytes.Buffer
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&logs, nil)))
	defer slog.SetDefault(old)
	for _, tt := range tests {
		if err := c.SetMeta(ctx, tt.key, tt.value); err == nil {
			t.Errorf("SetMeta(%s, %q) accepted an invalid value", tt.key, tt.value)
		}
		os.WriteFile(filepath.Join(c.Path(), string(tt.key)), []byte(tt.value), 0o644)
		logs.Reset()
		got, err := c.Meta(ctx, tt.key)
		if got != "" || err != nil {
			t.Errorf("Meta(%s) of %q = %q, %v; want it ignored", tt.key, tt.value, got, err)
		}
		if !strings.Contains(logs.String(), "ignoring invalid collection metadata") ||
			!strings.Contains(logs.String(), filepath.Join(c.Path(), string(tt.key))) {
			t.Errorf("no warning naming the file for %q: %s", tt.value, logs.String())
		}
	}
}
