// Package clitest helps the tools' tests check their output against the JSON-lines
// contract in docs/json.md.
package clitest

import (
	"bufio"
	"encoding/json"
	"os"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// JSONLines decodes every line of out as a JSON object.
func JSONLines(t testing.TB, out string) []map[string]any {
	t.Helper()
	var objs []map[string]any
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("not a JSON line: %q: %v", sc.Text(), err)
		}
		objs = append(objs, m)
	}
	return objs
}

var fieldRow = regexp.MustCompile("^\\| `([a-z_]+)` \\|")

// DocumentedFields reads the field table of a section ("## section") of the JSON-lines
// document at doc, sorted.
func DocumentedFields(t testing.TB, doc, section string) []string {
	t.Helper()
	text, err := os.ReadFile(doc)
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(text), "\n## "+section+"\n")
	if !ok {
		t.Fatalf("%s has no section %q", doc, section)
	}
	rest, _, _ = strings.Cut(rest, "\n## ")
	var fields []string
	inTable := false
	for _, line := range strings.Split(rest, "\n") {
		if strings.HasPrefix(line, "| field |") {
			inTable = true
			continue
		}
		if inTable {
			m := fieldRow.FindStringSubmatch(line)
			if m == nil {
				if !strings.HasPrefix(line, "| ---") {
					inTable = false
				}
				continue
			}
			fields = append(fields, m[1])
		}
	}
	sort.Strings(fields)
	return fields
}

// CheckContract fails when an object's fields differ from those documented in section.
func CheckContract(t testing.TB, doc, section string, objs []map[string]any) {
	t.Helper()
	want := DocumentedFields(t, doc, section)
	if len(want) == 0 {
		t.Fatalf("no fields documented for %s", section)
	}
	for _, o := range objs {
		var got []string
		for k := range o {
			got = append(got, k)
		}
		sort.Strings(got)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s prints fields %q, %s documents %q", section, got, doc, want)
		}
	}
}
