package item

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// addCorpus seeds a fuzz target with every item of the shared testdata.
func addCorpus(f *testing.F) {
	for _, pattern := range []string{"calendars/*/*.ics", "contacts/*/*.vcf", "bad/*.ics"} {
		files, _ := filepath.Glob(filepath.Join(corpus, pattern))
		for _, file := range files {
			data, err := os.ReadFile(file)
			if err != nil || len(data) > 64<<10 {
				continue
			}
			f.Add(data)
		}
	}
	f.Add([]byte("BEGIN:VCARD\nitem1.UID;X=\"a:b\":u\nNOTE;QUOTED-PRINTABLE:a=\nb\nEND:VCARD\n"))
}

// refold folds every physical line after each n bytes, the way another writer might.
// Line breaks come out as LF.
func refold(data []byte, n int) []byte {
	data = bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
	data = bytes.ReplaceAll(data, []byte("\r"), []byte("\n"))
	var out []byte
	for i, phys := range bytes.Split(data, []byte("\n")) {
		if i > 0 {
			out = append(out, '\n')
		}
		for len(phys) > n {
			out = append(out, phys[:n]...)
			out = append(out, "\r\n "...)
			phys = phys[n:]
		}
		out = append(out, phys...)
	}
	return out
}

func FuzzInspect(f *testing.F) {
	addCorpus(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		info, err := Inspect(data)
		if info.UID != strings.TrimSpace(info.UID) || strings.ContainsAny(info.UID, "\r\n") {
			t.Fatalf("UID %q has white space around it or a line break", info.UID)
		}
		if (info.UID == "") != (len(info.UIDs) == 0) || (info.UID != "" && info.UIDs[0] != info.UID) {
			t.Fatalf("UID %q disagrees with UIDs %q", info.UID, info.UIDs)
		}
		if len(info.UIDs)+info.MissingUID > info.Components {
			t.Fatalf("%d UIDs and %d without UID in %d components", len(info.UIDs), info.MissingUID, info.Components)
		}
		if err == nil && info.Kind == "" {
			t.Fatal("no error, but no main component either")
		}
		if err != nil {
			if _, ok := err.(*SyntaxError); !ok {
				t.Fatalf("error %T is not a *SyntaxError", err)
			}
		}
		// Folding is formatting: it must not change what Inspect finds.
		if again, _ := Inspect(refold(data, 7)); again.UID != info.UID || again.Kind != info.Kind {
			t.Fatalf("refolded: UID %q kind %q, was %q %q", again.UID, again.Kind, info.UID, info.Kind)
		}
	})
}

func FuzzHash(f *testing.F) {
	addCorpus(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		h := Hash(data)
		if len(h) != 64 {
			t.Fatalf("hash %q", h)
		}
		if lf := bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n")); Hash(lf) != h {
			t.Fatal("CRLF to LF changed the hash")
		}
		if Hash(refold(data, 5)) != h {
			t.Fatal("refolding changed the hash")
		}
		info, err := Inspect(data)
		info2, h2, err2 := InspectHash(data)
		if h2 != h || !reflect.DeepEqual(info2, info) || fmt.Sprint(err2) != fmt.Sprint(err) {
			t.Fatalf("InspectHash gave %q %+v %v, Hash and Inspect %q %+v %v", h2, info2, err2, h, info, err)
		}
	})
}
