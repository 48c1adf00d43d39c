package cli

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// compGrammar has one of each thing completion must know: commands with a hidden one,
// nested commands, bool, enum and file flags, a flag of the top level used after a
// command, and arguments that are directories, enums and pair names.
type compGrammar struct {
	Globals
	Config string `short:"c" placeholder:"FILE" help:"Configuration file. More words."`

	Sync  compSyncCmd `cmd:"" aliases:"sy" help:"Sync pairs once. Or twice."`
	Props struct {
		Get compGetCmd `cmd:"" help:"Read a property."`
	} `cmd:"" help:"Collection properties."`
	Secret     struct{}      `cmd:"" hidden:""`
	Completion CompletionCmd `cmd:"" help:"Print the completion script."`
}

type compSyncCmd struct {
	DryRun bool     `short:"n" help:"Change nothing."`
	Mode   string   `enum:"fast,safe" default:"safe" help:"How."`
	Pairs  []string `arg:"" optional:"" complete:"pairs" help:"Pairs."`
}

type compGetCmd struct {
	Collection string `arg:"" type:"existingdir" help:"Collection."`
	Name       string `arg:"" enum:"color,displayname" help:"Property."`
	Out        string `placeholder:"FILE" help:"Write here."`
}

// fetchGrammar has a default command, as webcalfetch and pimsync-discover do.
type fetchGrammar struct {
	Globals
	Fetch      fetchCmd      `cmd:"" default:"withargs" help:"Fetch a feed."`
	Completion CompletionCmd `cmd:"" help:"Print the completion script."`
}

type fetchCmd struct {
	URL  string `arg:"" help:"The feed."`
	Vdir string `type:"existingdir" help:"Mirror into this collection."`
}

func (fetchCmd) Run() error { return nil }

const compConf = `status_path /tmp/status
storage local {
	type vdir/icalendar
	path /tmp/cal
}
storage remote {
	type caldav
	url https://dav.example.com/
}
pair calendars {
	storage_a local
	storage_b remote
	collections from b
}
pair alarms {
	storage_a local
	storage_b remote
	collections from a
}
`

// complete runs a __complete request as the shell would make it.
func complete(t *testing.T, g grammar, shell string, words ...string) []string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := Tool{Name: "demo-tool"}.Run(context.Background(), g, append([]string{"__complete", shell}, words...), &stdout, &stderr)
	if code != ExitOK || stderr.Len() > 0 {
		t.Fatalf("__complete %s %q: exit %d, stderr %q", shell, words, code, stderr.String())
	}
	return strings.Split(strings.TrimSuffix(stdout.String(), "\n"), "\n")
}

