//go:build !linux

package watch

import (
	"os"
	"strconv"
	"sync"
	"time"
)

// poller lists each directory every Poll and reports those whose entries differ.
type poller struct {
	send func(Event)
	stop chan struct{}
	done chan struct{}

	mu    sync.Mutex
	state map[string]map[string]string // dir → name → size and mtime
}

func newImpl(send func(Event)) (impl, error) {
	p := &poller{send: send, stop: make(chan struct{}), done: make(chan struct{}), state: map[string]map[string]string{}}
	go p.loop()
	return p, nil
}

func snapshot(dir string) map[string]string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	out := make(map[string]string, len(entries))
	for _, e := range entries {
		if fi, err := e.Info(); err == nil {
			out[e.Name()] = fi.ModTime().String() + " " + strconv.FormatInt(fi.Size(), 10)
		}
	}
	return out
}

func (p *poller) add(dir string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.state[dir]; !ok {
		p.state[dir] = snapshot(dir)
	}
	return nil
}

func (p *poller) remove(dir string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.state, dir)
}

func (p *poller) close() error {
	close(p.stop)
	<-p.done
	return nil
}

func (p *poller) loop() {
	defer close(p.done)
	t := time.NewTicker(Poll)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-t.C:
		}
		p.mu.Lock()
		var changed []string
		for dir, old := range p.state {
			now := snapshot(dir)
			if !same(old, now) {
				changed = append(changed, dir)
				p.state[dir] = now
			}
		}
		p.mu.Unlock()
		for _, dir := range changed {
			p.send(Event{Dir: dir})
		}
	}
}

func same(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
