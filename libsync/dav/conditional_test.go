package dav

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// TestGetIfChanged: a feed server that knows only Last-Modified (many static file
// servers) or only ETag answers 304 to the second fetch; after a change, the new body
// and validators come back. A 304 to a request that named no validator is not taken
// for "unchanged".
func TestGetIfChanged(t *testing.T) {
	for _, mode := range []string{"last-modified", "etag"} {
		t.Run(mode, func(t *testing.T) {
			modified := time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)
			body := []byte("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
			var asked []http.Header
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				asked = append(asked, r.Header.Clone())
				if mode == "etag" {
					w.Header().Set("ETag", fmt.Sprintf(`"v%d"`, len(body)))
					http.ServeContent(w, r, "feed.ics", time.Time{}, bytes.NewReader(body))
					return
				}
				http.ServeContent(w, r, "feed.ics", modified, bytes.NewReader(body))
			}))
			defer srv.Close()
			c := &Client{}
			ctx := context.Background()

			got, v, notModified, err := c.GetIfChanged(ctx, srv.URL, Validators{})
			if err != nil || notModified || !bytes.Equal(got, body) {
				t.Fatalf("first fetch: %q %v %v", got, notModified, err)
			}
			if mode == "etag" && (v.ETag == "" || v.LastModified != "") || mode == "last-modified" && (v.LastModified == "" || v.ETag != "") {
				t.Fatalf("validators %+v", v)
			}
			got, v2, notModified, err := c.GetIfChanged(ctx, srv.URL, v)
			if err != nil || !notModified || got != nil || v2 != v {
				t.Fatalf("unchanged: %q %v %+v %v", got, notModified, v2, err)
			}
			if h := asked[1]; mode == "etag" && h.Get("If-None-Match") != v.ETag || mode == "last-modified" && h.Get("If-Modified-Since") != v.LastModified {
				t.Errorf("second request's headers: %v", h)
			}

			body = []byte("BEGIN:VCALENDAR\r\nX-CHANGED:1\r\nEND:VCALENDAR\r\n")
			modified = modified.Add(time.Hour)
			got, v3, notModified, err := c.GetIfChanged(ctx, srv.URL, v)
			if err != nil || notModified || !bytes.Equal(got, body) || v3 == v {
				t.Fatalf("changed: %q %v %+v %v", got, notModified, v3, err)
			}
		})
	}
}

// A 304 to a request that named no validator cannot mean "unchanged since last time":
// it is an error, not an empty feed.
func TestGetIfChangedStray304(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNotModified)
	}))
	defer srv.Close()
	if _, _, notModified, err := (&Client{}).GetIfChanged(context.Background(), srv.URL, Validators{}); err == nil || notModified {
		t.Errorf("stray 304: not modified %v, err %v", notModified, err)
	}
}
