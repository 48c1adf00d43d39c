package syncer

import (
	"sync"

	"github.com/pimsync-go/libsync/plan"
	"github.com/pimsync-go/libsync/status"
)

// What TestModel's pair runs on besides the storages: a status whose writes crash
// together with the storages', and a log of the actions each sync took.

// crasher fails every write once left reaches zero, like a process killed there;
// left < 0 never fails. It counts the writes tried.
type crasher struct {
	mu     sync.Mutex
	left   int
	writes int
}

func (c *crasher) write() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.writes++
	switch {
	case c.left == 0:
		return errCrashed
	case c.left > 0:
		c.left--
	}
	return nil
}

func (c *crasher) set(left int) (writes int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.left = left
	return c.writes
}

// crashStatus is a memStatus whose writes share the storages' crasher.
type crashStatus struct {
	*memStatus
	c *crasher
}

func (s crashStatus) PutMapping(mp status.Mapping) error {
	if err := s.c.write(); err != nil {
		return err
	}
	return s.memStatus.PutMapping(mp)
}

func (s crashStatus) DeleteMapping(key string) error {
	if err := s.c.write(); err != nil {
		return err
	}
	return s.memStatus.DeleteMapping(key)
}

func (s crashStatus) PutItem(key string, it status.Item) error {
	if err := s.c.write(); err != nil {
		return err
	}
	return s.memStatus.PutItem(key, it)
}

func (s crashStatus) DeleteItem(key, ident string) error {
	if err := s.c.write(); err != nil {
		return err
	}
	return s.memStatus.DeleteItem(key, ident)
}

func (s crashStatus) PutProp(key, name, value string) error {
	if err := s.c.write(); err != nil {
		return err
	}
	return s.memStatus.PutProp(key, name, value)
}

func (s crashStatus) DeleteProp(key, name string) error {
	if err := s.c.write(); err != nil {
		return err
	}
	return s.memStatus.DeleteProp(key, name)
}

// actionLog records the actions of one sync.
type actionLog struct {
	mu   sync.Mutex
	acts map[string][]plan.Action // by collection key
}

func (l *actionLog) on(key string, a plan.Action, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.acts == nil {
		l.acts = map[string][]plan.Action{}
	}
	l.acts[key] = append(l.acts[key], a)
}

func (l *actionLog) take() map[string][]plan.Action {
	l.mu.Lock()
	defer l.mu.Unlock()
	acts := l.acts
	l.acts = nil
	return acts
}
