// Package webcal fetches a webcal feed (an iCalendar file served over HTTP) and splits
// it into items, with a conditional GET so that an unchanged feed costs one 304.
package webcal

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"strings"

	"github.com/pimsync-go/libsync/dav"
	"github.com/pimsync-go/libvdir/item"
)

// Cache is what a fetch remembers for the next one: the feed's validators.
type Cache = dav.Validators

// Result is what a Fetch found.
type Result struct {
	// NotModified: the server answered 304; no item was passed on.
	NotModified bool
	// Cache is what to send with the next Fetch.
	Cache Cache
	// Hash is the SHA-256 of the feed's bytes ("" after a 304), which tells an
	// unchanged feed from a changed one when the server gives no validators.
	Hash string
}

// NormalizeURL returns the http(s) URL to fetch a feed at: webcal:// and webcals://
// become https:// (they name a feed, not a protocol; most servers serve only
// https). Other schemes than http and https are refused.
func NormalizeURL(raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return "", fmt.Errorf("feed URL %q: %w", raw, err)
	}
	switch strings.ToLower(u.Scheme) {
	case "webcal", "webcals":
		u.Scheme = "https"
	case "http", "https":
	default:
		return "", fmt.Errorf("feed URL %q: scheme must be http, https or webcal", raw)
	}
	if u.Host == "" {
		return "", fmt.Errorf("feed URL %q: no host", raw)
	}
	return u.String(), nil
}

// Fetch gets the feed at rawURL unless the cache says it is unchanged, and calls fn
// with each of its items (item.SplitBytes: one item per UID, with the VTIMEZONEs it
// uses). The whole feed is checked before fn is first called, so a malformed feed
// yields an error and no item. The body is split where it was read, so memory holds
// one copy of the feed.
func Fetch(ctx context.Context, c *dav.Client, rawURL string, cache Cache, fn func(item.Piece) error) (Result, error) {
	u, err := NormalizeURL(rawURL)
	if err != nil {
		return Result{}, err
	}
	body, now, notModified, err := c.GetIfChanged(ctx, u, cache)
	if err != nil {
		return Result{}, fmt.Errorf("fetch feed: %w", err)
	}
	if notModified {
		return Result{NotModified: true, Cache: now}, nil
	}
	sum := sha256.Sum256(body)
	if err := item.SplitBytes(body, fn); err != nil {
		return Result{}, fmt.Errorf("feed %s: %w", dav.Redact(u), err)
	}
	return Result{Cache: now, Hash: hex.EncodeToString(sum[:])}, nil
}
