package main

import (
	"os"
	"syscall"
)

// peakRSS is the peak resident set size of a process that has exited, in bytes.
func peakRSS(ps *os.ProcessState) (int64, bool) {
	return ps.SysUsage().(*syscall.Rusage).Maxrss << 10, true // KiB on Linux
}
