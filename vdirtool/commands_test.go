package main

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// vdirtoolStdin runs the command line with stdin as its standard input.
func vdirtoolStdin(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	tl := tool
	tl.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	code := tl.Run(context.Background(), &grammar{}, args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// copyTree copies a directory, keeping symbolic links as links, so that commands that
// write can run on testdata.
func copyTree(t *testing.T, src string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), filepath.Base(src))
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		to := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			return os.MkdirAll(to, 0o755)
		case d.Type()&fs.ModeSymlink != 0:
			link, err := os.Readlink(path)
			if err != nil {
				return err
			}
			return os.Symlink(link, to)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(to, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// snapshot returns every file's bytes under dir, by relative path.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			b, _ := os.ReadFile(path)
			rel, _ := filepath.Rel(dir, path)
			out[rel] = string(b)
		}
		return nil
	})
	return out
}

func TestShow(t *testing.T) {
	tests := []struct {
		file              string
		code              int
		uid, comp, start  string
		summary, rrule    string
		wantErr, wantTZID bool
	}{
		{"calendars/personal/birthday-zoe.ics", 0, "birthday-zoe@example.org", "VEVENT", "20250314", "Zoë's birthday 🎂", "FREQ=YEARLY", false, false},
		{"calendars/personal/todo-passport.ics", 0, "", "VTODO", "", "", "", false, false},
		{"calendars/personal/journal-2025-01-06.ics", 0, "", "VJOURNAL", "", "", "", false, false},
		{"contacts/friends/anna-mueller.vcf", 0, "anna-mueller-21@example.com", "VCARD", "", "", "", false, false},
		{"bad/no-uid.ics", 0, "", "VEVENT", "", "", "", false, false},
		{"bad/two-uids.ics", 0, "first-of-two", "VEVENT", "20250301T100000Z", "First event", "", false, false},
		{"bad/missing-end.ics", 1, "missing-end", "VEVENT", "20250301T100000Z", "Truncated", "", true, false},
		{"bad/empty.ics", 1, "", "", "", "", "", true, false},
		{"bad/junk.ics", 1, "", "", "", "", "", true, false},
		{"bad/large-attachment.ics", 0, "", "VEVENT", "", "", "", false, false},
	}
	for _, tt := range tests {
		code, out, errOut := vdirtool(t, "show", filepath.Join(testdata, tt.file))
		if code != tt.code {
			t.Errorf("%s: exit %d, want %d: %s", tt.file, code, tt.code, errOut)
			continue
		}
		objs := jsonLines(t, out)
		checkContract(t, "vdirtool show", objs)
		if len(objs) != 1 {
			t.Fatalf("%s: %d objects", tt.file, len(objs))
		}
		o := objs[0]
		check := func(field, want string) {
			if want != "" && o[field] != want {
				t.Errorf("%s: %s %q, want %q", tt.file, field, o[field], want)
			}
		}
		check("uid", tt.uid)
		check("component", tt.comp)
		check("start", tt.start)
		check("summary", tt.summary)
		check("recurrence", tt.rrule)
		if (o["error"] != "") != tt.wantErr {
			t.Errorf("%s: error %q", tt.file, o["error"])
		}
	}
	// Links leading outside the storage are not read, as everywhere else.
	if code, out, _ := vdirtool(t, "show", filepath.Join(testdata, "bad/passwd-link.ics")); code != 1 || out != "" {
		t.Errorf("passwd-link: exit %d, %q", code, out)
	}
	if code, _, _ := vdirtool(t, "show", filepath.Join(testdata, "calendars/personal/color")); code == 0 {
		t.Errorf("metadata file shown as an item")
	}
}

