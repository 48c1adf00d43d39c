package main

import (
	"os"
	"runtime"
	"runtime/debug"
)

// firstGCPercent is GOGC until the first garbage collection of the process.
//
// The runtime first collects at a 4 MiB heap (times GOGC/100). A sync with little to do
// allocates a few MiB (the status records and the vdir listing of 1,000 items, the
// plan), so with the default it collects once just before it exits, while it plans. At
// 400 the first collection waits for 16 MiB; from there on GOGC is the default again, so
// a sync whose heap passes 16 MiB peaks where it did, and one that stays below holds up
// to 16 MiB of garbage. Measured: 30 alternated no-ops against a Radicale of two
// calendars of 1,000 events, the work after the one request took 4.7 ms instead of
// 7.0 ms (medians); peak RSS stayed at 49 MiB for an initial vdir sync of 7,000 items
// and at 57.7 MiB for a download of 10,000 events from Radicale (scripts/bench
// --scenarios rss), and went from about 22 to 29 MiB for an upload of 1,000.
const firstGCPercent = 400

// deferFirstGC sets GOGC to firstGCPercent until the first collection and back to 100
// once that collection has run. A user's GOGC is left alone.
func deferFirstGC() {
	if os.Getenv("GOGC") != "" {
		return
	}
	debug.SetGCPercent(firstGCPercent)
	// The cleanup runs after the first collection that finds the object unreachable,
	// which is the first one. It holds a pointer, so that the runtime does not pack it
	// with other small objects (whose cleanups may then wait for them).
	runtime.AddCleanup(&struct{ p *int }{}, func(int) { debug.SetGCPercent(100) }, 0)
}
