package davstore

import (
	"context"
	"fmt"

	"github.com/pimsync-go/libsync/dav"
	"github.com/pimsync-go/libsync/storage"
)

// FilteredListing is a calendar's listing split by a filter (start_date, end_date,
// item_types).
type FilteredListing struct {
	// Listing holds the items the filter selects, with the etags of the full listing.
	storage.Listing
	// Outside are the items the collection holds that the filter leaves out. A sync
	// must treat them as present and leave them alone, never as deleted: an item
	// leaves a moving window by the passing of time alone, and servers do not filter
	// exactly (Xandikos leaves out recurring events that began before the window).
	Outside []storage.Entry
}

// ListFiltered lists the collection in full (PROPFIND) and asks the server which of
// its items f selects (calendar-query, dav.Client.Query). Both listings are needed:
// the query alone cannot tell an item outside the filter from a deleted one. Only
// calendars can be filtered.
func (c *Collection) ListFiltered(ctx context.Context, f dav.Filter) (FilteredListing, error) {
	if c.s.kind != dav.Calendars {
		return FilteredListing{}, fmt.Errorf("list %s: only calendars can be filtered", c.url)
	}
	full, err := c.List(ctx)
	if err != nil {
		return FilteredListing{}, err
	}
	sel, err := c.s.c.Query(ctx, c.url, f)
	if err != nil {
		return FilteredListing{}, err
	}
	in := make(map[string]bool, len(sel))
	for _, r := range sel {
		in[r.Href] = true
	}
	out := FilteredListing{Listing: storage.Listing{Unreadable: full.Unreadable}}
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
