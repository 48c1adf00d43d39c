package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pimsync-go/libsync/cli"
	vdir "github.com/pimsync-go/libvdir"
)

// FuzzReadCheckLines checks readCheckLines, which reads `vdirtool check --json` for
// `repair -`: it never panics; a line that is not a check line (not a JSON object with
// a path) is a usage error naming the first such line's number; and from well-formed
// input it returns exactly the items with a problem repair fixes, by directory.
func FuzzReadCheckLines(f *testing.F) {
	for _, seed := range []struct {
		in     string
		rename bool
	}{
		{"", false},
		{`{"path":"/v/cal/a.ics","problem":"no-uid","detail":"no UID"}` + "\n" +
			`{"path":"/v/cal/b.ics","problem":"duplicate-uid","detail":"also in a.ics"}` + "\n" +
			`{"path":"/v/cal/c d.ics","problem":"unsafe-filename","detail":""}` + "\n", true},
		{`{"path":"rel/x.vcf","problem":"parse-error"}` + "\r\n" + `{"path":"rel/x.vcf","problem":"no-uid"}`, false},
		{`{"path":"/a","problem":"no-uid"}` + "\n\n", false},
		{`{"problem":"no-uid"}`, false},
		{"[]\n", false}, {"null\n", false}, {`{"path":7}`, false}, {"{\"path\":\"\xff\\u0000\"}", false},
		{`{"path":"/a","problem":"no-uid"} trailing`, false},
	} {
		f.Add(seed.in, seed.rename)
	}
	// Every input with an ignored problem would log a line otherwise.
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(io.Discard, nil)))
	f.Cleanup(func() { slog.SetDefault(old) })
	f.Fuzz(func(t *testing.T, input string, rename bool) {
		got, err := readCheckLines(&cli.Env{Stdin: strings.NewReader(input)}, rename)

		// The contract, line by line: bufio.ScanLines's lines, a CR before each newline
		// dropped, every one of them a check line.
		lines := strings.Split(input, "\n")
		if input == "" || strings.HasSuffix(input, "\n") {
			lines = lines[:len(lines)-1]
		}
		want := map[string]map[string]bool{}
		bad := 0
		for i, l := range lines {
			var pr problemOut
			if json.Unmarshal([]byte(strings.TrimSuffix(l, "\r")), &pr) != nil || pr.Path == "" {
				bad = i + 1
				break
			}
			if pr.Problem != vdir.ProblemNoUID && pr.Problem != vdir.ProblemDuplicateUID &&
				!(rename && pr.Problem == vdir.ProblemUnsafeFilename) {
				continue
			}
			abs, err := filepath.Abs(pr.Path)
			if err != nil {
				t.Skip("no working directory")
			}
			dir, name := filepath.Split(abs)
			dir = filepath.Clean(dir)
			if want[dir] == nil {
				want[dir] = map[string]bool{}
			}
			want[dir][name] = true
		}
		if bad > 0 {
			var ue *cli.UsageError
			prefix := fmt.Sprintf("standard input line %d: ", bad)
			if !errors.As(err, &ue) || !strings.HasPrefix(err.Error(), prefix) {
				t.Fatalf("err = %v, want a usage error starting %q", err, prefix)
			}
			return
		}
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("got %v, want %v", got, want)
		}
	})
}
