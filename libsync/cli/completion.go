package cli

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/alecthomas/kong"
	"github.com/pimsync-go/libsync/config"
)

// Shell completion works as in most modern tools: the script a shell loads (printed by
// the "completion" command) is a thin shim that, on TAB, runs the tool itself as
//
//	TOOL __complete SHELL WORD…
//
// with the words typed so far, the last being the one under the cursor, and shows what
// it prints. All the knowledge lives here, in the command line model kong builds from
// the grammar, so completions never fall behind the flags, and a pair or storage name
// can be completed from pimsync.conf.
//
// The reply's first line is the mode: "words" (the lines after it are the candidates,
// "WORD\tDESCRIPTION" for the shells that show descriptions), "files" or "dirs" (let
// the shell complete paths). Nothing goes to standard error: a shell would print it over
// the command line.

// completeArg is the hidden first argument that asks a tool for completions.
const completeArg = "__complete"

// Completion modes, the first line of a reply.
const (
	modeWords = "words"
	modeFiles = "files"
	modeDirs  = "dirs"
)

// CompletionCmd is the "completion" command: it prints the completion script for a
// shell, to be saved where the shell looks (scripts/install does) or sourced.
type CompletionCmd struct {
	Shell string `arg:"" enum:"bash,zsh,fish" help:"The shell: ${enum}."`
}

// Run prints the script.
func (c CompletionCmd) Run(e *Env) error {
	fn := "_" + strings.NewReplacer("-", "_", ".", "_").Replace(e.Name) + "_complete"
	var script string
	switch c.Shell {
	case "bash":
		script = bashScript
	case "zsh":
		script = zshScript
	case "fish":
		script = fishScript
	}
	_, err := io.WriteString(e.Stdout, strings.NewReplacer("@TOOL@", e.Name, "@FN@", fn).Replace(script))
	return err
}

// The scripts run the tool by the name the user typed (so ./bin/pimsync completes as
// pimsync does), with a leading ~/ expanded, which the shell has not done yet.

const bashScript = `# bash completion for @TOOL@, printed by '@TOOL@ completion bash'.
@FN@() {
	local tool=${COMP_WORDS[0]} IFS=$'\n' reply
	[[ $tool == "~/"* ]] && tool=$HOME/${tool#"~/"}
	reply=($("$tool" __complete bash "${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null)) || return
	case ${reply[0]} in
	files) compopt -o default 2>/dev/null; COMPREPLY=() ;;
	dirs) compopt -o dirnames 2>/dev/null; COMPREPLY=() ;;
	*) COMPREPLY=("${reply[@]:1}") ;;
	esac
}
complete -F @FN@ @TOOL@
`

const zshScript = `#compdef @TOOL@
# zsh completion for @TOOL@, printed by '@TOOL@ completion zsh'.
@FN@() {
	local tool=${words[1]}
	[[ $tool == "~/"* ]] && tool=$HOME/${tool#"~/"}
	local -a reply candidates
	reply=("${(@f)$("$tool" __complete zsh "${(@)words[2,CURRENT]}" 2>/dev/null)}") || return
	case ${reply[1]} in
	files) [[ $PREFIX == --*=* ]] && compset -P '*='; _files ;;
	dirs) [[ $PREFIX == --*=* ]] && compset -P '*='; _files -/ ;;
	*) candidates=("${(@)reply[2,-1]}"); (( ${#candidates} )) && _describe -t values @TOOL@ candidates ;;
	esac
}
if [[ ${funcstack[1]} == _@TOOL@ ]]; then
	@FN@ "$@"
else
	compdef @FN@ @TOOL@
fi
`

const fishScript = `# fish completion for @TOOL@, printed by '@TOOL@ completion fish'.
function @FN@
	set -l tokens (commandline -opc)
	set -l current (commandline -ct)
	set -l tool (string replace -r '^~/' "$HOME/" -- $tokens[1])
	set -l reply ($tool __complete fish $tokens[2..-1] "$current" 2>/dev/null)
	or return
	set -l flag (string match -r -- '^--[^=]*=' "$current")
	set -l path (string replace -r -- '^--[^=]*=' '' "$current")
	switch "$reply[1]"
		case files
			for p in (__fish_complete_path "$path")
				echo "$flag$p"
			end
		case dirs
			for p in (__fish_complete_directories "$path" "")
				echo "$flag$p"
			end
		case '*'
			printf '%s\n' $reply[2..-1]
	end
end
complete -c @TOOL@ -f -a '(@FN@)'
`

