package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/pimsync-go/libsync/cli"
	"github.com/pimsync-go/libsync/dav"
)

// jsonLinesSeeds are inputs as the tools chained through "-" print them, and broken ones.
var jsonLinesSeeds = []string{
	"",
	"\n\n  \r\n",
	`{"kind":"caldav","url":"https://dav.example.com/cal/me/work/","display_name":"Work"}` + "\n",
	`{"collection":"https://dav.example.com/cal/w/","url":"https://dav.example.com/cal/w/a.ics","etag":"\"1\"","content_type":"text/calendar"}` + "\r\n" +
		`{"collection":"https://dav.example.com/cal/w/","href":"b.ics"}`,
	`{"change":"deleted","href":"/cal/w/gone.ics"}` + "\n" + `{"change":"token","collection":"/cal/w/","token":"http://x/sync/1"}` + "\n",
	`{"service":"caldav","context_url":"https://dav.example.com/","collections":[{"href":"/cal/me/work/"},{"url":"https://dav.example.com/cal/me/home/"}]}`,
	"{\"url\":\"/a\"}\nnot json\n{\"url\":\"/b\"}\n",
	"[1,2]\n", "null\n", "\"s\"\n", "{\"a\":1}{\"b\":2}\n", "{\"a\":1e999}\n", "{\"url\":\"\xff\"}\n",
	`{"url":"ftp://x/"}`, `{"collections":[1,null,{"href":7}]}`, `{"url":"%zz"}`,
}

// FuzzScanLines checks scanLines against the contract its callers rely on: it never
// panics; it calls fn with each non-blank line, numbered as the line's place in the
// input (blank lines counted), in order; it stops at the first line that is not a JSON
// object with an error that names that line's number; and it passes fn's error on as it is.
func FuzzScanLines(f *testing.F) {
	for _, s := range jsonLinesSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, input string) {
		errStop := errors.New("stop")
		type call struct {
			num  int
			line map[string]any
		}
		var got []call
		err := scanLines(strings.NewReader(input), func(num int, line map[string]any) error {
			got = append(got, call{num, line})
			if _, stop := line["stop"]; stop {
				return errStop
			}
			return nil
		})

		// What the contract says, line by line: bufio.ScanLines's lines, a CR before
		// each newline dropped.
		lines := strings.Split(input, "\n")
		if strings.HasSuffix(input, "\n") {
			lines = lines[:len(lines)-1]
		}
		var want []call
		var wantErr string
		for i, l := range lines {
			l = strings.TrimSuffix(l, "\r")
			if strings.TrimSpace(l) == "" {
				continue
			}
			var v any
			if json.Unmarshal([]byte(l), &v) != nil {
				wantErr = fmt.Sprintf("stdin line %d: ", i+1)
				break
			}
			m, isObject := v.(map[string]any)
			if !isObject && v != nil { // null reads as an empty object
				wantErr = fmt.Sprintf("stdin line %d: ", i+1)
				break
			}
			want = append(want, call{i + 1, m})
			if hasKey(m, "stop") {
				break
			}
		}
		switch {
		case len(want) > 0 && hasKey(want[len(want)-1].line, "stop"):
			if !errors.Is(err, errStop) {
				t.Fatalf("fn's error came back as %v", err)
			}
		case wantErr != "":
			if err == nil || !strings.HasPrefix(err.Error(), wantErr) {
				t.Fatalf("err = %v, want one starting %q", err, wantErr)
			}
		case err != nil:
			t.Fatalf("unexpected error: %v", err)
		}
		if len(got) != len(want) {
			t.Fatalf("fn called %d times, want %d", len(got), len(want))
		}
		for i := range got {
			if got[i].num != want[i].num || fmt.Sprint(got[i].line) != fmt.Sprint(want[i].line) {
				t.Fatalf("call %d: line %d %v, want line %d %v", i, got[i].num, got[i].line, want[i].num, want[i].line)
			}
		}
	})
}

// hasKey reports whether m has key k, whatever its value.
func hasKey(m map[string]any, k string) bool {
	_, ok := m[k]
	return ok
}

// FuzzTargets checks that targets, which every "-" argument goes through, never panics
// on any input, names the line of any line it refuses, and returns full URLs only.
func FuzzTargets(f *testing.F) {
	for _, s := range jsonLinesSeeds {
		f.Add(s, uint8(0))
	}
	base, err := url.Parse("https://dav.example.com/cal/me/")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, input string, r uint8) {
		// As open makes it: a URL's password moves to auth (c6fa68d), which the
		// fuzzer found a hand-made conn without.
		cn := &conn{base: base, c: &dav.Client{}, auth: &argAuth{by: map[string]*url.Userinfo{}}}
		e := &cli.Env{Stdin: strings.NewReader(input)}
		ts, err := cn.targets(e, "-", role(r%3))
		if err != nil {
			if !strings.HasPrefix(err.Error(), "stdin line ") {
				t.Fatalf("error naming no line: %v", err)
			}
			return
		}
		for _, tg := range ts {
			u, err := url.Parse(tg.url)
			if err != nil || !u.IsAbs() {
				t.Fatalf("target %q is no full URL", tg.url)
			}
			if u.User != nil {
				t.Fatalf("target %q keeps its userinfo, to be printed", tg.url)
			}
			for _, it := range tg.items {
				if u, err := url.Parse(it); err != nil || !u.IsAbs() || u.User != nil {
					t.Fatalf("item %q is no full URL, or keeps its userinfo", it)
				}
			}
		}
	})
}
