package cli

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
)

type catCmd struct{}

func (catCmd) Run(e *Env) error {
	_, err := io.Copy(e.Stdout, e.Stdin)
	return err
}

type catGrammar struct {
	Globals
	Cat catCmd `cmd:""`
}

// A Tool's Stdin is what its commands read, so that tests can chain commands.
func TestStdin(t *testing.T) {
	tool := Tool{Name: "t", Stdin: strings.NewReader("a line\n")}
	var stdout, stderr bytes.Buffer
	if code := tool.Run(context.Background(), &catGrammar{}, []string{"cat"}, &stdout, &stderr); code != ExitOK || stdout.String() != "a line\n" {
		t.Errorf("exit %d, stdout %q, stderr %q", code, stdout.String(), stderr.String())
	}
}
