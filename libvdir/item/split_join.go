package item

import (
	"bytes"
	"fmt"
	"io"
)

// Join writes items as one feed, the reverse of Split: calendar items become one
// VCALENDAR with the first item's header properties, each VTIMEZONE once (the first
// definition of a TZID) and every item's components in order; vCards are written one
// after another. Lines are copied as the items have them. An item that does not parse
// as Split needs it, or a mix of calendars and cards, is an error naming the item's
// index, and then nothing is written.
func Join(w io.Writer, items [][]byte) error {
	feeds := make([]*feed, 0, len(items))
	for i, data := range items {
		f, err := scanFeed(data)
		if err != nil {
			return fmt.Errorf("item %d: %w", i, err)
		}
		if len(feeds) > 0 && f.vcard != feeds[0].vcard {
			return fmt.Errorf("item %d: calendars and cards cannot share a feed", i)
		}
		feeds = append(feeds, f)
	}
	if len(feeds) == 0 {
		return nil
	}
	var buf bytes.Buffer
	first := feeds[0]
	if first.vcard {
		for _, f := range feeds {
			for _, g := range f.groups {
				for _, c := range g.comps {
					f.writeSpan(&buf, c.start, c.end)
				}
			}
		}
		_, err := w.Write(buf.Bytes())
		return err
	}
	buf.Write(first.begin)
	for _, h := range first.header {
		first.writeSpan(&buf, h[0], h[1])
	}
	seen := map[string]bool{}
	for _, f := range feeds {
		for _, tz := range f.tzs {
			if !seen[tz.uid] {
				seen[tz.uid] = true
				f.writeSpan(&buf, tz.start, tz.end)
			}
		}
	}
	for _, f := range feeds {
		for _, g := range f.groups {
			for _, c := range g.comps {
				f.writeSpan(&buf, c.start, c.end)
			}
		}
	}
	end := first.end
	if end == nil {
		end = append([]byte("END:VCALENDAR"), first.eol...)
	}
	buf.Write(end)
	_, err := w.Write(buf.Bytes())
	return err
}
