package main

import (
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

// gcPercent returns the current GOGC.
func gcPercent() int {
	p := debug.SetGCPercent(100)
	debug.SetGCPercent(p)
	return p
}

func TestDeferFirstGC(t *testing.T) {
	defer debug.SetGCPercent(gcPercent())
	t.Setenv("GOGC", "50")
	debug.SetGCPercent(50)
	deferFirstGC()
	if got := gcPercent(); got != 50 {
		t.Errorf("with GOGC=50 set: GOGC %d after, want 50", got)
	}

	t.Setenv("GOGC", "")
	debug.SetGCPercent(100)
	deferFirstGC()
	if got := gcPercent(); got != firstGCPercent {
		t.Fatalf("GOGC %d before the first collection, want %d", got, firstGCPercent)
	}
	for deadline := time.Now().Add(5 * time.Second); gcPercent() != 100 && time.Now().Before(deadline); {
		runtime.GC()
		time.Sleep(time.Millisecond)
	}
	if got := gcPercent(); got != 100 {
		t.Errorf("GOGC %d after a collection, want 100", got)
	}
}
