package main

import (
	"os"
	"runtime"
)

// spareProcs is how many more threads than CPUs may run Go code at once.
//
// Writing thousands of items, a sync keeps goroutines in system calls that block:
// syncfs and the status database's fdatasync while the disk flushes, linkat while
// another writer holds the directory. Each such call keeps one of GOMAXPROCS's slots
// until the runtime's monitor takes it back, and with one slot per CPU the CPUs idle
// meanwhile though hundreds of goroutines are ready to run. With two spare slots an
// initial sync of 7,000 items between two vdirs on 2 CPUs took 0.46 s instead of
// 0.57 s (median of 10 alternated runs), and less CPU time.
const spareProcs = 2

// addSpareProcs raises GOMAXPROCS by spareProcs, unless the user set it.
func addSpareProcs() {
	if os.Getenv("GOMAXPROCS") != "" {
		return
	}
	runtime.GOMAXPROCS(runtime.GOMAXPROCS(0) + spareProcs)
}
