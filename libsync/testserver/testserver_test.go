package testserver

import (
	"bytes"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pimsync-go/libvdir/item"
)

// TestServersRun proves both real servers run: create a calendar, PUT an item with the
// preconditions a sync relies on, and GET it back.
func TestServersRun(t *testing.T) {
	data, err := os.ReadFile("../../testdata/calendars/personal/standup-5f1c2d.ics")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range All(t) {
		t.Run(s.Name, func(t *testing.T) {
			cal := s.NewCalendar(t)
			href := cal + "standup.ics"
			ics := map[string]string{"Content-Type": "text/calendar; charset=utf-8"}

			code, h, body := s.Do(t, http.MethodPut, href, data, with(ics, "If-None-Match", "*"))
			if code != http.StatusCreated {
				t.Fatalf("PUT If-None-Match: *: status %d: %s", code, body)
			}
			etag := h.Get("ETag")
			if etag == "" {
				t.Fatal("PUT returned no ETag")
			}
			if code, _, _ := s.Do(t, http.MethodPut, href, data, with(ics, "If-None-Match", "*")); code != http.StatusPreconditionFailed {
				t.Errorf("second create: status %d, want 412", code)
			}
			if code, _, _ := s.Do(t, http.MethodPut, href, data, with(ics, "If-Match", `"not-the-etag"`)); code != http.StatusPreconditionFailed {
				t.Errorf("update with a wrong etag: status %d, want 412", code)
			}

			code, h, got := s.Do(t, http.MethodGet, href, nil, nil)
			if code != http.StatusOK {
				t.Fatalf("GET: status %d", code)
			}
			if h.Get("ETag") != etag {
				t.Errorf("GET etag %q, PUT said %q", h.Get("ETag"), etag)
			}
			if item.UID(got) != item.UID(data) || item.UID(got) == "" {
				t.Errorf("UID %q came back as %q", item.UID(data), item.UID(got))
			}

			if code, _, _ := s.Do(t, http.MethodDelete, href, nil, map[string]string{"If-Match": etag}); code != http.StatusNoContent && code != http.StatusOK {
				t.Errorf("DELETE If-Match: status %d", code)
			}
			if code, _, _ := s.Do(t, http.MethodGet, href, nil, nil); code != http.StatusNotFound {
				t.Errorf("GET after DELETE: status %d, want 404", code)
			}
		})
	}
}

// TestServersKeepTheHash uploads the whole corpus to each server and checks that what
// comes back, reformatted as the server likes, has the same UID and the same item.Hash:
// otherwise every sync would see false changes.
func TestServersKeepTheHash(t *testing.T) {
	kinds := []struct {
		glob, ctype string
		collection  func(Server, testing.TB) string
	}{
		{"../../testdata/calendars/*/*.ics", "text/calendar; charset=utf-8", Server.NewCalendar},
		{"../../testdata/contacts/*/*.vcf", "text/vcard; charset=utf-8", Server.NewAddressBook},
	}
	for _, s := range All(t) {
		t.Run(s.Name, func(t *testing.T) {
			for _, k := range kinds {
				coll := k.collection(s, t)
				files, _ := filepath.Glob(k.glob)
				if len(files) < 4 {
					t.Fatalf("corpus %s has %d files", k.glob, len(files))
				}
				for _, f := range files {
					data, err := os.ReadFile(f)
					if err != nil {
						t.Fatal(err)
					}
					if bytes.Contains(data, []byte("VERSION:2.1")) {
						// CardDAV servers take vCard 3.0 and later only (RFC 6352 §5.1);
						// Radicale refuses 2.1's quoted-printable and drops its bare
						// parameters. 2.1 cards stay a vdir-only case.
						continue
					}
					href := coll + filepath.Base(f)
					code, _, body := s.Do(t, http.MethodPut, href, data, map[string]string{"Content-Type": k.ctype, "If-None-Match": "*"})
					if code != http.StatusCreated {
						t.Errorf("%s: PUT status %d: %s", f, code, body)
						continue
					}
					_, _, got := s.Do(t, http.MethodGet, href, nil, nil)
					if item.UID(got) != item.UID(data) {
						t.Errorf("%s: UID %q came back as %q", f, item.UID(data), item.UID(got))
					}
					if item.Hash(got) != item.Hash(data) {
						t.Errorf("%s: the hash changed; the server returned (exact bytes: %v):\n%s", f, bytes.Equal(got, data), strings.ReplaceAll(string(got), "\r", ""))
					}
				}
			}
		})
	}
}

func with(h map[string]string, k, v string) map[string]string {
	m := map[string]string{k: v}
	for a, b := range h {
		m[a] = b
	}
	return m
}
