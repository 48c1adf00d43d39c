package vdir

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestReadDirect: a file reads whole, to the byte, at sizes around those where the
// single read stops short of its buffer and is taken for the end.
func TestReadDirect(t *testing.T) {
	dir := t.TempDir()
	for _, size := range []int{0, 1, 2, 4095, 4096, 4097, 65536, 1<<20 + 3} {
		data := bytes.Repeat([]byte("0123456789abcdef"), size/16+1)[:size]
		path := filepath.Join(dir, "item.ics")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		got, etag, err := readDirect(path, 2<<20)
		if err != nil || !bytes.Equal(got, data) || etag == "" {
			t.Errorf("size %d: read %d bytes (equal %v), etag %q, %v", size, len(got), bytes.Equal(got, data), etag, err)
		}
	}
}
