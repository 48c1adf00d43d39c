package main

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// progress keeps one line on a terminal up to date during a long sync: actions done
// out of planned, over every collection syncing at the moment, and the rate. It draws
// at most ten times a second and only once the sync has taken a second, so short syncs
// print nothing.
type progress struct {
	w     io.Writer
	mu    sync.Mutex
	name  string // the collection planned last
	cols  int    // collections planned
	done  int
	total int
	start time.Time
	drawn time.Time
	shown bool
}

func (p *progress) plan(name string, total int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.start.IsZero() {
		p.start = time.Now()
	}
	p.name, p.cols, p.total = name, p.cols+1, p.total+total
}

func (p *progress) step() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done++
	now := time.Now()
	if now.Sub(p.start) < time.Second || now.Sub(p.drawn) < 100*time.Millisecond && p.done < p.total {
		return
	}
	p.drawn, p.shown = now, true
	rate := float64(p.done) / now.Sub(p.start).Seconds()
	what := p.name
	if p.cols > 1 {
		what = fmt.Sprintf("%d collections", p.cols)
	}
	fmt.Fprintf(p.w, "\r\x1b[K%s: %d/%d items, %.0f/s", what, p.done, p.total, rate)
}

// clear removes the line, before a log message or the summary is printed.
func (p *progress) clear() {
	if p.shown {
		fmt.Fprint(p.w, "\r\x1b[K")
		p.shown = false
	}
}

func (p *progress) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clear()
}
