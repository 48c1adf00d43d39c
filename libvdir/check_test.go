package vdir

import (
	"context"
	"path/filepath"
	"reflect"
	"sort"
	"testing"
)

// TestCheckBad runs Check over testdata/bad, where every file stands for one problem.
func TestCheckBad(t *testing.T) {
	c, err := OpenCollection("../testdata/bad", "ics")
	if err != nil {
		t.Fatal(err)
	}
	problems, err := c.Check(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, p := range problems {
		if p.Detail == "" {
			t.Errorf("%s %s has no detail", p.Path, p.Code)
		}
		if filepath.Dir(p.Path) != filepath.Clean("../testdata/bad") {
			t.Errorf("problem path %q is not inside the collection", p.Path)
		}
		got[filepath.Base(p.Path)] = append(got[filepath.Base(p.Path)], p.Code)
	}
	want := map[string][]string{
		"no-uid.ics":                 {ProblemNoUID},
		"two-uids.ics":               {ProblemMultipleUIDs},
		"missing-end.ics":            {ProblemParseError},
		"junk.ics":                   {ProblemParseError},
		"empty.ics":                  {ProblemParseError},
		"dup-a.ics":                  {ProblemDuplicateUID},
		"dup-b.ics":                  {ProblemDuplicateUID},
		"..%2F..%2Fetc%2Fpasswd.ics": {ProblemUnsafeFilename},
		"crashed.ics.tmp":            {ProblemTempFile},
		"color":                      {ProblemBadMetadata},
		"passwd-link.ics":            {ProblemSymlinkOutside},
		// large-attachment.ics is valid: 5 MB is big, not wrong.
	}
	for _, codes := range got {
		sort.Strings(codes)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("problems:\n got %v\nwant %v", got, want)
	}
}

func TestCheckCorpusIsClean(t *testing.T) {
	for _, root := range []struct{ dir, ext string }{{"../testdata/calendars", "ics"}, {"../testdata/contacts", "vcf"}} {
		s, err := Open(root.dir, root.ext)
		if err != nil {
			t.Fatal(err)
		}
		problems, err := s.Check(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(problems) != 0 {
			t.Errorf("%s: %+v", root.dir, problems)
		}
	}
}
