package main

import (
	"bytes"
	"context"
	"testing"
)

func TestVersion(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := tool.Run(context.Background(), &grammar{}, []string{"version"}, &stdout, &stderr)
	if code != 0 || stdout.String() != "davcli devel\n" {
		t.Errorf("exit %d, stdout %q, stderr %q", code, stdout.String(), stderr.String())
	}
}