func TestCompletions(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "pimsync.conf")
	if err := os.WriteFile(conf, []byte(compConf), 0o600); err != nil {
		t.Fatal(err)
	}
	// Without --config, the default configuration is read.
	xdg := t.TempDir()
	os.MkdirAll(filepath.Join(xdg, "pimsync"), 0o700)
	if err := os.WriteFile(filepath.Join(xdg, "pimsync", "pimsync.conf"), []byte(strings.ReplaceAll(compConf, "alarms", "birthdays")), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("XDG_CONFIG_HOME", xdg)

	tests := []struct {
		grammar func() grammar
		shell   string
		words   []string
		want    []string // the mode, then the candidates
	}{
		{comp, "fish", []string{""}, []string{"words", "sync\tSync pairs once", "props\tCollection properties", "completion\tPrint the completion script"}},
		{comp, "fish", []string{"s"}, []string{"words", "sync\tSync pairs once"}},
		{comp, "bash", []string{"s"}, []string{"words", "sync"}},
		{comp, "zsh", []string{"s"}, []string{"words", "sync:Sync pairs once"}},
		{comp, "bash", []string{"x"}, []string{"words"}},
		{comp, "bash", []string{"sync", "--m"}, []string{"words", "--mode"}},
		{comp, "bash", []string{"sy", "--m"}, []string{"words", "--mode"}}, // by its alias
		{comp, "bash", []string{"sync", "--"}, []string{"words", "--dry-run", "--mode", "--help", "--verbosity", "--json", "--version", "--config"}},
		{comp, "bash", []string{"sync", "-"}, []string{"words", "--dry-run", "-n", "--mode", "--help", "-h", "--verbosity", "-v", "--json", "--version", "-V", "--config", "-c"}},
		{comp, "bash", []string{"sync", "--mode", ""}, []string{"words", "fast", "safe"}},
		{comp, "bash", []string{"sync", "--mode", "f"}, []string{"words", "fast"}},
		{comp, "fish", []string{"sync", "--mode=f"}, []string{"words", "--mode=fast"}},
		{comp, "bash", []string{"sync", "--mode", "=", "f"}, []string{"words", "fast"}},
		{comp, "bash", []string{"sync", "--mode", "="}, []string{"words", "fast", "safe"}},
		{comp, "bash", []string{"sync", "--verbosity", "t"}, []string{"words", "trace"}}, // a top-level flag after the command
		{comp, "bash", []string{"-v", "d"}, []string{"words", "debug"}},
		{comp, "bash", []string{"-vd", "s"}, []string{"words", "sync"}}, // -vd holds its value
		{comp, "bash", []string{"--config", ""}, []string{"files"}},
		{comp, "bash", []string{"-c"}, []string{"words", "-c"}},
		{comp, "bash", []string{"-c", conf, "sync", ""}, []string{"words", "calendars", "alarms"}},
		{comp, "bash", []string{"-c", conf, "sync", "calendars", "a"}, []string{"words", "alarms"}},
		{comp, "bash", []string{"--config", "=", conf, "sync", "-n", "c"}, []string{"words", "calendars"}},
		{comp, "bash", []string{"sync", "--mode", "fast", ""}, []string{"words", "calendars", "birthdays"}},
		{comp, "bash", []string{"-c", filepath.Join(dir, "missing.conf"), "sync", ""}, []string{"words"}},
		{comp, "bash", []string{"sync", "--", "-"}, []string{"words"}},
		{comp, "bash", []string{"props", ""}, []string{"words", "get"}},
		{comp, "bash", []string{"props", "get", ""}, []string{"dirs"}},
		{comp, "bash", []string{"props", "get", "/c", ""}, []string{"words", "color", "displayname"}},
		{comp, "bash", []string{"props", "get", "/c", "color", ""}, []string{"words"}},
		{comp, "bash", []string{"props", "get", "--out", ""}, []string{"files"}},
		{comp, "zsh", []string{"props", "get", "--out=x"}, []string{"files"}},
		{comp, "bash", []string{"secret", ""}, []string{"words"}},
		{comp, "bash", []string{"completion", ""}, []string{"words", "bash", "zsh", "fish"}},
		{fetch, "bash", []string{""}, []string{"words", "fetch", "completion"}},
		{fetch, "bash", []string{"https://example.com/feed.ics", "--vdir", ""}, []string{"dirs"}},
		{fetch, "bash", []string{"https://example.com/feed.ics", "--v"}, []string{"words", "--vdir", "--verbosity", "--version"}},
		{fetch, "bash", []string{"fetch", "https://example.com/feed.ics", ""}, []string{"words"}},
	}
	for _, tt := range tests {
		got := complete(t, tt.grammar(), tt.shell, tt.words...)
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s %q:\n got %q\nwant %q", tt.shell, tt.words, got, tt.want)
		}
	}
}

func comp() grammar  { return &compGrammar{} }
func fetch() grammar { return &fetchGrammar{} }

// TestMain lets the test binary be the demo tool the shells run, as they run the real
// tools: TestShells points them at it by name.
func TestMain(m *testing.M) {
	if os.Getenv("CLI_TEST_DEMO_TOOL") != "" {
		Tool{Name: "demo-tool", Version: "1"}.Main(&compGrammar{})
	}
	os.Exit(m.Run())
}

