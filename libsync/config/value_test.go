package config

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func readTestdata(tb testing.TB, name string) []byte {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

func TestResolve(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh:", err)
	}
	t.Setenv("HOME", "/home/u")
	tests := []struct {
		name string
		v    Value
		want string
	}{
		{"literal", Value{Literal: "~/x"}, "~/x"},
		{"empty literal", Value{Literal: "", Line: 3}, ""},
		{"cmd", Value{Cmd: []string{"printf", "%s\n", "a b"}}, "a b"},
		{"cmd without newline", Value{Cmd: []string{"printf", "secret"}}, "secret"},
		{"one newline removed", Value{Cmd: []string{"printf", "a\n\n"}}, "a\n"},
		{"CRLF removed", Value{Cmd: []string{"printf", "a\r\n"}}, "a"},
		{"lone CR kept", Value{Cmd: []string{"printf", "a\r"}}, "a\r"},
		{"spaces kept", Value{Cmd: []string{"printf", " a \n"}}, " a "},
		{"shell", Value{Shell: "echo one two | tr a-z A-Z"}, "ONE TWO"},
		{"environment", Value{Shell: `echo "$HOME"`}, "/home/u"},
		{"no stdin", Value{Shell: "cat; echo done"}, "done"},
		{"path ~/", Value{Literal: "~/a/b/", IsPath: true}, "/home/u/a/b/"},
		{"path ~", Value{Literal: "~", IsPath: true}, "/home/u"},
		{"path ~user", Value{Literal: "~root/a", IsPath: true}, "~root/a"},
		{"path absolute", Value{Literal: "/a/~/b", IsPath: true}, "/a/~/b"},
		{"path from a command", Value{Cmd: []string{"echo", "~/s"}, IsPath: true}, "/home/u/s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.v.Resolve(context.Background())
			if err != nil || got != tt.want {
				t.Errorf("Resolve() = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestResolveErrors(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh:", err)
	}
	pos := func(v Value) Value {
		v.Name, v.File, v.Line, v.Col = "password", "p.conf", 7, 2
		return v
	}
	tests := []struct {
		name string
		v    Value
		want []string // fragments of the message
	}{
		{"failing command", pos(Value{Shell: "echo hunter2; echo 'no such key' >&2; echo more >&2; exit 3"}),
			[]string{"p.conf:7:2: password: shell script failed: exit status 3: no such key"}},
		{"failing cmd", pos(Value{Cmd: []string{"sh", "-c", "echo hunter2; exit 1", "x"}}),
			[]string{"p.conf:7:2: password: command sh failed: exit status 1"}},
		{"missing program", pos(Value{Cmd: []string{"/nonexistent/prog", "hunter2"}}),
			[]string{"p.conf:7:2: password: command /nonexistent/prog failed:", "no such file"}},
		{"empty output", pos(Value{Cmd: []string{"true"}}),
			[]string{"p.conf:7:2: password: command true printed nothing"}},
		{"only a newline", pos(Value{Shell: "echo; echo why >&2"}),
			[]string{"p.conf:7:2: password: shell script printed nothing: why"}},
		{"no position", Value{Name: "url", Shell: "exit 1"}, []string{"url: shell script failed: exit status 1"}},
		{"long stderr", pos(Value{Shell: "echo hunter2; printf '%300s' x | tr ' ' y >&2; exit 1"}),
			[]string{strings.Repeat("y", 200) + "…"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.v.Resolve(context.Background())
			if err == nil {
				t.Fatalf("Resolve() = %q, want an error", got)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Resolve: %v\nwant %q in it", err, w)
				}
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("Resolve: %v shows the command's output", err)
			}
			if strings.Contains(err.Error(), "more") {
				t.Errorf("Resolve: %v shows more than one line of stderr", err)
			}
		})
	}
}

func TestResolveLimits(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh:", err)
	}
	v := Value{Name: "password", Shell: "head -c 2000000 /dev/zero | tr '\\0' x"}
	if _, err := v.Resolve(context.Background()); err == nil || !strings.Contains(err.Error(), "printed more than") {
		t.Errorf("Resolve of a huge output: %v", err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	v = Value{Name: "password", Cmd: []string{"sleep", "10"}}
	if _, err := v.Resolve(ctx); err == nil || !strings.Contains(err.Error(), "deadline exceeded") {
		t.Errorf("Resolve after the deadline: %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Resolve took %v after its context ended", d)
	}

	t.Setenv("HOME", "")
	v = Value{Name: "path", Literal: "~/x", IsPath: true}
	if _, err := v.Resolve(context.Background()); err == nil || !strings.Contains(err.Error(), "cannot expand ~") {
		t.Errorf("Resolve without HOME: %v", err)
	}
}

func TestValueString(t *testing.T) {
	tests := []struct {
		v    Value
		want string
	}{
		{Value{Literal: "hunter2"}, "(literal)"},
		{Value{Literal: "~/p", IsPath: true}, "~/p"},
		{Value{Cmd: []string{"pass", "show", "x"}}, "{ cmd pass … }"},
		{Value{Shell: "echo hunter2"}, "{ shell … }"},
		{Value{Line: 3}, "(literal)"},
		{Value{IsPath: true}, "(unset)"},
		{Value{}, "(unset)"},
	}
	for _, tt := range tests {
		if got := tt.v.String(); got != tt.want {
			t.Errorf("%#v.String() = %q, want %q", tt.v, got, tt.want)
		}
	}
	if (Value{}).IsSet() || !(Value{Line: 1}).IsSet() || !(Value{Shell: "x"}).IsSet() {
		t.Error("IsSet")
	}
}
