package davstore

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/pimsync-go/libsync/dav"
)

// homeListing serves a home set at home that lists the calendars at hrefs, and refuses
// anything else.
func homeListing(home string, hrefs ...string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != "PROPFIND" || r.URL.Path != home {
			http.Error(w, "no", http.StatusForbidden)
			return
		}
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusMultiStatus)
		var b strings.Builder
		for _, h := range hrefs {
			fmt.Fprintf(&b, `<response><href>%s</href><propstat><prop><resourcetype><collection/><C:calendar/></resourcetype><getctag>"1"</getctag></prop><status>HTTP/1.1 200 OK</status></propstat></response>`, h)
		}
		fmt.Fprintf(w, `<multistatus xmlns="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">%s</multistatus>`, b.String())
	})
}

// TestIDSegment: collection_id_segment picks which segment of a collection's path is
// its ID; IDs that two collections share, or that a path lacks, fail the listing by
// href instead of syncing one collection in another's place.
func TestIDSegment(t *testing.T) {
	google := []string{"/caldav/v2/jane%40example.com/events/", "/caldav/v2/family/events/"}
	tests := []struct {
		name    string
		seg     IDSegment
		home    string
		hrefs   []string
		want    []string // IDs, in listing order
		wantErr []string // in the error, when it fails
	}{
		{"last", LastSegment, "/caldav/v2/", []string{"/caldav/v2/work/", "/caldav/v2/caf%C3%A9/"}, []string{"work", "café"}, nil},
		{"second-last", SecondLastSegment, "/caldav/v2/", google, []string{"jane@example.com", "family"}, nil},
		{"last where every path ends alike", LastSegment, "/caldav/v2/", google, nil,
			[]string{google[0], google[1], `"events"`, "collection_id_segment"}},
		{"second-last of a path with one segment", SecondLastSegment, "/", []string{"/work/"}, nil,
			[]string{"/work/", "second-last"}},
		{"second-last with a slash", SecondLastSegment, "/caldav/v2/", []string{"/caldav/v2/a%2Fb/events/"}, nil,
			[]string{"/caldav/v2/a%2Fb/events/", `"a%2Fb"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hs := httptest.NewServer(homeListing(tt.home, tt.hrefs...))
			defer hs.Close()
			s, err := Known(&dav.Client{}, dav.Calendars, hs.URL+tt.home, hs.URL+tt.home, false)
			if err != nil {
				t.Fatal(err)
			}
			s.SetIDSegment(tt.seg)
			cols, err := s.Collections(context.Background())
			if tt.wantErr != nil {
				if err == nil {
					t.Fatalf("Collections = %+v, want an error", cols)
				}
				for _, w := range tt.wantErr {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q lacks %q", err, w)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for i, c := range cols {
				got = append(got, c.ID)
				if c.Href != tt.hrefs[i] {
					t.Errorf("collection %d at %s, want %s", i, c.Href, tt.hrefs[i])
				}
			}
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("IDs %q, want %q", got, tt.want)
			}
		})
	}
}

// TestCreateSecondLast: a storage that takes IDs from the second-last segment cannot
// know where a new collection's ID would go, so it creates none and says why, without
// asking the server.
func TestCreateSecondLast(t *testing.T) {
	var asked atomic.Int32
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked.Add(1)
		http.Error(w, "no", http.StatusForbidden)
	}))
	defer hs.Close()
	s, err := Known(&dav.Client{}, dav.Calendars, hs.URL+"/caldav/v2/", hs.URL+"/caldav/v2/", false)
	if err != nil {
		t.Fatal(err)
	}
	s.SetIDSegment(SecondLastSegment)
	_, err = s.CreateCollection(context.Background(), "work")
	if err == nil || !strings.Contains(err.Error(), "second-last") || !strings.Contains(err.Error(), "work") {
		t.Fatalf("CreateCollection: %v, want a refusal naming work and second-last", err)
	}
	if n := asked.Load(); n != 0 {
		t.Errorf("the server was asked %d times", n)
	}
}