// complete answers a __complete request: args are the shell's name and its words.
func (t Tool) complete(g grammar, args []string, stdout io.Writer) int {
	if len(args) == 0 {
		return ExitUsage
	}
	parser, err := kong.New(g, append(t.KongOptions(), kong.Exit(func(int) {}))...)
	if err != nil {
		return ExitFailure
	}
	shell, words := args[0], args[1:]
	if shell == "bash" {
		words = joinBashWords(words)
	}
	if len(words) == 0 {
		words = []string{""}
	}
	mode, cands := completions(parser.Model.Node, words)
	fmt.Fprintln(stdout, mode)
	for _, c := range cands {
		switch shell {
		case "bash":
			// bash replaces only what follows the last '=' (a word break): give it
			// what goes there, and no description, which it would insert.
			if i := strings.LastIndexByte(c.word, '='); i >= 0 && strings.HasPrefix(c.word, "--") {
				c.word = c.word[i+1:]
			}
			fmt.Fprintln(stdout, c.word)
		case "zsh":
			// _describe's "word:description"; a colon in the word is escaped.
			w := strings.ReplaceAll(c.word, ":", `\:`)
			if c.desc != "" {
				w += ":" + c.desc
			}
			fmt.Fprintln(stdout, w)
		default:
			if c.desc != "" {
				fmt.Fprintf(stdout, "%s\t%s\n", c.word, c.desc)
			} else {
				fmt.Fprintln(stdout, c.word)
			}
		}
	}
	return ExitOK
}

// joinBashWords puts back together what bash's COMP_WORDBREAKS split: "--flag", "=",
// "value" is the one word "--flag=value" (and "--flag", "=" at the end, "--flag=").
func joinBashWords(words []string) []string {
	var out []string
	for i := 0; i < len(words); i++ {
		w := words[i]
		if w == "=" && len(out) > 0 && strings.HasPrefix(out[len(out)-1], "--") && !strings.Contains(out[len(out)-1], "=") {
			out[len(out)-1] += "="
			if i+1 < len(words) {
				out[len(out)-1] += words[i+1]
				i++
			}
			continue
		}
		out = append(out, w)
	}
	return out
}

// candidate is one completion and what it means.
type candidate struct{ word, desc string }

// completions returns the mode and candidates for the last of words (the one being
// typed), given the ones before it, under the command line model root.
func completions(root *kong.Node, words []string) (string, []candidate) {
	prev, cur := words[:len(words)-1], words[len(words)-1]
	node := root
	seen := map[string]string{} // flag values typed so far, by flag name
	npos := 0                   // positional arguments of node typed so far
	dashdash := false
	var want *kong.Flag // a flag whose value is the word being typed
	for i := 0; i < len(prev); i++ {
		w := prev[i]
		if !dashdash && w == "--" {
			dashdash = true
			continue
		}
		if !dashdash && len(w) > 1 && w[0] == '-' {
			f, value, inline := lookFlag(node, w)
			if f == nil || !takesValue(f) {
				continue
			}
			switch {
			case inline:
				seen[f.Name] = value
			case i+1 < len(prev):
				i++
				seen[f.Name] = prev[i]
			default:
				want = f
			}
			continue
		}
		if npos == 0 {
			if c := child(node, w); c != nil {
				node = c
				continue
			}
			if node.DefaultCmd != nil {
				node = node.DefaultCmd
			}
		}
		npos++
	}

	switch {
	case want != nil:
		return values(want.Value, cur, "", seen)
	case !dashdash && strings.HasPrefix(cur, "--") && strings.Contains(cur, "="):
		name, value, _ := strings.Cut(cur, "=")
		if f, _, _ := lookFlag(node, name); f != nil && takesValue(f) {
			return values(f.Value, value, name+"=", seen)
		}
		return modeWords, nil
	case !dashdash && strings.HasPrefix(cur, "-"):
		return modeWords, flags(node, cur)
	}
	var cands []candidate
	if npos == 0 && !node.Leaf() {
		for _, c := range node.Children {
			if c.Hidden {
				continue
			}
			// Aliases are accepted when walking, but not offered: they would
			// double the list.
			if strings.HasPrefix(c.Name, cur) {
				cands = append(cands, candidate{c.Name, summary(c.Help)})
			}
		}
		if node.DefaultCmd == nil {
			return modeWords, cands
		}
		node = node.DefaultCmd
	}
	if len(node.Positional) == 0 {
		return modeWords, cands
	}
	arg := node.Positional[len(node.Positional)-1]
	if npos < len(node.Positional) {
		arg = node.Positional[npos]
	} else if !arg.IsCumulative() {
		return modeWords, cands
	}
	mode, more := values(arg, cur, "", seen)
	if len(cands) > 0 && mode != modeWords {
		// A command name or a path: the names are the likelier wish.
		return modeWords, cands
	}
	return mode, append(cands, more...)
}

