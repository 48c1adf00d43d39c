package vdir

import (
	"os"
	"path/filepath"
	"testing"
)

// TestReplaceFile: the file is replaced whole with the permission asked, and no
// temporary file is left behind.
func TestReplaceFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "cache")
	for _, data := range []string{"first\n", "second, longer\n"} {
		if err := ReplaceFile(path, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(path)
		if err != nil || string(got) != data {
			t.Fatalf("read %q, %v; want %q", got, err, data)
		}
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, %v; want 0600", fi.Mode(), err)
	}
	if names, _ := os.ReadDir(dir); len(names) != 1 {
		t.Fatalf("%d files in %s; want only the replaced one", len(names), dir)
	}
	if err := ReplaceFile(filepath.Join(dir, "missing", "cache"), nil, 0); err == nil {
		t.Fatal("wrote into a missing directory")
	}
}
