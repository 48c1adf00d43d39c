package storage

import (
	"context"
	"fmt"
)

// ReadOnly wraps s so that every write fails with ErrReadOnly. The planner never plans
// writes to a read-only side; this makes sure no bug can make one anyway.
func ReadOnly(s Storage) Storage { return readOnly{s} }

type readOnly struct{ Storage }

// Unwrap returns the storage a wrapper such as ReadOnly wraps, or s itself, for callers
// that need to know what kind of storage it is.
func Unwrap(s Storage) Storage {
	if r, ok := s.(readOnly); ok {
		return r.Storage
	}
	return s
}

func (r readOnly) Collection(ctx context.Context, href string) (Collection, error) {
	c, err := r.Storage.Collection(ctx, href)
	if err != nil {
		return nil, err
	}
	return readOnlyCollection{c, r.String()}, nil
}

func (r readOnly) CreateCollection(ctx context.Context, id string) (CollectionInfo, error) {
	return CollectionInfo{}, fmt.Errorf("create collection %s in %s: %w", id, r, ErrReadOnly)
}

func (r readOnly) DeleteCollection(ctx context.Context, href string) error {
	return fmt.Errorf("delete collection %s: %w", href, ErrReadOnly)
}

type readOnlyCollection struct {
	Collection
	name string
}

func (r readOnlyCollection) Create(ctx context.Context, ident string, data []byte) (string, string, error) {
	return "", "", fmt.Errorf("create %s in %s: %w", ident, r.name, ErrReadOnly)
}

func (r readOnlyCollection) Update(ctx context.Context, href, etag string, data []byte) (string, error) {
	return "", fmt.Errorf("update %s: %w", href, ErrReadOnly)
}

func (r readOnlyCollection) Delete(ctx context.Context, href, etag string) error {
	return fmt.Errorf("delete %s: %w", href, ErrReadOnly)
}

func (r readOnlyCollection) SetProp(ctx context.Context, p Prop, value string) error {
	return fmt.Errorf("set %s: %w", p, ErrReadOnly)
}

// Changes passes the wrapped collection's change listing through: a read-only server
// calendar (a subscription) is as cheap to follow as any other.
func (r readOnlyCollection) Changes(ctx context.Context, token string) (Changes, error) {
	if cl, ok := r.Collection.(ChangeLister); ok {
		return cl.Changes(ctx, token)
	}
	return Changes{}, fmt.Errorf("changes of %s: %w", r.name, ErrUnsupported)
}

// GetAll passes the wrapped collection's GetAll through.
func (r readOnlyCollection) GetAll(ctx context.Context, fn func(Item) error) error {
	if ag, ok := r.Collection.(AllGetter); ok {
		return ag.GetAll(ctx, fn)
	}
	return fmt.Errorf("all items of %s: %w", r.name, ErrUnsupported)
}

// Local passes the wrapped collection's answer through.
func (r readOnlyCollection) Local() bool {
	l, ok := r.Collection.(Local)
	return ok && l.Local()
}

// SupportedProps passes the wrapped collection's answer through.
func (r readOnlyCollection) SupportedProps() []Prop {
	return Supported(r.Collection)
}
