package main

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// TestProgress: the line says which collection, items done of planned and the rate;
// it is redrawn in place, not within the first second (a quick sync shows nothing),
// and finish leaves the terminal line empty for the summary.
func TestProgress(t *testing.T) {
	var w bytes.Buffer
	p := &progress{w: &w}
	p.plan("cal/work", 4)
	p.step()
	if w.Len() != 0 {
		t.Fatalf("drawn within the first second: %q", w.String())
	}
	p.start = time.Now().Add(-2 * time.Second)
	p.step()
	if got := w.String(); !strings.HasPrefix(got, "\r\x1b[Kcal/work: 2/4 items, ") || !strings.HasSuffix(got, "/s") {
		t.Fatalf("progress line %q", got)
	}
	p.plan("cal/home", 2)
	p.drawn = time.Time{}
	p.step()
	if got := w.String(); !strings.Contains(got, "\r\x1b[K2 collections: 3/6 items, ") {
		t.Errorf("with two collections: %q", got)
	}
	w.Reset()
	p.finish()
	if w.String() != "\r\x1b[K" {
		t.Errorf("finish wrote %q", w.String())
	}
}
