package config

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pimsync-go/libsync/scfg"
)

// ItemTypes are the components item_types accepts: what a CalDAV calendar-query can
// select (RFC 4791 §9.7.1).
var ItemTypes = []string{"VEVENT", "VTODO", "VJOURNAL"}

// DateSpec is a start_date or end_date: a fixed day, or a distance from the day a sync
// runs. It is data, never code (vdirsyncer evaluated Python expressions here): the
// syntax is [+-]N followed by d, w, m or y, or YYYY-MM-DD.
type DateSpec struct {
	// Fixed is the day for an absolute date, midnight UTC; zero for a relative one.
	Fixed time.Time
	// N and Unit are the distance of a relative date: N may be negative; Unit is 'd'
	// (days), 'w' (weeks), 'm' (months) or 'y' (years).
	N    int
	Unit byte
	// Text is the value as written, for messages.
	Text string
}

// IsSet reports whether the directive was given.
func (d DateSpec) IsSet() bool { return d.Text != "" }

// At returns the moment the spec stands for when a sync runs at now: a fixed day, or
// now's day (UTC midnight) moved by N units. Relative dates are taken at sync time, not
// when the configuration is read, so a daemon that runs for months keeps a moving
// window.
func (d DateSpec) At(now time.Time) time.Time {
	if !d.Fixed.IsZero() {
		return d.Fixed
	}
	y, m, day := now.UTC().Date()
	base := time.Date(y, m, day, 0, 0, 0, 0, time.UTC)
	switch d.Unit {
	case 'w':
		return base.AddDate(0, 0, 7*d.N)
	case 'm':
		return base.AddDate(0, d.N, 0)
	case 'y':
		return base.AddDate(d.N, 0, 0)
	}
	return base.AddDate(0, 0, d.N)
}

// maxRelative bounds N so that At never overflows: 10000 years of any unit.
const maxRelative = 10000 * 366

// ParseDateSpec reads a start_date or end_date value.
func ParseDateSpec(s string) (DateSpec, error) {
	if s == "" {
		return DateSpec{}, fmt.Errorf("date is empty")
	}
	if len(s) == 10 && s[4] == '-' && s[7] == '-' {
		t, err := time.Parse("2006-01-02", s)
		if err != nil {
			return DateSpec{}, fmt.Errorf("%s is not a date YYYY-MM-DD", scfg.Quote(s))
		}
		return DateSpec{Fixed: t, Text: s}, nil
	}
	bad := fmt.Errorf("%s is neither a date YYYY-MM-DD nor a distance from today such as -365d, +2y, -6m or +4w", scfg.Quote(s))
	if s[0] != '+' && s[0] != '-' || len(s) < 3 {
		return DateSpec{}, bad
	}
	unit := s[len(s)-1]
	digits := s[1 : len(s)-1]
	if !strings.ContainsRune("dwmy", rune(unit)) || strings.Trim(digits, "0123456789") != "" {
		return DateSpec{}, bad
	}
	n, err := strconv.Atoi(digits)
	if err != nil || n > maxRelative {
		return DateSpec{}, fmt.Errorf("%s is too far from today", scfg.Quote(s))
	}
	if s[0] == '-' {
		n = -n
	}
	return DateSpec{N: n, Unit: unit, Text: s}, nil
}

// filters reads start_date, end_date, item_types and post_hook into s.
func (p *parser) filters(s *Storage, got map[string][]*scfg.Directive) {
	var start, end *scfg.Directive
	if x := first(got["start_date"]); x != nil {
		if d, err := ParseDateSpec(x.Params[0]); err != nil {
			p.atParam(x, 0, "start_date: %v", err)
		} else {
			s.StartDate, start = d, x
		}
	}
	if x := first(got["end_date"]); x != nil {
		if d, err := ParseDateSpec(x.Params[0]); err != nil {
			p.atParam(x, 0, "end_date: %v", err)
		} else {
			s.EndDate, end = d, x
		}
	}
	switch gs, ge := first(got["start_date"]), first(got["end_date"]); {
	case gs != nil && ge == nil:
		// As in vdirsyncer: a window has two ends, and some servers mishandle an open
		// time-range (RFC 4791 allows one).
		p.at(gs, "start_date needs an end_date too")
	case ge != nil && gs == nil:
		p.at(ge, "end_date needs a start_date too")
	case start != nil && end != nil:
		// Compare at a fixed moment: two relative dates keep their order at any time,
		// and a mix is checked for today.
		if now := time.Now(); !s.StartDate.At(now).Before(s.EndDate.At(now)) {
			p.atParam(end, 0, "end_date %s is not after start_date %s", s.EndDate.Text, s.StartDate.Text)
		}
	}
	if x := first(got["item_types"]); x != nil {
		for i, v := range x.Params {
			t := strings.ToUpper(v)
			switch {
			case !slices.Contains(ItemTypes, t):
				p.atParam(x, i, "item_types: %s is not one of %s", scfg.Quote(v), strings.Join(ItemTypes, ", "))
			case slices.Contains(s.ItemTypes, t):
				p.atParam(x, i, "item_types: %s given twice", t)
			default:
				s.ItemTypes = append(s.ItemTypes, t)
			}
		}
	}
	if x := first(got["post_hook"]); x != nil {
		s.PostHook = x.Params[0]
		if s.PostHook == "" {
			p.atParam(x, 0, "post_hook is empty")
		}
	}
}
