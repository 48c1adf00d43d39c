// Package watch tells the daemon which local directories changed, so that it syncs a
// collection when an item file in it is written, renamed or removed, and the storage
// when a collection appears or goes, rather than waiting for the next poll.
//
// On Linux it uses inotify; elsewhere it compares directory listings (names, sizes,
// modification times) every Poll. Events carry only the directory: the sync reads what
// changed itself, and an event lost to an overflowing queue becomes an event for every
// directory (All), never silence.
package watch

import (
	"errors"
	"sync"
	"time"
)

// Event names a directory whose entries changed, or, with All set, says that changes
// may have been missed anywhere (the kernel's queue overflowed, a directory was moved).
type Event struct {
	Dir string
	All bool
}

// Poll is how often directories are listed where there is no inotify.
var Poll = 2 * time.Second

// ErrClosed is returned by Add after Close.
var ErrClosed = errors.New("watcher closed")

// Watcher watches directories (not their subdirectories) until Close.
type Watcher struct {
	// Events delivers what changed; it is closed by Close.
	Events <-chan Event
	events chan Event

	mu     sync.Mutex
	closed bool
	impl   impl
}

// impl is the system's way of watching.
type impl interface {
	add(dir string) error
	remove(dir string)
	close() error
}

// New starts a watcher with no directories.
func New() (*Watcher, error) {
	w := &Watcher{events: make(chan Event, 256)}
	w.Events = w.events
	im, err := newImpl(w.send)
	if err != nil {
		return nil, err
	}
	w.impl = im
	return w, nil
}

// send delivers an event without ever blocking the watching goroutine for long: when
// the daemon is busy and the channel full, the event becomes All, which the daemon
// handles by syncing everything it watches.
func (w *Watcher) send(e Event) {
	select {
	case w.events <- e:
	default:
		select {
		case w.events <- Event{All: true}:
		case <-time.After(time.Second):
		}
	}
}

// Add watches dir's entries. Adding a directory twice is harmless.
func (w *Watcher) Add(dir string) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return ErrClosed
	}
	return w.impl.add(dir)
}

// Remove stops watching dir.
func (w *Watcher) Remove(dir string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.closed {
		w.impl.remove(dir)
	}
}

// Close stops watching and closes Events.
func (w *Watcher) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return nil
	}
	w.closed = true
	err := w.impl.close() // returns once nothing sends any more
	close(w.events)
	return err
}
