package main

import (
	"errors"
	"strings"
	"testing"

	"github.com/pimsync-go/libsync/storage"
)

// TestExplainWeak: only rm has an unconditional form (--force) to offer for a weak
// etag; put and repair must not point at a flag they lack.
func TestExplainWeak(t *testing.T) {
	for op, force := range map[string]bool{"rm": true, "put": false, "repair": false} {
		err := explain(op, "http://h/c/a.ics", `W/"1"`, storage.ErrWeakEtag)
		var ce *conflictError
		if !errors.As(err, &ce) || strings.Contains(err.Error(), "--force") != force || !strings.Contains(err.Error(), "weak") {
			t.Errorf("%s: %v", op, err)
		}
	}
}