func TestStats(t *testing.T) {
	tests := []struct {
		args  []string
		code  int
		stats map[string]map[string]any // id → some fields
	}{
		{[]string{"stats", filepath.Join(testdata, "calendars")}, 0, map[string]map[string]any{
			"personal": {"items": 5.0, "events": 3.0, "todos": 1.0, "journals": 1.0, "oldest": "2025-01-06", "newest": "2025-03-14"},
			"work":     {"items": 2.0, "events": 2.0, "cards": 0.0},
		}},
		{[]string{"stats", filepath.Join(testdata, "calendars/work")}, 0, map[string]map[string]any{
			"work": {"items": 2.0, "oldest": "2025-01-07", "newest": "2025-02-10"},
		}},
		{[]string{"stats", "--ext", "vcf", filepath.Join(testdata, "contacts")}, 0, map[string]map[string]any{
			"friends": {"items": 4.0, "cards": 4.0, "oldest": "", "skipped": 0.0},
		}},
		{[]string{"stats", filepath.Join(testdata, "bad")}, 0, map[string]map[string]any{
			"bad": {"items": 9.0, "other": 2.0, "skipped": 1.0, "largest": 5455711.0},
		}},
	}
	for _, tt := range tests {
		code, out, errOut := vdirtool(t, tt.args...)
		if code != tt.code {
			t.Errorf("%q: exit %d, want %d: %s", tt.args, code, tt.code, errOut)
		}
		objs := jsonLines(t, out)
		checkContract(t, "vdirtool stats", objs)
		if len(objs) != len(tt.stats) {
			t.Errorf("%q: %d collections, want %d", tt.args, len(objs), len(tt.stats))
		}
		for _, o := range objs {
			for k, v := range tt.stats[o["id"].(string)] {
				if o[k] != v {
					t.Errorf("%q %s: %s = %v, want %v", tt.args, o["id"], k, o[k], v)
				}
			}
		}
	}
}

