package syncer

import (
	"errors"
	"sort"
	"sync"

	"github.com/pimsync-go/libsync/status"
)

// errCrashed is what memStatus returns once it has "crashed".
var errCrashed = errors.New("crashed")

// memStatus is an in-memory Status for tests; the model test runs many thousands of
// syncs, which the real database's two fsyncs per commit would make slow. Setting
// crashAfter makes it fail every write after that many, like a process killed there.
type memStatus struct {
	mu         sync.Mutex
	mappings   map[string]status.Mapping
	items      map[string]map[string]status.Item
	props      map[string]map[string]string
	state      map[string]map[string]string
	intents    map[string]map[string]status.Item
	writes     int
	crashAfter int // 0: never
}

func newMemStatus() *memStatus {
	return &memStatus{mappings: map[string]status.Mapping{}, items: map[string]map[string]status.Item{},
		props: map[string]map[string]string{}, state: map[string]map[string]string{}}
}

func (m *memStatus) write() error {
	m.writes++
	if m.crashAfter > 0 && m.writes > m.crashAfter {
		return errCrashed
	}
	return nil
}

func (m *memStatus) Mapping(key string) (status.Mapping, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	mp, ok := m.mappings[key]
	return mp, ok, nil
}

func (m *memStatus) Mappings() ([]status.Mapping, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []status.Mapping
	for _, mp := range m.mappings {
		out = append(out, mp)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

func (m *memStatus) PutMapping(mp status.Mapping) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.write(); err != nil {
		return err
	}
	m.mappings[mp.Key] = mp
	return nil
}

func (m *memStatus) DeleteMapping(key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.write(); err != nil {
		return err
	}
	delete(m.mappings, key)
	delete(m.items, key)
	delete(m.props, key)
	delete(m.state, key)
	delete(m.intents, key)
	return nil
}

func (m *memStatus) Items(key string) ([]status.Item, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []status.Item
	for _, it := range m.items[key] {
		out = append(out, it)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Ident < out[j].Ident })
	return out, nil
}

func (m *memStatus) PutItem(key string, it status.Item) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.write(); err != nil {
		return err
	}
	if m.items[key] == nil {
		m.items[key] = map[string]status.Item{}
	}
	m.items[key][it.Ident] = it
	delete(m.intents[key], it.Ident)
	return nil
}

func (m *memStatus) DeleteItem(key, ident string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.write(); err != nil {
		return err
	}
	delete(m.items[key], ident)
	delete(m.intents[key], ident)
	return nil
}

func (m *memStatus) Props(key string) (map[string]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[string]string{}
	for k, v := range m.props[key] {
		out[k] = v
	}
	return out, nil
}

func (m *memStatus) PutProp(key, name, value string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.write(); err != nil {
		return err
	}
	if m.props[key] == nil {
		m.props[key] = map[string]string{}
	}
	m.props[key][name] = value
	return nil
}

func (m *memStatus) DeleteProp(key, name string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.write(); err != nil {
		return err
	}
	delete(m.props[key], name)
	return nil
}

func (m *memStatus) State(key, name string) (string, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.state[key][name]
	return v, ok, nil
}

// PutState is bookkeeping (collection versions), not a sync action: it fails after a
// crash like every write, but does not count as one.
func (m *memStatus) PutState(key, name, value string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.crashAfter > 0 && m.writes >= m.crashAfter {
		return errCrashed
	}
	if m.state[key] == nil {
		m.state[key] = map[string]string{}
	}
	m.state[key][name] = value
	return nil
}

// PutIntents counts as one write, as its one commit does.
func (m *memStatus) PutIntents(key string, intents []status.Item) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(intents) == 0 {
		return nil
	}
	if err := m.write(); err != nil {
		return err
	}
	if m.intents == nil {
		m.intents = map[string]map[string]status.Item{}
	}
	if m.intents[key] == nil {
		m.intents[key] = map[string]status.Item{}
	}
	for _, it := range intents {
		m.intents[key][it.Ident] = it
	}
	return nil
}

func (m *memStatus) Intents(key string) ([]status.Item, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []status.Item
	for _, it := range m.intents[key] {
		out = append(out, it)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Ident < out[j].Ident })
	return out, nil
}

func (m *memStatus) SettleIntents(key string, items []status.Item) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.write(); err != nil {
		return err
	}
	for _, it := range items {
		if m.items[key] == nil {
			m.items[key] = map[string]status.Item{}
		}
		m.items[key][it.Ident] = it
	}
	delete(m.intents, key)
	return nil
}
