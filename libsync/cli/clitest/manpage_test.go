package clitest

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/alecthomas/kong"
	"github.com/pimsync-go/libsync/cli"
)

// manGrammar has what a tool's grammar may have: global flags, a command with a short
// flag and an environment variable, a nested command, a negatable flag and hidden
// things a page need not name.
type manGrammar struct {
	cli.Globals
	Config string `short:"c" help:"Configuration file."`
	Secret string `hidden:"" help:"Not for users."`

	Sync struct {
		DryRun bool   `short:"n" help:"Change nothing."`
		Token  string `env:"MAN_TEST_TOKEN" help:"A token."`
	} `cmd:"" help:"Sync."`
	Props struct {
		Get struct {
			Color bool `negatable:"" help:"Colors."`
		} `cmd:"" help:"Read."`
	} `cmd:"" help:"Properties."`
	Debug struct{} `cmd:"" hidden:"" help:"Internal."`
}

// fullPage names everything manGrammar shows, in scdoc markup.
const fullPage = `*-h*, *--help* *-v*, *--verbosity* *--json* *-V*, *--version*
*-c*, *--config* _FILE_
*sync* [*-n*|*--dry-run*] [*--token* _TOKEN_] (or *MAN_TEST_TOKEN*)
*props get* [*--color*|*--no-color*]
`

func missingFrom(t *testing.T, page string) []string {
	t.Helper()
	k, err := kong.New(&manGrammar{}, append(cli.Tool{Name: "t"}.KongOptions(), kong.Exit(func(int) {}))...)
	if err != nil {
		t.Fatal(err)
	}
	return MissingFromManPage(k.Model.Node, page)
}

func TestMissingFromManPage(t *testing.T) {
	if got := missingFrom(t, fullPage); got != nil {
		t.Fatalf("a page that names everything misses %q", got)
	}
	for _, tc := range []struct {
		page string
		want []string
	}{
		// The long form alone is not enough, nor is --dry-run taken for -n, nor a -n
		// elsewhere (an example's tail -n 1) for the flag's.
		{`*-h*, *--help* *-v*, *--verbosity* *--json* *-V*, *--version* *-c*, *--config*
*sync* *--dry-run* *--token* MAN_TEST_TOKEN *props get* *--color* *--no-color*
$ tail -n 1`,
			[]string{`flag -n of command "sync" on a line with --dry-run`}},
		// A nested command is named by its path; a longer flag does not count.
		{`*-h*, *--help* *-v*, *--verbosity* *--json-lines* *-V*, *--version* *-c*, *--config*
*sync* *-n* *--dry-run* *--token* MAN_TEST_TOKEN *get* *--color* *--no-color*`,
			[]string{"flag --json of the top level", `command "props"`, `command "props get"`}},
		// Environment variables and negations count as flags do.
		{`*-h*, *--help* *-v*, *--verbosity* *--json* *-V*, *--version* *-c*, *--config*
*sync* *-n* *--dry-run* *--token* *props get* *--color*`,
			[]string{`environment variable MAN_TEST_TOKEN of flag --token of command "sync"`,
				`flag --no-color of command "props get"`}},
	} {
		if got := missingFrom(t, tc.page); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("page %q:\nmisses %q\nwant   %q", tc.page, got, tc.want)
		}
	}
}

func TestCheckManPage(t *testing.T) {
	page := filepath.Join(t.TempDir(), "t.1.scd")
	if err := os.WriteFile(page, []byte(fullPage), 0o644); err != nil {
		t.Fatal(err)
	}
	CheckManPage(t, &manGrammar{}, page)
}
