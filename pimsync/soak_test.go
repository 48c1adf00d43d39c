package main

import (
	"context"
	"flag"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/pimsync-go/libsync/dav"
	"github.com/pimsync-go/libsync/testserver"
	vdir "github.com/pimsync-go/libvdir"
	"github.com/pimsync-go/libvdir/item"
)

var (
	soakRounds = flag.Int("soak.rounds", 30, "rounds of TestSoak (each: random changes on both sides, then a sync under faults)")
	soakSeed   = flag.Uint64("soak.seed", 0, "seed of TestSoak's changes and faults (0: from the clock, printed)")
)

// soakEvent is an event of the soak: its UID and a summary that says which change made it.
func soakEvent(uid, summary string) string {
	return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//pimsync soak//EN\r\nBEGIN:VEVENT\r\nUID:" + uid +
		"\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260105T100000Z\r\nDTEND:20260105T110000Z\r\nSUMMARY:" + summary +
		"\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
}

// TestSoak: rounds of random creates, edits and deletes on a vdir and on a real
// Radicale, each followed by a sync through a proxy that spoils a quarter of the
// requests (refused, dropped before or after the server acted, answers cut short or
// replaced by a 500, delays past the storage's timeout). Any item may be changed next,
// one whose last write lost its answer too. After the faults stop, one clean sync
// converges: every item the model says exists is on both sides exactly once with its
// last content (byte for byte where the server made it), and nothing else is. Each UID is changed on one side only (the side
// that made it), so the expected result has no conflicts. go test -run TestSoak -v
// -soak.rounds 100 runs longer; the log gives the counts to quote.
func TestSoak(t *testing.T) {
	srv := testserver.Radicale(t)
	seed := *soakSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d (-soak.seed to repeat)", seed)
	rng := rand.New(rand.NewPCG(seed, 1))
	proxy := testserver.NewFaultProxy(t, srv.URL, seed)

	id := fmt.Sprintf("soak-%d", seed%1_000_000_007)
	defer removeCollection(srv, id)
	dir := t.TempDir()
	a := filepath.Join(dir, "a")
	col := filepath.Join(a, id)
	e := &env{t: t, dir: dir, a: a, conf: filepath.Join(dir, "pimsync.conf")}
	config := func(timeout string) {
		server := davStorage("server", "caldav", proxy.URL, srv)
		if timeout != "" {
			server = strings.TrimSuffix(server, "}\n") + "\ttimeout " + timeout + "\n}\n"
		}
		write(t, e.conf, fmt.Sprintf("status_path %q\n", filepath.Join(dir, "status"))+
			fmt.Sprintf("storage a {\n\ttype vdir/icalendar\n\tpath %q\n}\n", a)+server+
			fmt.Sprintf("pair p {\n\tstorage_a a\n\tstorage_b server\n\tcollection %q\n}\n", id))
	}
	config("")

	ctx := context.Background()
	c := client(srv)
	calURL := srv.CalendarHome + id + "/"
	model := map[string]string{} // uid → summary of the items that should exist
	owner := map[string]byte{}   // uid → 'a' or 's': the side that changes it
	n := 0
	create := func(side byte) string {
		n++
		uid := fmt.Sprintf("%c-%d", side, n)
		model[uid], owner[uid] = "v0", side
		data := soakEvent(uid, "v0")
		if side == 'a' {
			write(t, filepath.Join(col, vdir.SafeName(uid, "ics")), data)
		} else if _, err := c.Replace(ctx, dav.Calendars, calURL+uid+".ics", []byte(data)); err != nil {
			t.Fatal(err)
		}
		return uid
	}
	for range 10 {
		create('a')
	}
	if lines := e.sync(0); total(lines, "created_b") != 10 {
		t.Fatalf("first sync: %v", lines)
	}
	// The server's items, with the hrefs the sync gave those it created.
	serverHref := func(uid string) string {
		if owner[uid] == 's' {
			return calURL + uid + ".ics"
		}
		items := serverItems(t, srv, calURL)
		return absolute(srv, items[uid].href)
	}

	// Under faults, a delay outlasts the client's timeout: the server carries out the
	// request the client gave up on.
	config("2")
	proxy.Delay = 3 * time.Second
	proxy.SetRate(0.25)
	var changes, failedSyncs int
	for round := 1; round <= *soakRounds; round++ {
		for range 3 + rng.IntN(5) {
			changes++
			uids := slices.Collect(maps.Keys(model))
			sort.Strings(uids) // the seed alone decides

			switch op := rng.IntN(10); {
			case op < 3 || len(uids) == 0:
				create("as"[rng.IntN(2)])
			case op < 8:
				uid := uids[rng.IntN(len(uids))]
				model[uid] = fmt.Sprintf("r%d-%d", round, changes)
				data := soakEvent(uid, model[uid])
				if owner[uid] == 'a' {
					write(t, filepath.Join(col, vdir.SafeName(uid, "ics")), data)
				} else if _, err := c.Replace(ctx, dav.Calendars, serverHref(uid), []byte(data)); err != nil {
					t.Fatal(err)
				}
			default:
				uid := uids[rng.IntN(len(uids))]
				if owner[uid] == 'a' {
					if err := os.Remove(filepath.Join(col, vdir.SafeName(uid, "ics"))); err != nil {
						t.Fatal(err)
					}
				} else if err := c.Delete(ctx, serverHref(uid), ""); err != nil {
					t.Fatal(err)
				}
				delete(model, uid)
			}
		}
		code, out, errOut := e.run("sync")
		if code == 2 || strings.Contains(errOut, "panic") {
			t.Fatalf("round %d: exit %d\n%s\n%s", round, code, out, errOut)
		}
		if code != 0 {
			failedSyncs++
		}
		// A write the sync gave up on may still land (a delay outlasts its timeout).
		// One that lands after the next sync read the server, nothing can tell from
		// another client's change; the soak is about the writes whose answer was lost.
		proxy.Wait()
	}

	proxy.SetRate(0)
	config("")
	e.run("sync") // what the faults left undone
	lines := e.sync(0)
	for _, f := range []string{"created_a", "created_b", "updated_a", "updated_b", "deleted_a", "deleted_b", "conflicts"} {
		if total(lines, f) != 0 {
			t.Errorf("the sync after the clean one still did something: %v", lines)
			break
		}
	}

	// Both sides hold exactly the model, each item once.
	bytesDiffer := 0
	local, remote := vdirItems(t, col), serverData(t, srv, calURL, false)
	for uid, summary := range model {
		for side, items := range map[string]map[string]string{"vdir": local, "server": remote} {
			data, ok := items[uid]
			switch {
			case !ok:
				t.Errorf("%s lost on the %s", uid, side)
			case !strings.Contains(strings.ReplaceAll(data, "\r\n ", ""), "SUMMARY:"+summary+"\r\n"):
				t.Errorf("%s on the %s is not its last version %s:\n%s", uid, side, summary, data)
			}
		}
		// The bytes: an item made on the server is in the vdir exactly as the server
		// serves it. Radicale rewrites what it is sent (property order, folding), so an
		// item made in the vdir is on the server with the same content, not the same bytes.
		l, r := local[uid], remote[uid]
		switch {
		case l == "" || r == "":
		case owner[uid] == 's' && l != r:
			bytesDiffer++
			t.Errorf("%s, made on the server, differs in the vdir:\n%q\n%q", uid, l, r)
		case item.Hash([]byte(l)) != item.Hash([]byte(r)):
			bytesDiffer++
			t.Errorf("%s, made in the vdir, has other content on the server:\n%q\n%q", uid, l, r)
		}
	}
	// A deleted item stays deleted, though a write whose answer a fault kept may have
	// put a newer version of it on the server before the deletion: the sync that
	// follows recognises that write as its own (by its intent) and deletes it.
	for uid := range local {
		if _, ok := model[uid]; !ok {
			t.Errorf("%s, deleted, is in the vdir", uid)
		}
	}
	for uid := range remote {
		if _, ok := model[uid]; !ok {
			t.Errorf("%s, deleted, is on the server", uid)
		}
	}
	figure(t, "soak: %d rounds, %d changes, %d syncs cut short by faults; %d faults injected (%s); "+
		"%d items checked on both sides, none lost, twice or back from deletion, %d differing",
		*soakRounds, changes, failedSyncs, proxy.Injected(), proxy.Summary(), len(model), bytesDiffer)
}

// figure logs a figure a test measured (counts of kills, faults, items) and, when
// $PIMSYNC_TEST_FIGURES names a file, appends it there: scripts/test prints that file,
// so a passing CI run shows the figures docs/reliability.md quotes.
func figure(t *testing.T, format string, args ...any) {
	t.Helper()
	line := fmt.Sprintf(format, args...)
	t.Log(line)
	if path := os.Getenv("PIMSYNC_TEST_FIGURES"); path != "" {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
		if err != nil {
			t.Errorf("figures file: %v", err)
			return
		}
		defer f.Close()
		fmt.Fprintln(f, line)
	}
}
