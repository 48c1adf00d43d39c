package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/pimsync-go/libsync/cli/clitest"
)

const testdata = "../testdata"

// vdirtool runs the command line and returns its exit status, stdout and stderr.
func vdirtool(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := tool.Run(context.Background(), &grammar{}, args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// jsonLines decodes every line of out as a JSON object.
func jsonLines(t *testing.T, out string) []map[string]any { return clitest.JSONLines(t, out) }

// checkContract fails when an object's fields differ from docs/json.md.
func checkContract(t *testing.T, section string, objs []map[string]any) {
	clitest.CheckContract(t, "../docs/json.md", section, objs)
}

func TestCollections(t *testing.T) {
	code, out, errOut := vdirtool(t, "collections", filepath.Join(testdata, "calendars"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	objs := jsonLines(t, out)
	checkContract(t, "vdirtool collections", objs)
	if len(objs) != 2 {
		t.Fatalf("%d collections, want 2", len(objs))
	}
	p := objs[0]
	abs, _ := filepath.Abs(filepath.Join(testdata, "calendars/personal"))
	want := map[string]any{"id": "personal", "path": abs, "displayname": "Personal 📅", "color": "#3A87AD",
		"description": "Home, family and everything that is not work", "order": "1", "items": float64(5)}
	if !reflect.DeepEqual(p, want) {
		t.Errorf("personal:\n got %v\nwant %v", p, want)
	}
	if objs[1]["id"] != "work" || objs[1]["color"] != "#D9534FFF" || objs[1]["items"] != float64(2) {
		t.Errorf("work: %v", objs[1])
	}
}

func TestLs(t *testing.T) {
	code, out, errOut := vdirtool(t, "ls", filepath.Join(testdata, "contacts/friends"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	objs := jsonLines(t, out)
	checkContract(t, "vdirtool ls", objs)
	got := map[string]string{}
	for _, o := range objs {
		if o["component"] != "VCARD" || o["etag"] == "" || o["size"].(float64) <= 0 {
			t.Errorf("item %v", o)
		}
		got[filepath.Base(o["path"].(string))] = o["uid"].(string)
	}
	want := map[string]string{
		"anna-mueller.vcf":    "anna-mueller-21@example.com",
		"assistant-agent.vcf": "hiroshi-tanaka-21",
		"juergen-schmidt.vcf": "3C6B2E1A-44F0-4E2B-9A77-2F4B8C1D0E9F",
		"sophie-dubois.vcf":   "urn:uuid:8f14e45f-ceea-467f-a0e6-5c3b8d7e1a2b",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("uids %v, want %v", got, want)
	}
}

// ls on testdata/bad lists what it can, leaves the outside link out and says so.
func TestLsBad(t *testing.T) {
	code, out, errOut := vdirtool(t, "ls", filepath.Join(testdata, "bad"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	objs := jsonLines(t, out)
	checkContract(t, "vdirtool ls", objs)
	for _, o := range objs {
		if strings.Contains(o["path"].(string), "passwd-link") {
			t.Errorf("the link to /etc/passwd was listed: %v", o)
		}
	}
	if len(objs) != 9 {
		t.Errorf("%d items listed, want the 9 regular .ics files", len(objs))
	}
	if !strings.Contains(errOut, "passwd-link.ics") || !strings.Contains(errOut, "symlink-outside") {
		t.Errorf("stderr does not report the skipped link:\n%s", errOut)
	}
}

func TestCheck(t *testing.T) {
	tests := []struct {
		args     []string
		code     int
		problems int
	}{
		{[]string{"check", filepath.Join(testdata, "calendars")}, 0, 0},
		{[]string{"check", filepath.Join(testdata, "calendars/work")}, 0, 0},
		{[]string{"check", "--ext", "vcf", filepath.Join(testdata, "contacts")}, 0, 0},
		{[]string{"check", filepath.Join(testdata, "bad")}, 1, 11},
	}
	for _, tt := range tests {
		code, out, errOut := vdirtool(t, tt.args...)
		if code != tt.code {
			t.Errorf("%q: exit %d, want %d; stderr %s", tt.args, code, tt.code, errOut)
		}
		objs := jsonLines(t, out)
		checkContract(t, "vdirtool check", objs)
		if len(objs) != tt.problems {
			t.Errorf("%q: %d problems, want %d:\n%s", tt.args, len(objs), tt.problems, out)
		}
	}
}

// Every problem code vdirtool check can print is documented, and vice versa.
func TestCheckCodesDocumented(t *testing.T) {
	doc, _ := os.ReadFile("../docs/json.md")
	_, codes, _ := strings.Cut(string(doc), "Problem codes:")
	codes, _, _ = strings.Cut(codes, "\n## ") // the table ends with its section
	var got []string
	for _, m := range regexp.MustCompile("(?m)^\\| `([a-z-]+)` \\|").FindAllStringSubmatch(codes, -1) {
		got = append(got, m[1])
	}
	sort.Strings(got)
	src, _ := os.ReadFile("../libvdir/check.go")
	var want []string
	for _, m := range regexp.MustCompile(`Problem[A-Za-z]+\s+= "([a-z-]+)"`).FindAllStringSubmatch(string(src), -1) {
		want = append(want, m[1])
	}
	sort.Strings(want)
	if len(want) < 10 || !reflect.DeepEqual(got, want) {
		t.Errorf("documented codes %q, libvdir codes %q", got, want)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"bogus"},
		{"check"},
		{"check", "/does/not/exist"},
		{"ls", "a", "b"},
		{"-v", "loud", "check", "."},
	} {
		code, out, errOut := vdirtool(t, args...)
		if code != 2 {
			t.Errorf("%q: exit %d, want 2", args, code)
		}
		if out != "" || !strings.Contains(errOut, "vdirtool") {
			t.Errorf("%q: stdout %q stderr %q", args, out, errOut)
		}
	}
	if code, out, _ := vdirtool(t, "--help"); code != 0 || !strings.Contains(out, "check") {
		t.Errorf("--help: exit %d, %q", code, out)
	}
	if code, out, _ := vdirtool(t, "--version"); code != 0 || !strings.HasPrefix(out, "vdirtool ") {
		t.Errorf("--version: exit %d, %q", code, out)
	}
}

// TestEveryCommandOnTestdata: each command on the whole of testdata/ and on
// testdata/bad/. What a command can read it handles; what it cannot it names on
// standard error, with the file; the exit status says whether anything was wrong; and
// a directory one level off (a root for a collection, or the reverse) gets a hint
// rather than silence.
func TestEveryCommandOnTestdata(t *testing.T) {
	bad := filepath.Join(testdata, "bad")
	tests := []struct {
		args   []string
		code   int
		lines  int // JSON lines on standard output; -1 when it is not JSON
		stderr []string
	}{
		{[]string{"collections", testdata}, 0, 3, []string{"bad/color", "passwd-link.ics"}},
		{[]string{"collections", bad}, 0, 0, []string{"looks like a collection"}},
		{[]string{"ls", testdata}, 0, 0, []string{"looks like a storage root"}},
		{[]string{"ls", filepath.Join(testdata, "calendars/work")}, 0, 2, nil},
		{[]string{"check", testdata}, 1, 11, nil}, // the problems are its output
		{[]string{"stats", testdata}, 0, 3, []string{"passwd-link.ics"}},
		{[]string{"stats", bad}, 0, 1, []string{"passwd-link.ics"}},
		{[]string{"show", filepath.Join(bad, "junk.ics")}, 1, 1, []string{"junk.ics", "NUL byte"}},
		{[]string{"show", filepath.Join(bad, "missing-end.ics")}, 1, 1, []string{"missing-end.ics", "missing END:VCALENDAR"}},
		{[]string{"show", filepath.Join(bad, "empty.ics")}, 1, 1, []string{"empty.ics", "empty item"}},
		{[]string{"show", filepath.Join(bad, "passwd-link.ics")}, 1, 0, []string{"passwd-link.ics", "outside the storage"}},
		{[]string{"show", filepath.Join(bad, "two-uids.ics")}, 0, 1, nil},
		{[]string{"props", "get", bad, "color"}, 0, 1, []string{"not of the form #RRGGBB"}},
		{[]string{"repair", testdata, "--dry-run"}, 0, 2, []string{"empty.ics", "junk.ics"}},
		{[]string{"cat", bad}, 1, -1, []string{"empty.ics", "junk.ics", "missing-end.ics", "passwd-link.ics"}},
		{[]string{"cat", filepath.Join(testdata, "contacts/friends")}, 0, -1, nil},
	}
	for _, tt := range tests {
		code, out, errOut := vdirtool(t, tt.args...)
		if code != tt.code {
			t.Errorf("%q: exit %d, want %d\n%s", tt.args, code, tt.code, errOut)
		}
		if tt.lines >= 0 {
			if n := len(jsonLines(t, out)); n != tt.lines {
				t.Errorf("%q: %d lines, want %d:\n%s", tt.args, n, tt.lines, out)
			}
		}
		for _, want := range tt.stderr {
			if !strings.Contains(errOut, want) {
				t.Errorf("%q: standard error lacks %q:\n%s", tt.args, want, errOut)
			}
		}
	}

	// cat of testdata/bad, split into a new collection: the six readable items.
	_, feed, _ := vdirtool(t, "cat", bad)
	dst := filepath.Join(t.TempDir(), "from-bad")
	code, out, errOut := vdirtoolStdin(t, feed, "split", "-", dst)
	if code != 0 || len(jsonLines(t, out)) != 6 {
		t.Fatalf("split of cat bad: exit %d\n%s\n%s", code, out, errOut)
	}
	if entries, _ := os.ReadDir(dst); len(entries) != 6 {
		t.Errorf("split wrote %d files, want 6", len(entries))
	}
}

// TestReadmePipeline: vdirtool check ROOT | jq -r 'select(.problem=="duplicate-uid") |
// .path', from the README, with the filter in Go: the two files sharing a UID. (The
// README's check --json | repair --rename - is TestRepair's.)
func TestReadmePipeline(t *testing.T) {
	_, out, _ := vdirtool(t, "check", testdata)
	var paths []string
	for _, o := range jsonLines(t, out) {
		if o["problem"] == "duplicate-uid" {
			paths = append(paths, filepath.Base(o["path"].(string)))
		}
	}
	if !reflect.DeepEqual(paths, []string{"dup-a.ics", "dup-b.ics"}) {
		t.Errorf("duplicate-uid paths %q", paths)
	}
}
