package davstore

import (
	"context"
	"fmt"

	"github.com/pimsync-go/libsync/dav"
	"github.com/pimsync-go/libsync/storage"
)

// SetFilter makes the storage's calendars list only the items that f, called at each
// listing, selects (start_date, end_date and item_types): a window relative to today
// moves as a daemon runs for months. The rest of a calendar is listed as Outside,
// which a sync leaves alone. A filtered calendar is always listed in full: its version
// cannot tell that an item came into the window by the passing of time alone. Only
// calendars can be filtered.
func (s *Storage) SetFilter(f func() dav.Filter) error {
	if s.kind != dav.Calendars {
		return fmt.Errorf("only calendars can be filtered")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.filter = f
	return nil
}

func (s *Storage) filterFunc() func() dav.Filter {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.filter
}

// ListFiltered lists the collection in full (PROPFIND) and asks the server which of
// its items f selects (calendar-query, dav.Client.Query); the others are Outside. Both
// listings are needed: the query alone cannot tell an item outside the filter from a
// deleted one.
func (c *Collection) ListFiltered(ctx context.Context, f dav.Filter) (storage.Listing, error) {
	if c.s.kind != dav.Calendars {
		return storage.Listing{}, fmt.Errorf("list %s: only calendars can be filtered", c.url)
	}
	full, err := c.List(ctx)
	if err != nil {
		return storage.Listing{}, err
	}
	sel, err := c.s.c.Query(ctx, c.url, f)
	if err != nil {
		return storage.Listing{}, err
	}
	in := make(map[string]bool, len(sel))
	for _, r := range sel {
		in[canonicalHref(r.Href)] = true
	}
	out := storage.Listing{Unreadable: full.Unreadable}
	for _, e := range full.Items {
		// An item the query names but the PROPFIND did not is new since the listing;
		// the next sync sees it in both.
		if in[e.Href] {
			out.Items = append(out.Items, e)
		} else {
			out.Outside = append(out.Outside, e)
		}
	}
	return out, nil
}

// filtered is a calendar of a storage with a filter. It is not a storage.ChangeLister:
// the changes since a token say nothing of items that came into the window. Nor is it
// a storage.AllGetter: the window may hold a small part of the calendar.
type filtered struct {
	c *Collection
	f func() dav.Filter
}

// List lists the calendar split by the filter as it stands now.
func (f filtered) List(ctx context.Context) (storage.Listing, error) {
	return f.c.ListFiltered(ctx, f.f())
}

// Get fetches items as Collection.Get does.
func (f filtered) Get(ctx context.Context, hrefs []string) ([]storage.Item, error) {
	return f.c.Get(ctx, hrefs)
}

// Create stores a new item as Collection.Create does.
func (f filtered) Create(ctx context.Context, ident string, data []byte) (string, string, error) {
	return f.c.Create(ctx, ident, data)
}

// Update replaces an item as Collection.Update does.
func (f filtered) Update(ctx context.Context, href, etag string, data []byte) (string, error) {
	return f.c.Update(ctx, href, etag, data)
}

// Delete removes an item as Collection.Delete does.
func (f filtered) Delete(ctx context.Context, href, etag string) error {
	return f.c.Delete(ctx, href, etag)
}

// Props returns the calendar's properties as Collection.Props does.
func (f filtered) Props(ctx context.Context) (map[storage.Prop]string, error) {
	return f.c.Props(ctx)
}

// SetProp sets a property as Collection.SetProp does.
func (f filtered) SetProp(ctx context.Context, p storage.Prop, value string) error {
	return f.c.SetProp(ctx, p, value)
}

// SupportedProps are a calendar's.
func (f filtered) SupportedProps() []storage.Prop { return f.c.SupportedProps() }

// ForceUpdate writes without If-Match as Collection.ForceUpdate does.
func (f filtered) ForceUpdate(ctx context.Context, href string, data []byte) (string, error) {
	return f.c.ForceUpdate(ctx, href, data)
}

// ForceDelete deletes without If-Match as Collection.ForceDelete does.
func (f filtered) ForceDelete(ctx context.Context, href string) error {
	return f.c.ForceDelete(ctx, href)
}
