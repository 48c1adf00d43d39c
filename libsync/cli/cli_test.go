package cli

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
)

type echoCmd struct {
	Words []string `arg:"" optional:""`
	Fail  string   `help:"Fail with this message."`
}

func (c *echoCmd) Run(e *Env) error {
	switch c.Fail {
	case "":
	case "reported":
		return ErrReported
	case "usage":
		return &UsageError{errors.New("bad config")}
	default:
		return errors.New(c.Fail)
	}
	p := NewPrinter(e, "WORD", "LEN")
	for _, w := range c.Words {
		if err := p.Emit(map[string]any{"word": w, "len": len(w)}, w, strings.Repeat("*", len(w))); err != nil {
			return err
		}
	}
	return p.Flush()
}

type testGrammar struct {
	Globals
	Echo    echoCmd    `cmd:"" help:"Print the words."`
	Version VersionCmd `cmd:"" help:"Print the version."`
}

func TestRun(t *testing.T) {
	tool := Tool{Name: "t", Description: "a test tool", Version: "1.2"}
	tests := []struct {
		args           []string
		code           int
		stdout, stderr string
	}{
		{[]string{"echo", "a", "bc"}, ExitOK, "{\"len\":1,\"word\":\"a\"}\n{\"len\":2,\"word\":\"bc\"}\n", ""},
		{[]string{"echo", "<&>"}, ExitOK, "{\"len\":3,\"word\":\"<&>\"}\n", ""},
		{[]string{"version"}, ExitOK, "t 1.2\n", ""},
		{[]string{"--version"}, ExitOK, "t 1.2\n", ""},
		{[]string{"echo", "--fail", "boom"}, ExitFailure, "", "t: boom\n"},
		{[]string{"echo", "--fail", "reported"}, ExitFailure, "", ""},
		{[]string{"echo", "--fail", "usage"}, ExitUsage, "", "t: bad config\n"},
		{[]string{"nope"}, ExitUsage, "", "t: unexpected argument nope\nRun 't --help' for usage.\n"},
		{[]string{"-v", "loud", "echo"}, ExitUsage, "", "t: --verbosity must be one of \"error\",\"warn\",\"info\",\"debug\",\"trace\" but got \"loud\"\nRun 't --help' for usage.\n"},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		code := tool.Run(context.Background(), &testGrammar{}, tt.args, &stdout, &stderr)
		if code != tt.code || stdout.String() != tt.stdout || stderr.String() != tt.stderr {
			t.Errorf("%q: exit %d\nstdout %q\nstderr %q\nwant %d %q %q", tt.args, code, stdout.String(), stderr.String(), tt.code, tt.stdout, tt.stderr)
		}
	}
	var stdout bytes.Buffer
	if code := tool.Run(context.Background(), &testGrammar{}, []string{"--help"}, &stdout, &bytes.Buffer{}); code != ExitOK || !strings.Contains(stdout.String(), "Print the words.") {
		t.Errorf("--help: exit %d, %q", code, stdout.String())
	}
}

func TestPrinterTable(t *testing.T) {
	var buf bytes.Buffer
	p := NewPrinter(&Env{Stdout: &buf}, "A", "LONGER")
	p.Emit(nil, "x\ty", "1")
	p.Emit(nil, "xyz", "2\n2")
	p.Flush()
	if want := "A    LONGER\nx y  1\nxyz  2 2\n"; buf.String() != want {
		t.Errorf("table:\n%q\nwant\n%q", buf.String(), want)
	}
}
