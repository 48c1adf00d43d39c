package singlefile

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/pimsync-go/libsync/storage"
	"github.com/pimsync-go/libsync/storage/storagetest"
)

func TestContract(t *testing.T) {
	tests := []struct {
		name    string
		ext     string
		vcard   bool
		newItem func(uid, text string) []byte
	}{
		{"calendar", "ics", false, storagetest.Item},
		{"vcard", "vcf", true, storagetest.Card},
		{"calendar per directory", "ics", false, storagetest.Item},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			storagetest.RunWith(t, func(t *testing.T) storage.Storage {
				pattern := filepath.Join(t.TempDir(), "%s."+tt.ext)
				if tt.name == "calendar per directory" {
					pattern = filepath.Join(t.TempDir(), "%s", "calendar."+tt.ext)
				}
				s, err := Open(pattern, tt.vcard)
				if err != nil {
					t.Fatal(err)
				}
				return s
			}, tt.newItem)
		})
	}
}

// TestWatchDirs: where a daemon watches a singlefile storage: the directory of its
// files, and with %s in a directory of the path, each collection's directory too,
// which creating the collection makes.
func TestWatchDirs(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	tests := []struct {
		pattern string
		create  string
		want    []string
	}{
		{"one.ics", "", []string{dir}},
		{"cal-%s.ics", "work", []string{dir}},
		{"%s/calendar.ics", "work", []string{dir, filepath.Join(dir, "work")}},
	}
	for _, tt := range tests {
		t.Run(tt.pattern, func(t *testing.T) {
			s, err := Open(filepath.Join(dir, tt.pattern), false)
			if err != nil {
				t.Fatal(err)
			}
			if tt.create != "" {
				info, err := s.CreateCollection(ctx, tt.create)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := os.Stat(info.Href); err != nil {
					t.Fatalf("collection file: %v", err)
				}
			}
			if got := s.WatchDirs(); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("WatchDirs = %q, want %q", got, tt.want)
			}
		})
	}
}
