package migrate

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pimsync-go/libsync/config"
)

var update = flag.Bool("update", false, "rewrite the testdata/*.golden files from what Convert gives")

// TestCorpus translates each vdirsyncer configuration of testdata/ (the shapes its
// documentation shows) and compares the result and its warnings with the .golden
// file beside it. Every result must be a pimsync.conf that parses without an error.
func TestCorpus(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.conf")
	if len(files) == 0 {
		t.Fatal("no testdata/*.conf")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			res, err := Convert("config", data)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := config.Parse("pimsync.conf", strings.NewReader(res.Config)); err != nil {
				t.Errorf("the result does not parse: %v\n%s", err, res.Config)
			}
			var b strings.Builder
			b.WriteString(res.Config)
			b.WriteString("\n---- warnings\n")
			for _, w := range res.Warnings {
				fmt.Fprintf(&b, "%d: %s\n", w.Line, w.Msg)
			}
			golden := strings.TrimSuffix(f, ".conf") + ".golden"
			if *update {
				os.WriteFile(golden, []byte(b.String()), 0o644)
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (go test -update writes it)", err)
			}
			if b.String() != string(want) {
				t.Errorf("Convert(%s) differs from %s (go test -update rewrites it):\n%s", f, golden, b.String())
			}
		})
	}
}

// TestNothingDropped: every key of every corpus file is translated or commented on
// (the keys of a pair or storage left as a whole comment are all in it).
func TestNothingDropped(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.conf")
	for _, f := range files {
		data, _ := os.ReadFile(f)
		m, err := newMigration(f, data)
		if err != nil {
			t.Fatal(err)
		}
		m.write()
		whole := map[*section]bool{}
		for _, si := range m.storageOrder {
			whole[si.sec] = si.skip != ""
		}
		for _, p := range m.pairs {
			whole[p.sec] = p.a.skip != "" || p.b.skip != ""
		}
		for _, s := range m.secs {
			for _, e := range s.keys {
				if !e.used && !whole[s] {
					t.Errorf("%s:%d: %s was neither translated nor commented on", f, e.line, e.key)
				}
			}
		}
	}
}

// TestErrors: what is not a vdirsyncer configuration is an error naming the line.
func TestErrors(t *testing.T) {
	for in, want := range map[string]string{
		"[general]\nstatus_path = ~/status\n":                                  "config:2: the value of status_path is not JSON",
		"status_path = \"x\"\n":                                                "config:1: \"status_path = \\\"x\\\"\" is outside any section",
		"[pair p]\na = \"x\"\nb = \"y\"\ncollections = null\n":                 "config:2: pair p: a = \"x\" names no [storage] section",
		"[storage s]\ntype = \"filesystem\"\n[pair s]\n":                       "config:3: the name s is used by the section of line 1 already",
		"[storage my-cal]\n":                                                   "config:1: the name \"my-cal\" has characters",
		"[general]\nstatus_path = \"a\"\nstatus_path = \"b\"\n":                "config:3: key status_path is set twice",
		"[storage s]\n  type = \"x\"\n":                                        "config:2: indented line",
		"[storage s]\ntype = \"filesystem\"\n[pair p]\na = \"s\"\nb = \"s\"\n": "config:3: pair p has no collections",
		"[frob]\n": "config:1: section [frob] is not",
	} {
		_, err := Convert("config", []byte(in))
		var se *SyntaxError
		if !errors.As(err, &se) || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("Convert(%q): %v, want %q…", in, err, want)
		}
	}
}

// TestDateSpec: the Python expressions vdirsyncer's documentation shows, and others.
func TestDateSpec(t *testing.T) {
	for in, want := range map[string]string{
		"datetime.now() - timedelta(days=365)":           "-365d",
		"datetime.now() + timedelta(days = 30)":          "+30d",
		"datetime.datetime.now()+datetime.timedelta(7)":  "+7d",
		"datetime.now() - timedelta(weeks=2)":            "-2w",
		"date.today()":                                   "+0d",
		"datetime(2019, 1, 1)":                           "2019-01-01",
		"datetime.datetime(2026, 12, 31, 23, 59)":        "2026-12-31",
		"datetime(2019, 2, 30)":                          "",
		"datetime.now() + relativedelta(years=1)":        "",
		"__import__('os').system('rm -rf ~')":            "",
		"datetime.now() - timedelta(days=365, hours=12)": "",
	} {
		got, err := dateSpec(in)
		if got != want || (want == "") != (err != nil) {
			t.Errorf("dateSpec(%q) = %q, %v; want %q", in, got, err, want)
		}
		if err == nil {
			if _, err := config.ParseDateSpec(got); err != nil {
				t.Errorf("dateSpec(%q) = %q, which pimsync refuses: %v", in, got, err)
			}
		}
	}
}

// FuzzConvert: no input makes Convert panic, and an error is always a SyntaxError.
func FuzzConvert(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.conf")
	for _, file := range files {
		data, _ := os.ReadFile(file)
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := Convert("fuzz", data)
		var se *SyntaxError
		if err != nil && !errors.As(err, &se) {
			t.Fatalf("error %T: %v", err, err)
		}
		if err == nil && !strings.HasPrefix(res.Config, "# pimsync.conf") {
			t.Fatalf("output %q", res.Config)
		}
	})
}
