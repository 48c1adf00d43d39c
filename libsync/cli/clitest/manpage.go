package clitest

import (
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/alecthomas/kong"
	"github.com/pimsync-go/libsync/cli"
)

// CheckManPage fails t for every command, flag and flag environment variable of a
// tool's command line that its man page does not mention: grammar is the tool's grammar
// (a pointer to the struct main passes to cli.Tool.Main) and page the scdoc source of
// its page (docs/man/TOOL.1.scd). Hidden commands and flags are left out. A page that
// falls behind the code is how a user learns of a flag from --help only, or never.
//
// The model is built as cli.Tool.Run builds it (cli.Tool.KongOptions), so that help
// texts that use its variables build here too. The page must name each command by its
// path (props get, not get alone), each flag as --name, and each environment variable a
// flag reads; each as a word of its own, not inside a longer name (--json does not count
// for --js). A flag's short form -x must stand on a line with its --name, as in the
// entry "*-n*, *--dry-run*": alone, "-n" would be found in any "tail -n 1". It checks
// presence, not what the page says.
func CheckManPage(t *testing.T, grammar any, page string) {
	t.Helper()
	text, err := os.ReadFile(page)
	if err != nil {
		t.Fatalf("man page: %v", err)
	}
	parser, err := kong.New(grammar, append(cli.Tool{Name: "manpage"}.KongOptions(), kong.Exit(func(int) {}))...)
	if err != nil {
		t.Fatalf("building the command line model: %v", err)
	}
	for _, what := range MissingFromManPage(parser.Model.Node, string(text)) {
		t.Errorf("%s does not mention %s", page, what)
	}
}

// MissingFromManPage returns what of the command line under node (its commands, flags
// and flags' environment variables, hidden ones left out) the page text does not
// mention, each described for a message (`flag --dry-run of command "sync"`), in the
// order of the model. CheckManPage reports them.
func MissingFromManPage(node *kong.Node, page string) []string {
	var missing []string
	report := func(what string) {
		if !slices.Contains(missing, what) {
			missing = append(missing, what)
		}
	}
	check := func(word, what string) {
		if !mentions(page, word) {
			report(what)
		}
	}
	lines := strings.Split(page, "\n")
	var walk func(n *kong.Node)
	walk = func(n *kong.Node) {
		where := "the top level"
		if n.Type == kong.CommandNode {
			path := commandPath(n)
			where = fmt.Sprintf("command %q", path)
			check(path, where)
			for _, alias := range n.Aliases {
				check(strings.TrimSuffix(path, n.Name)+alias, fmt.Sprintf("alias %q of %s", alias, where))
			}
		}
		for _, f := range n.Flags {
			if f.Hidden {
				continue
			}
			for _, word := range flagWords(f) {
				check(word, fmt.Sprintf("flag %s of %s", word, where))
			}
			if f.Short != 0 {
				short, long := "-"+string(f.Short), "--"+f.Name
				if !slices.ContainsFunc(lines, func(line string) bool { return mentions(line, short) && mentions(line, long) }) {
					report(fmt.Sprintf("flag %s of %s on a line with %s", short, where, long))
				}
			}
			for _, env := range f.Envs {
				check(env, fmt.Sprintf("environment variable %s of flag --%s of %s", env, f.Name, where))
			}
		}
		for _, c := range n.Children {
			if !c.Hidden {
				walk(c)
			}
		}
	}
	walk(node)
	return missing
}

// commandPath names a command as a user types it: the names of its enclosing commands
// and its own, separated by spaces ("props get").
func commandPath(n *kong.Node) string {
	var names []string
	for ; n != nil && n.Type == kong.CommandNode; n = n.Parent {
		names = append(names, n.Name)
	}
	slices.Reverse(names)
	return strings.Join(names, " ")
}

// flagWords are the long ways a user can write a flag: --name, its aliases and its
// negation (--no-name). The short form is checked apart, beside --name.
func flagWords(f *kong.Flag) []string {
	words := []string{"--" + f.Name}
	for _, a := range f.Aliases {
		words = append(words, "--"+a)
	}
	switch f.Tag.Negatable {
	case "":
	case "_": // kong's placeholder for the default negation, --no-NAME
		words = append(words, "--no-"+f.Name)
	default:
		words = append(words, "--"+f.Tag.Negatable)
	}
	return words
}

// mentions reports whether word occurs in text with no letter, digit, '-' or '_'
// right before or after it: "-n" in "*-n*" or "sync -n", not in "--dry-run".
func mentions(text, word string) bool {
	re := regexp.MustCompile(`(^|[^A-Za-z0-9_-])` + regexp.QuoteMeta(word) + `($|[^A-Za-z0-9_-])`)
	return re.MatchString(text)
}
