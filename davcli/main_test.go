package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	tests := []struct {
		args   []string
		code   int
		stdout string
	}{
		{[]string{"version"}, 0, "davcli devel\n"},
		{[]string{"no-such-command"}, 2, ""},
		{[]string{}, 2, ""},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		code := run(tt.args, &stdout, &stderr)
		if code != tt.code || stdout.String() != tt.stdout {
			t.Errorf("%q: exit %d stdout %q, want %d %q (stderr %q)", tt.args, code, stdout.String(), tt.code, tt.stdout, stderr.String())
		}
		if code == 2 && !strings.Contains(stderr.String(), "davcli --help") {
			t.Errorf("%q: usage error without a hint: %q", tt.args, stderr.String())
		}
	}
}
