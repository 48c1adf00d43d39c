package webcal_test

import (
	"context"
	"strings"
	"testing"

	"github.com/pimsync-go/libsync/dav"
	"github.com/pimsync-go/libsync/webcal"
	"github.com/pimsync-go/libsync/webcal/webcaltest"
	"github.com/pimsync-go/libvdir/item"
)

func TestNormalizeURL(t *testing.T) {
	tests := []struct{ in, want, err string }{
		{in: "webcal://example.com/a.ics", want: "https://example.com/a.ics"},
		{in: "WEBCALS://example.com/a.ics", want: "https://example.com/a.ics"},
		{in: "http://example.com/a.ics", want: "http://example.com/a.ics"},
		{in: "ftp://example.com/a.ics", err: "scheme"},
		{in: "webcal:///a.ics", err: "no host"},
	}
	for _, tt := range tests {
		got, err := webcal.NormalizeURL(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%s: err %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%s: %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestFetch(t *testing.T) {
	srv := webcaltest.New(t)
	c := &dav.Client{}
	ctx := context.Background()
	tests := []struct {
		path  string
		items int
		err   string
	}{
		{path: "/overrides.ics", items: 3},
		{path: "/large.ics", items: 10000},
		{path: "/malformed.ics", err: "missing END:VEVENT"},
		{path: "/missing.ics", err: "404"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			n := 0
			res, err := webcal.Fetch(ctx, c, srv.URL+tt.path, webcal.Cache{}, func(item.Piece) error { n++; return nil })
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) || n != 0 {
					t.Fatalf("err %v after %d items, want %q and none", err, n, tt.err)
				}
				return
			}
			if err != nil || n != tt.items || res.Cache.ETag == "" || res.Hash == "" {
				t.Fatalf("%d items, %+v, %v", n, res, err)
			}
			// Fetched again with the validators: one 304, no item.
			n = 0
			again, err := webcal.Fetch(ctx, c, srv.URL+tt.path, res.Cache, func(item.Piece) error { n++; return nil })
			if err != nil || !again.NotModified || n != 0 || again.Cache != res.Cache {
				t.Fatalf("second fetch: %+v, %d items, %v", again, n, err)
			}
			if all, not := srv.Requests(tt.path); all != 2 || not != 1 {
				t.Errorf("%d requests, %d answered 304", all, not)
			}
		})
	}
}
