// Package item reads the few facts a sync needs from an iCalendar (RFC 5545) or vCard
// (RFC 2426, RFC 6350) item without decoding it: its logical lines, its main component,
// its UID and a hash that identifies its content.
//
// Item bytes are never re-encoded: full decoders such as go-ical and go-vcard do not
// round-trip, so a sync that rewrote items through them would lose data. Every function
// here only reads its input, accepts any byte slice and never panics.
package item
