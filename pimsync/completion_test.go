package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestCompletion: pimsync completes the names of its pairs and storages from the
// configuration that -c names, and bash, with the script pimsync prints, runs the
// binary to complete (libsync/cli's TestShells covers zsh and fish).
func TestCompletion(t *testing.T) {
	e := newEnv(t, "")
	tests := []struct {
		words []string
		want  string
	}{
		{[]string{"-c", e.conf, "sync", ""}, "words\ncal\n"},
		{[]string{"-c", e.conf, "daemon", "c"}, "words\ncal\n"},
		{[]string{"-c", e.conf, "-p", ""}, "words\ncal\n"},
		{[]string{"-c", e.conf, "status", "x"}, "words\n"},
		{[]string{"-c", e.conf, "repair", ""}, "words\nlocal\nother\n"},
		{[]string{"-c", e.conf, "repair", "-n", "o"}, "words\nother\n"},
		{[]string{"mi"}, "words\nmigrate-config\n"},
		{[]string{"migrate-config", ""}, "files\n"},
		{[]string{"-c", ""}, "files\n"},
		{[]string{"sync", "--dr"}, "words\n--dry-run\n"},
	}
	for _, tt := range tests {
		out, err := exec.Command(binary, append([]string{"__complete", "bash"}, tt.words...)...).Output()
		if err != nil {
			t.Fatalf("%q: %v", tt.words, err)
		}
		if string(out) != tt.want {
			t.Errorf("%q: got %q, want %q", tt.words, out, tt.want)
		}
	}

	script, err := exec.Command(binary, "completion", "bash").Output()
	if err != nil {
		t.Fatal(err)
	}
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bash, "--norc", "-c", `eval "$1"; COMP_WORDS=("$2" -c "$3" s); COMP_CWORD=3
_pimsync_complete; printf '%s\n' "${COMPREPLY[@]}"`, "bash", string(script), binary, e.conf).CombinedOutput()
	if err != nil {
		t.Fatalf("bash: %v\n%s", err, out)
	}
	if got := strings.Fields(string(out)); strings.Join(got, " ") != "sync status" {
		t.Errorf("bash completes %q to %q, want sync and status", "pimsync -c CONF s", got)
	}
}
