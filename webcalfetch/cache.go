package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/pimsync-go/libsync/webcal"
	vdir "github.com/pimsync-go/libvdir"
)

// cacheFile is what --cache FILE holds: the validators of the last feed fetched.
type cacheFile struct {
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"last_modified,omitempty"`
}

// readCache reads --cache FILE; a missing file is an empty cache (a first run).
func readCache(path string) (webcal.Cache, error) {
	if path == "" {
		return webcal.Cache{}, nil
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return webcal.Cache{}, nil
	}
	if err != nil {
		return webcal.Cache{}, fmt.Errorf("cache: %w", err)
	}
	var cf cacheFile
	if err := json.Unmarshal(data, &cf); err != nil {
		return webcal.Cache{}, fmt.Errorf("cache %s: %w (remove it to fetch the feed in full)", path, err)
	}
	return webcal.Cache{ETag: cf.ETag, LastModified: cf.LastModified}, nil
}

// writeCache replaces --cache FILE atomically and durably (vdir.ReplaceFile), so that
// a crash leaves the old cache or the new one, never half of one. It is written only
// after the items were printed or written, so a failed run fetches in full again.
func writeCache(path string, c webcal.Cache) error {
	if path == "" {
		return nil
	}
	data, err := json.Marshal(cacheFile{ETag: c.ETag, LastModified: c.LastModified})
	if err != nil {
		return err
	}
	if err := vdir.ReplaceFile(path, append(data, '\n'), 0o600); err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	return nil
}