// TestShells loads each shell's script into the real shell and completes with it. bash
// and zsh call the completion function as their completion systems would (zsh's
// _describe and _files, which need a live command line, print what they were given);
// fish completes for real with complete -C. The shells come from Debian (scripts/test
// installs zsh and fish): a missing one is a failure, not a skip.
func TestShells(t *testing.T) {
	bin := t.TempDir()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(self, filepath.Join(bin, "demo-tool")); err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	os.WriteFile(filepath.Join(work, "pimsync.conf"), []byte(compConf), 0o600)
	os.Mkdir(filepath.Join(work, "collection"), 0o700)
	t.Setenv("CLI_TEST_DEMO_TOOL", "1")
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	t.Setenv("HOME", work)
	t.Setenv("XDG_CONFIG_HOME", work)
	t.Setenv("XDG_DATA_HOME", work)

	script := func(shell string) string {
		t.Helper()
		var stdout, stderr bytes.Buffer
		if code := (Tool{Name: "demo-tool"}).Run(context.Background(), &compGrammar{}, []string{"completion", shell}, &stdout, &stderr); code != ExitOK {
			t.Fatalf("completion %s: exit %d: %s", shell, code, stderr.String())
		}
		f := filepath.Join(work, "demo-tool."+shell)
		if err := os.WriteFile(f, stdout.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
		return f
	}
	run := func(shell string, args ...string) string {
		t.Helper()
		path, err := exec.LookPath(shell)
		if err != nil {
			t.Fatalf("%s is not installed (scripts/test installs the Debian package): %v", shell, err)
		}
		cmd := exec.Command(path, args...)
		cmd.Dir = work
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s %q: %v\n%s", shell, args, err, out)
		}
		return string(out)
	}

	// Each shell: how to check the script's syntax, and how to complete a line with it
	// (the script's path and the line follow the arguments).
	type want struct{ line, want string }
	shells := []struct {
		name     string
		syntax   []string
		complete []string
		lines    []want
	}{
		{"bash", []string{"-n"}, []string{"--norc", "-c",
			// compopt works only inside a completion; a function of the same name
			// shows what was asked of it.
			`compopt() { echo compopt "$@"; }
source "$1"; COMP_WORDS=($2); [[ $2 == *" " ]] && COMP_WORDS+=("")
COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMPREPLY=()
_demo_tool_complete; [[ ${#COMPREPLY[@]} -gt 0 ]] && printf '%s\n' "${COMPREPLY[@]}"; true`, "bash"}, []want{
			{"demo-tool s", "sync\n"},
			{"demo-tool sync --mode ", "fast\nsafe\n"},
			{"demo-tool sync --mode = f", "fast\n"},
			{"demo-tool -c pimsync.conf sync ", "calendars\nalarms\n"},
			{"demo-tool --config ", "compopt -o default\n"},
			{"demo-tool props get ", "compopt -o dirnames\n"},
			{bin + "/demo-tool completion z", "zsh\n"}, // run by the path typed
		}},
		{"zsh", []string{"-n"}, []string{"-f", "-c", `compdef() { }
_describe() { print -rl -- "${(@P)${@[-1]}}"; }
_files() { print -r -- "_files $*" | sed 's/ $//'; }
compset() { print -r -- "compset $*"; }
source "$1"; words=(${(z)2}); [[ $2 == *" " ]] && words+=("")
CURRENT=${#words}; PREFIX=${words[-1]}
_demo_tool_complete; true`, "zsh"}, []want{
			{"demo-tool s", "sync:Sync pairs once\n"},
			{"demo-tool sync --mode ", "fast\nsafe\n"},
			{"demo-tool -c pimsync.conf sync c", "calendars\n"},
			{"demo-tool --config ", "_files\n"},
			{"demo-tool --config=p", "compset -P *=\n_files\n"},
			{"demo-tool props get ", "_files -/\n"},
		}},
		{"fish", []string{"--no-execute"}, []string{"--no-config", "-c", `source $argv[1]; complete -C $argv[2]`}, []want{
			{"demo-tool s", "sync\tSync pairs once\n"},
			{"demo-tool sync --mode ", "fast\nsafe\n"},
			{"demo-tool sync --mode=s", "--mode=safe\n"},
			{"demo-tool -c pimsync.conf sync ", "alarms\ncalendars\n"},
			{"demo-tool --config pims", "pimsync.conf\n"},
			{"demo-tool --config=pims", "--config=pimsync.conf\n"},
			{"demo-tool props get col", "collection/\n"},
		}},
	}
	for _, sh := range shells {
		t.Run(sh.name, func(t *testing.T) {
			s := script(sh.name)
			run(sh.name, append(sh.syntax, s)...)
			for _, tt := range sh.lines {
				if got := run(sh.name, append(sh.complete, s, tt.line)...); got != tt.want {
					t.Errorf("%q: got %q, want %q", tt.line, got, tt.want)
				}
			}
		})
	}
}