func TestProps(t *testing.T) {
	work := copyTree(t, filepath.Join(testdata, "calendars/work"))
	bad := copyTree(t, filepath.Join(testdata, "bad"))
	tests := []struct {
		args []string
		code int
		want map[string]string // name → value printed
	}{
		{[]string{"props", "get", work}, 0, map[string]string{"displayname": "Work", "color": "#D9534FFF", "description": "", "order": "2"}},
		{[]string{"props", "get", work, "COLOR"}, 0, map[string]string{"color": "#D9534FFF"}},
		{[]string{"props", "set", work, "description", " Office \n"}, 0, map[string]string{"description": "Office"}},
		{[]string{"props", "get", work, "description"}, 0, map[string]string{"description": "Office"}},
		{[]string{"props", "set", work, "order", ""}, 0, map[string]string{"order": ""}},
		{[]string{"props", "set", work, "color", "red"}, 1, nil},
		{[]string{"props", "set", work, "ctag", "1"}, 2, nil},
		{[]string{"props", "get", work, "../../etc/passwd"}, 2, nil},
		{[]string{"props", "get", bad, "color"}, 0, map[string]string{"color": ""}}, // invalid: shown as unset
		{[]string{"props", "set", bad, "color", "#00ff00"}, 0, map[string]string{"color": "#00ff00"}},
	}
	for _, tt := range tests {
		code, out, errOut := vdirtool(t, tt.args...)
		if code != tt.code {
			t.Errorf("%q: exit %d, want %d: %s", tt.args, code, tt.code, errOut)
			continue
		}
		objs := jsonLines(t, out)
		checkContract(t, "vdirtool props", objs)
		got := map[string]string{}
		for _, o := range objs {
			got[o["name"].(string)] = o["value"].(string)
		}
		if tt.want != nil && !equalMaps(got, tt.want) {
			t.Errorf("%q: %v, want %v", tt.args, got, tt.want)
		}
	}
	if _, err := os.Stat(filepath.Join(work, "order")); !os.IsNotExist(err) {
		t.Errorf("order not removed: %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(work, "description")); string(b) != "Office" {
		t.Errorf("description file %q", b)
	}
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// problems returns check's problem codes by file name.
func problems(t *testing.T, dir string) map[string]string {
	t.Helper()
	_, out, _ := vdirtool(t, "check", dir)
	got := map[string]string{}
	for _, o := range jsonLines(t, out) {
		got[filepath.Base(o["path"].(string))] = o["problem"].(string)
	}
	return got
}

func TestRepair(t *testing.T) {
	tests := []struct {
		name    string
		args    func(dir string) []string
		stdin   func(t *testing.T, dir string) string
		code    int
		lines   int
		changed bool     // whether files change
		gone    []string // problems check no longer finds
	}{
		{"dry run", func(d string) []string { return []string{"repair", "--dry-run", "--rename", d} }, nil, 0, 3, false, nil},
		{"collection", func(d string) []string { return []string{"repair", d} }, nil, 0, 2, true,
			[]string{"no-uid.ics", "dup-a.ics", "dup-b.ics"}},
		{"rename", func(d string) []string { return []string{"repair", "--rename", d} }, nil, 0, 3, true,
			[]string{"no-uid.ics", "dup-b.ics", "..%2F..%2Fetc%2Fpasswd.ics"}},
		{"root", func(d string) []string { return []string{"repair", filepath.Dir(d)} }, nil, 0, 2, true,
			[]string{"no-uid.ics", "dup-b.ics"}},
		{"piped from check", func(string) []string { return []string{"repair", "-"} },
			func(t *testing.T, d string) string { _, out, _ := vdirtool(t, "check", "--json", d); return out }, 0, 2, true,
			[]string{"no-uid.ics", "dup-b.ics"}},
		{"piped from check, renaming (the README's)", func(string) []string { return []string{"repair", "--rename", "-"} },
			func(t *testing.T, d string) string { _, out, _ := vdirtool(t, "check", "--json", d); return out }, 0, 3, true,
			[]string{"no-uid.ics", "dup-b.ics", "..%2F..%2Fetc%2Fpasswd.ics"}},
		{"piped, one item", func(string) []string { return []string{"repair", "-"} },
			func(t *testing.T, d string) string {
				return `{"path":"` + filepath.Join(d, "no-uid.ics") + `","problem":"no-uid","detail":""}` + "\n" +
					`{"path":"` + filepath.Join(d, "junk.ics") + `","problem":"parse-error","detail":""}` + "\n"
			}, 0, 1, true, []string{"no-uid.ics"}},
		{"piped garbage", func(string) []string { return []string{"repair", "-"} },
			func(*testing.T, string) string { return "not json\n" }, 2, 0, false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := copyTree(t, filepath.Join(testdata, "bad"))
			before := snapshot(t, dir)
			stdin := ""
			if tt.stdin != nil {
				stdin = tt.stdin(t, dir)
			}
			code, out, errOut := vdirtoolStdin(t, stdin, tt.args(dir)...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d: %s", code, tt.code, errOut)
			}
			objs := jsonLines(t, out)
			checkContract(t, "vdirtool repair", objs)
			if len(objs) != tt.lines {
				t.Errorf("%d lines, want %d:\n%s", len(objs), tt.lines, out)
			}
			after := snapshot(t, dir)
			if changed := !equalMaps(before, after); changed != tt.changed {
				t.Errorf("files changed: %v, want %v", changed, tt.changed)
			}
			left := problems(t, dir)
			for _, name := range tt.gone {
				if p, ok := left[name]; ok && p != "parse-error" {
					t.Errorf("%s still has %s", name, p)
				}
			}
			// Only UID lines change: every other line of a repaired item stays.
			for _, o := range objs {
				if !o["written"].(bool) {
					continue
				}
				path := o["path"].(string)
				if r := o["renamed"].(string); r != "" {
					path = r
				}
				rel, _ := filepath.Rel(dir, o["path"].(string))
				now, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				if stripUID(string(now)) != stripUID(before[rel]) || !strings.Contains(string(now), o["uid"].(string)) {
					t.Errorf("%s: more than the UID changed:\n%s", rel, now)
				}
			}
		})
	}
}

// stripUID drops UID lines, to compare the rest of an item.
func stripUID(s string) string {
	var keep []string
	for _, l := range strings.SplitAfter(s, "\n") {
		if !strings.HasPrefix(l, "UID:") {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "")
}

// A repair of good items changes nothing and prints nothing.
func TestRepairGood(t *testing.T) {
	for _, args := range [][]string{
		{"repair", "--rename"},
		{"repair", "--ext", "vcf", "--rename"},
	} {
		src := filepath.Join(testdata, "calendars")
		if args[1] == "--ext" {
			src = filepath.Join(testdata, "contacts")
		}
		dir := copyTree(t, src)
		before := snapshot(t, dir)
		code, out, errOut := vdirtool(t, append(args, dir)...)
		if code != 0 || out != "" {
			t.Errorf("%q: exit %d, %q: %s", args, code, out, errOut)
		}
		if !equalMaps(before, snapshot(t, dir)) {
			t.Errorf("%q changed files", args)
		}
	}
}
