package davtest

import (
	"bytes"
	"context"
	"time"

	"github.com/emersion/go-ical"
	"github.com/emersion/go-webdav/caldav"
)

// calBackend is the caldav.Backend over the store. Its errors are go-webdav's
// (webdav.NewHTTPError), the only ones whose status go-webdav passes on.
type calBackend struct {
	st *store
}

var _ caldav.Backend = calBackend{}

func (b calBackend) CurrentUserPrincipal(context.Context) (string, error) { return principal, nil }

func (b calBackend) CalendarHomeSetPath(context.Context) (string, error) { return calendarHome, nil }

func (b calBackend) CreateCalendar(_ context.Context, c *caldav.Calendar) error {
	return httpError(b.st.createCollection(calendarHome, c.Path, c.Name, c.Description))
}

func (b calBackend) ListCalendars(context.Context) ([]caldav.Calendar, error) {
	var out []caldav.Calendar
	for _, c := range b.st.collections(calendarHome) {
		out = append(out, calendarOf(c))
	}
	return out, nil
}

func (b calBackend) GetCalendar(_ context.Context, p string) (*caldav.Calendar, error) {
	c, err := b.st.collection(p)
	if err != nil {
		return nil, httpError(err)
	}
	cal := calendarOf(c)
	return &cal, nil
}

func calendarOf(c collection) caldav.Calendar {
	return caldav.Calendar{Path: c.path, Name: c.name, Description: c.description,
		SupportedComponentSet: []string{ical.CompEvent, ical.CompToDo, ical.CompJournal}}
}

// GetCalendarObject returns the whole object whatever req asks: go-webdav leaves
// trimming to the backend, and a sync always wants everything.
func (b calBackend) GetCalendarObject(_ context.Context, p string, _ *caldav.CalendarCompRequest) (*caldav.CalendarObject, error) {
	o, err := b.st.object(p)
	if err != nil {
		return nil, httpError(err)
	}
	co := calendarObjectOf(o)
	return &co, nil
}

func (b calBackend) ListCalendarObjects(_ context.Context, p string, _ *caldav.CalendarCompRequest) ([]caldav.CalendarObject, error) {
	objs, err := b.st.objects(p)
	if err != nil {
		return nil, httpError(err)
	}
	out := make([]caldav.CalendarObject, len(objs))
	for i, o := range objs {
		out[i] = calendarObjectOf(o)
	}
	return out, nil
}

func (b calBackend) QueryCalendarObjects(ctx context.Context, p string, q *caldav.CalendarQuery) ([]caldav.CalendarObject, error) {
	all, err := b.ListCalendarObjects(ctx, p, nil)
	if err != nil {
		return nil, err
	}
	return caldav.Filter(q, all)
}

func calendarObjectOf(o object) caldav.CalendarObject {
	return caldav.CalendarObject{Path: o.path, ModTime: o.mod, ContentLength: o.size, ETag: o.etag, Data: o.data.(*ical.Calendar)}
}

// PutCalendarObject stores cal as a CalDAV server must (RFC 4791 §4.1: one component
// type and one UID per resource, unique UIDs in a calendar) and, as Radicale does,
// adds the DTSTAMP that go-ical refuses to encode without.
func (b calBackend) PutCalendarObject(ctx context.Context, p string, cal *ical.Calendar, opts *caldav.PutCalendarObjectOptions) (*caldav.CalendarObject, error) {
	_, uid, err := caldav.ValidateCalendarObject(cal)
	if err != nil {
		return nil, caldav.NewPreconditionError(caldav.PreconditionValidCalendarObjectResource)
	}
	addStamps(cal)
	var buf bytes.Buffer
	if err := ical.NewEncoder(&buf).Encode(cal); err != nil {
		// Stored, it could never be served: every GET would fail.
		return nil, caldav.NewPreconditionError(caldav.PreconditionValidCalendarData)
	}
	o, err := b.st.put(object{path: p, uid: uid, size: int64(buf.Len()), data: cal},
		conditions{opts.IfMatch, opts.IfNoneMatch}, caldav.NewPreconditionError(caldav.PreconditionNoUIDConflict))
	if err != nil {
		return nil, httpError(err)
	}
	co := calendarObjectOf(o)
	return &co, nil
}

// addStamps gives every component that needs a DTSTAMP one.
func addStamps(cal *ical.Calendar) {
	for _, c := range cal.Children {
		switch c.Name {
		case ical.CompEvent, ical.CompToDo, ical.CompJournal, ical.CompFreeBusy:
			if c.Props.Get(ical.PropDateTimeStamp) == nil {
				c.Props.SetDateTime(ical.PropDateTimeStamp, time.Now().UTC())
			}
		}
	}
}

// DeleteCalendarObject is also what go-webdav calls to delete a calendar: its CalDAV
// backend has no DeleteCalendar.
func (b calBackend) DeleteCalendarObject(ctx context.Context, p string) error {
	return httpError(b.st.remove(p, deleteConditions(ctx)))
}