// lookFlag finds the flag word w names (--name, --name=value, --no-name, -x, -xVALUE)
// among the flags of node and of the commands above it, as kong accepts them there.
func lookFlag(node *kong.Node, w string) (f *kong.Flag, value string, inline bool) {
	var name string
	var short rune
	if strings.HasPrefix(w, "--") {
		name, value, inline = strings.Cut(w[2:], "=")
	} else {
		r := []rune(w[1:])
		short = r[0]
		if len(r) > 1 {
			value, inline = string(r[1:]), true
		}
	}
	for n := node; n != nil; n = n.Parent {
		for _, fl := range n.Flags {
			switch {
			case short != 0 && fl.Short == short,
				name != "" && (fl.Name == name || slices.Contains(fl.Aliases, name)):
				return fl, value, inline
			case name != "" && fl.Tag.Negatable != "" && (name == "no-"+fl.Name || name == fl.Tag.Negatable):
				return fl, "", false
			}
		}
	}
	return nil, "", false
}

// takesValue reports whether a flag is followed by a value, as --config FILE is and
// --json is not.
func takesValue(f *kong.Flag) bool { return !f.IsBool() && !f.IsCounter() }

// child returns node's command called w (by name or alias), or nil.
func child(node *kong.Node, w string) *kong.Node {
	for _, c := range node.Children {
		if c.Type == kong.CommandNode && (c.Name == w || slices.Contains(c.Aliases, w)) {
			return c
		}
	}
	return nil
}

// flags lists the flags usable at node that start with cur: long forms always, short
// forms when only "-" is typed or the short form itself (so that TAB adds the space).
func flags(node *kong.Node, cur string) []candidate {
	var cands []candidate
	add := func(word, help string) {
		if strings.HasPrefix(word, cur) && !slices.ContainsFunc(cands, func(c candidate) bool { return c.word == word }) {
			cands = append(cands, candidate{word, summary(help)})
		}
	}
	for n := node; n != nil; n = n.Parent {
		for _, f := range n.Flags {
			if f.Hidden {
				continue
			}
			add("--"+f.Name, f.Help)
			for _, a := range f.Aliases {
				add("--"+a, f.Help)
			}
			switch f.Tag.Negatable {
			case "":
			case "_":
				add("--no-"+f.Name, f.Help)
			default:
				add("--"+f.Tag.Negatable, f.Help)
			}
			if f.Short != 0 && (cur == "-" || cur == "-"+string(f.Short)) {
				add("-"+string(f.Short), f.Help)
			}
		}
	}
	return cands
}

// values completes the value of a flag or an argument: its enum, else what its tags say
// it is. prefix goes before each candidate ("--flag=" when typed as one word).
//
// An argument or flag may say what it holds with the tag complete:"files", "dirs",
// "pairs", "storages" or "dav-storages" (names from pimsync.conf, the one --config
// names or the default; the last only caldav and carddav storages); kong's type:"existingdir" means dirs, type:"path" and "existingfile" and a
// FILE or PATH placeholder mean files. Anything else (a URL, an href) has no
// candidates: offering file names there would mislead.
func values(v *kong.Value, cur, prefix string, seen map[string]string) (string, []candidate) {
	var words []string
	switch kind := valueKind(v); kind {
	case modeFiles, modeDirs:
		return kind, nil
	case "enum":
		words = v.EnumSlice()
	case "pairs", "storages", "dav-storages":
		words = configNames(kind, seen["config"])
	}
	var cands []candidate
	for _, w := range words {
		if strings.HasPrefix(w, cur) {
			cands = append(cands, candidate{word: prefix + w})
		}
	}
	return modeWords, cands
}

// valueKind says what a value holds, for values.
func valueKind(v *kong.Value) string {
	if k := v.Tag.Get("complete"); k != "" {
		return k
	}
	if v.Enum != "" {
		return "enum"
	}
	switch v.Tag.Type {
	case "existingdir":
		return modeDirs
	case "path", "existingfile":
		return modeFiles
	}
	if v.Flag != nil {
		switch v.Flag.PlaceHolder {
		case "FILE", "PATH":
			return modeFiles
		case "DIR", "COLLECTION":
			return modeDirs
		}
	}
	return ""
}

// configNames returns the names of the pairs or storages (kind, as values takes it) of
// the configuration at path (the default one when empty), or none when it cannot be
// read: completion is no place to report a broken file, check is.
func configNames(kind, path string) []string {
	cfg, _, err := readConfig(path)
	if err != nil {
		return nil
	}
	var names []string
	switch kind {
	case "pairs":
		for _, p := range cfg.Pairs {
			names = append(names, p.Name)
		}
	case "storages":
		names = cfg.StorageOrder
	case "dav-storages":
		for _, name := range cfg.StorageOrder {
			if t := cfg.Storages[name].Type; t == config.TypeCalDAV || t == config.TypeCardDAV {
				names = append(names, name)
			}
		}
	}
	return names
}

// summary is the first sentence of a help text, short enough for a completion menu.
func summary(help string) string {
	s, _, _ := strings.Cut(help, ". ")
	s = strings.TrimSuffix(s, ".")
	if r := []rune(s); len(r) > 60 {
		s = string(r[:59]) + "…"
	}
	return s
}
