package singlefile

import (
	"path/filepath"
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
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			storagetest.RunWith(t, func(t *testing.T) storage.Storage {
				s, err := Open(filepath.Join(t.TempDir(), "%s."+tt.ext), tt.vcard)
				if err != nil {
					t.Fatal(err)
				}
				return s
			}, tt.newItem)
		})
	}
}
