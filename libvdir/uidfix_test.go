package vdir

import (
	"errors"
	"fmt"
	"testing"

	"github.com/pimsync-go/libvdir/item"
)

func TestUIDPlanner(t *testing.T) {
	event := func(uid string) string {
		u := ""
		if uid != "" {
			u = "UID:" + uid + "\r\n"
		}
		return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\n" + u + "SUMMARY:x\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
	}
	n := 0
	p := UIDPlanner{NewUID: func() string { n++; return fmt.Sprintf("new-%d", n) }}
	steps := []struct {
		name, data    string
		ok            bool
		err           error
		problem, kept string
	}{
		{"a", event("dup"), false, nil, "", ""},
		{"b", event(""), true, nil, ProblemNoUID, ""},
		{"c", event("dup"), true, nil, ProblemDuplicateUID, "a"},
		{"d", "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", false, ErrNotAnItem, "", ""},
		{"e", event("other"), false, nil, "", ""},
	}
	for _, s := range steps {
		f, ok, err := p.Plan(s.name, []byte(s.data))
		if ok != s.ok || !errors.Is(err, s.err) || (s.err == nil) != (err == nil) || f.Problem != s.problem || f.Kept != s.kept {
			t.Fatalf("%s: got %+v, %v, %v", s.name, f, ok, err)
		}
		if ok && (item.UID(f.Data) != f.UID || f.UID == "") {
			t.Fatalf("%s: data has UID %q, fix says %q", s.name, item.UID(f.Data), f.UID)
		}
	}
	if n != 2 {
		t.Fatalf("%d UIDs made, want 2", n)
	}
	if u := NewUID(); len(u) != 36 || u[14] != '4' {
		t.Fatalf("NewUID %q", u)
	}
}
