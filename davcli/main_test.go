package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pimsync-go/libsync/cli/clitest"
	"github.com/pimsync-go/libsync/testserver"
)

const jsonDoc = "../docs/json.md"

// davcli runs the command line with stdin as standard input and returns its exit
// status, stdout and stderr.
func davcli(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	tl := tool
	tl.Stdin = strings.NewReader(stdin)
	code := tl.Run(context.Background(), &grammar{}, args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// on runs davcli against srv (its URL as the base, its credentials), expecting exit
// status code, and returns stdout's JSON lines checked against docs/json.md's section
// (none when section is "").
func on(t *testing.T, srv testserver.Server, code int, section, stdin string, args ...string) []map[string]any {
	t.Helper()
	out, _ := onRaw(t, srv, code, stdin, args...)
	objs := clitest.JSONLines(t, out)
	if section != "" {
		clitest.CheckContract(t, jsonDoc, section, objs)
	}
	return objs
}

// onRaw is on without decoding stdout; it returns stderr too.
func onRaw(t *testing.T, srv testserver.Server, code int, stdin string, args ...string) (string, string) {
	t.Helper()
	t.Setenv("DAVCLI_PASSWORD", srv.Password)
	full := append([]string{"--url", srv.URL, "-u", srv.User}, args...)
	got, out, errOut := davcli(t, stdin, full...)
	if got != code {
		t.Fatalf("davcli %q on %s: exit %d, want %d\nstdout %s\nstderr %s", args, srv.Name, got, code, out, errOut)
	}
	return out, errOut
}

func TestVersion(t *testing.T) {
	code, out, errOut := davcli(t, "", "version")
	if code != 0 || out != "davcli devel\n" {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

// Command lines that cannot work are usage errors (exit 2), before any request.
func TestUsage(t *testing.T) {
	t.Setenv("DAVCLI_URL", "")
	dir := t.TempDir()
	conf := filepath.Join(dir, "pimsync.conf")
	os.WriteFile(conf, []byte("status_path /tmp/st\nstorage local {\n\ttype vdir/icalendar\n\tpath /tmp\n}\n"), 0o644)
	tests := []struct {
		args []string
		msg  string
	}{
		{[]string{"put", "http://127.0.0.1:1/a.ics", "x"}, "--create"},
		{[]string{"put", "http://127.0.0.1:1/a.ics", "x", "--create", "--if-match", `"e"`}, "not both"},
		{[]string{"put", "-", "x", "--create"}, "one href"},
		{[]string{"rm", "http://127.0.0.1:1/a.ics"}, "--if-match"},
		{[]string{"rm", "http://127.0.0.1:1/a.ics", "--force", "--if-match", `"e"`}, "not both"},
		{[]string{"ls", "/cal/"}, "not a full URL"},
		{[]string{"get", "ftp://example.com/a.ics"}, "http"},
		{[]string{"collections"}, "no URL"},
		{[]string{"mkcol", "http://127.0.0.1:1/c/", "--calendar", "--addressbook"}, "can't be used together"},
		{[]string{"proppatch", "http://127.0.0.1:1/c/", "colour", "red"}, "must be one of"},
		{[]string{"-c", conf, "--storage", "nope", "ls", "/c/"}, `no storage "nope"`},
		{[]string{"-c", conf, "--storage", "local", "ls", "/c/"}, "caldav and carddav"},
		{[]string{"-c", filepath.Join(dir, "missing.conf"), "--storage", "x", "ls", "/c/"}, "no configuration"},
	}
	for _, tt := range tests {
		code, out, errOut := davcli(t, "", tt.args...)
		if code != 2 || out != "" || !strings.Contains(errOut, tt.msg) {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want 2 and %q", tt.args, code, out, errOut, tt.msg)
		}
	}
}

// Standard input that is not JSON lines fails (exit 1) with the line's number.
func TestBadInput(t *testing.T) {
	code, _, errOut := davcli(t, "{\"url\":\"http://127.0.0.1:1/a\"}\nnot json\n", "get", "-")
	if code != 1 || !strings.Contains(errOut, "stdin line 2: not a JSON object") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
	code, _, errOut = davcli(t, "{\"uid\":\"x\"}\n", "ls", "-")
	if code != 1 || !strings.Contains(errOut, "stdin line 1: no URL") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
}

// TestCompletion: --storage completes the caldav and carddav storages of pimsync.conf,
// not the vdirs (TestShells in libsync/cli runs the scripts in the shells).
func TestCompletion(t *testing.T) {
	conf := filepath.Join(t.TempDir(), "pimsync.conf")
	if err := os.WriteFile(conf, []byte(`status_path /tmp/s
storage local {
	type vdir/vcard
	path /tmp/contacts
}
storage fastmail {
	type carddav
	url https://carddav.fastmail.com/
}
storage nextcloud {
	type caldav
	url https://cloud.example.com/remote.php/dav/
}
pair contacts {
	storage_a local
	storage_b fastmail
	collections from b
}
`), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		words []string
		want  string
	}{
		{[]string{"-c", conf, "ls", "--storage", ""}, "words\nfastmail\nnextcloud\n"},
		{[]string{"--config=" + conf, "--storage", "n"}, "words\nnextcloud\n"},
		{[]string{"put", "https://dav.example.com/cal/a.ics", ""}, "files\n"},
		{[]string{"proppatch", "https://dav.example.com/cal/", "d"}, "words\ndisplayname\ndescription\n"},
	} {
		code, out, errOut := davcli(t, "", append([]string{"__complete", "bash"}, tt.words...)...)
		if code != 0 || out != tt.want {
			t.Errorf("%q: exit %d, got %q (%s), want %q", tt.words, code, out, errOut, tt.want)
		}
	}
}
