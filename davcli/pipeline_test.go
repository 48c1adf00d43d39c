package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/pimsync-go/libsync/cli/clitest"
	"github.com/pimsync-go/libsync/testserver"
)

// stage is one command of a pipeline: davcli's arguments, or a filter standing in for
// jq over JSON lines.
type stage struct {
	args   []string
	filter func(line map[string]any) bool
}

// pipe runs the stages against srv, each one's stdout the next one's stdin, as the
// README's pipelines do in a shell, and returns the last stdout. Every davcli stage
// must exit 0.
func pipe(t *testing.T, srv testserver.Server, stdin string, stages ...stage) string {
	t.Helper()
	data := stdin
	for _, s := range stages {
		if s.filter != nil {
			var kept []string
			for _, o := range clitest.JSONLines(t, data) {
				if s.filter(o) {
					b, _ := json.Marshal(o)
					kept = append(kept, string(b)+"\n")
				}
			}
			data = strings.Join(kept, "")
			continue
		}
		data, _ = onRaw(t, srv, 0, data, s.args...)
	}
	return data
}

func davcliStage(args ...string) stage { return stage{args: args} }

// discoverLine is what pimsync-discover prints for srv's CalDAV service (docs/json.md
// "pimsync-discover"): the test checks it against that contract, so that it stays what
// the real tool prints.
func discoverLine(t *testing.T, srv testserver.Server, cals ...string) string {
	t.Helper()
	var cols []map[string]any
	for _, c := range cals {
		id := strings.Trim(c[strings.LastIndex(strings.TrimSuffix(c, "/"), "/"):], "/")
		cols = append(cols, map[string]any{"id": id, "href": c, "displayname": "", "color": "", "description": "",
			"components": []string{"VEVENT", "VTODO"}, "ctag": true, "sync_token": true})
	}
	line := map[string]any{"service": "caldav", "found_by": "url", "context_url": srv.URL, "principal": "",
		"home_set": srv.CalendarHome, "collections": cols}
	var fields []string
	for k := range line {
		fields = append(fields, k)
	}
	sort.Strings(fields)
	if want := clitest.DocumentedFields(t, jsonDoc, "pimsync-discover"); !reflect.DeepEqual(fields, want) {
		t.Fatalf("pimsync-discover prints %q now; this test feeds davcli %q", want, fields)
	}
	b, _ := json.Marshal(line)
	return string(b) + "\n"
}

// The README's davcli pipelines, run as a shell would run them.
func TestReadmePipelines(t *testing.T) {
	srv := testserver.Xandikos(t)
	work, other := srv.NewCalendar(t), srv.NewCalendar(t)
	rawPut(t, srv, work+"plain.ics", event("plain", "Fine"))
	rawPut(t, srv, work+"spam-1.ics", event("spam-1", "Buy now"))
	rawPut(t, srv, other+"no-uid.ics", event("", "Without UID"))
	rawPut(t, srv, other+"dup-a.ics", event("dup", "One"))
	rawPut(t, srv, other+"dup-b.ics", event("dup ", "Two"))

	// pimsync-discover me@example.com | davcli ls - --uid
	out := pipe(t, srv, discoverLine(t, srv, work, other), davcliStage("ls", "-", "--uid"))
	ls := byURL(clitest.JSONLines(t, out))
	if len(ls) != 5 || ls[work+"plain.ics"]["uid"] != "plain" || ls[other+"no-uid.ics"]["uid"] != "" {
		t.Fatalf("discover | ls: %v", ls)
	}

	// Other tests' collections on the same server are left out (jq: select(.url == …)).
	mine := stage{filter: func(o map[string]any) bool { return o["url"] == work || o["url"] == other }}

	// The same with the real tool: pimsync-discover --caldav URL | davcli collections - |
	// jq … | davcli ls - --uid.
	bin := filepath.Join(t.TempDir(), "pimsync-discover")
	if out, err := exec.Command("go", "build", "-o", bin, "../pimsync-discover").CombinedOutput(); err != nil {
		t.Fatalf("building pimsync-discover: %v\n%s", err, out)
	}
	discover := exec.Command(bin, "--caldav", "-u", srv.User, srv.URL)
	discover.Env = append(os.Environ(), "DAVCLI_PASSWORD="+srv.Password)
	found, err := discover.Output()
	if err != nil {
		t.Fatalf("pimsync-discover: %v", err)
	}
	out = pipe(t, srv, string(found), davcliStage("collections", "-"), mine, davcliStage("ls", "-", "--uid"))
	if ls2 := byURL(clitest.JSONLines(t, out)); !reflect.DeepEqual(ls2, ls) {
		t.Fatalf("pimsync-discover | collections - | ls - --uid:\n%v\nwant\n%v", ls2, ls)
	}

	// davcli collections | davcli ls - --uid | jq -c 'select(.uid == "")' | davcli repair -
	// repairs the items without UID and leaves the duplicates alone.
	out = pipe(t, srv, "", davcliStage("collections"), mine, davcliStage("ls", "-", "--uid"),
		stage{filter: func(o map[string]any) bool { return o["uid"] == "" }}, davcliStage("repair", "-"))
	rep := clitest.JSONLines(t, out)
	clitest.CheckContract(t, jsonDoc, "davcli repair", rep)
	if len(rep) != 1 || rep[0]["url"] != other+"no-uid.ics" || rep[0]["written"] != true {
		t.Fatalf("repair of the UID-less items: %v", rep)
	}
	// The duplicates are repaired when their collection is named.
	out = pipe(t, srv, "", davcliStage("collections"), mine, davcliStage("repair", "-"))
	if rep := clitest.JSONLines(t, out); len(rep) != 1 || rep[0]["url"] != other+"dup-b.ics" || rep[0]["problem"] != "duplicate-uid" {
		t.Fatalf("repair of the collections: %v", rep)
	}

	// davcli ls "$CAL" --uid | jq -c 'select(.uid | startswith("spam-"))' | davcli rm -
	// deletes at the etags listed; an item changed since would be kept (412).
	out = pipe(t, srv, "", davcliStage("ls", work, "--uid"),
		stage{filter: func(o map[string]any) bool { return strings.HasPrefix(o["uid"].(string), "spam-") }}, davcliStage("rm", "-"))
	if rm := clitest.JSONLines(t, out); len(rm) != 1 || rm[0]["url"] != work+"spam-1.ics" {
		t.Fatalf("rm of the spam: %v", rm)
	}

	// davcli changes "$CAL" | tail -n 1 > state; … ; davcli changes - < state
	state := pipe(t, srv, "", davcliStage("changes", work), stage{filter: func(o map[string]any) bool { return o["change"] == "token" }})
	rawPut(t, srv, work+"new.ics", event("new", "Added meanwhile"))
	out = pipe(t, srv, state, davcliStage("changes", "-"))
	ch := byURL(clitest.JSONLines(t, out))
	if len(ch) != 2 || ch[work+"new.ics"]["change"] != "changed" || ch[""]["change"] != "token" {
		t.Fatalf("changes since the saved state: %v", ch)
	}
}
