//go:build race

package main

// raceEnabled: the race detector multiplies a process's memory, so tests that bound it
// only log the figure.
const raceEnabled = true
