package davtest

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"

	"github.com/emersion/go-webdav"
)

// This file fills the gaps of go-webdav's server (at the pinned version) that no backend
// can fill, since the requests never reach a backend method. Each is a request every
// CalDAV/CardDAV server people run answers; without them no storage test could run.
// TestGaps in davtest_test.go checks that the bare handlers still have these gaps, so an
// upgrade that closes one says which shim to drop.
//
//   - MKCALENDAR (RFC 4791 §5.3.1) is refused with 405: go-webdav's CalDAV server only
//     creates calendars with extended MKCOL (RFC 5689).
//   - PROPPATCH on a collection: CalDAV answers 501, CardDAV 207 with 405 for every
//     property. The shim keeps what go-webdav can report back in a PROPFIND (displayname
//     and the description) and refuses the rest with 403 (calendar-color and
//     calendar-order, which go-webdav never lists).
//   - DELETE does not pass If-Match to the backend, so a conditional delete would
//     succeed whatever the etag. The shim hands the conditions over in the context.

// nsCalDAV and nsCardDAV are the namespaces of the description properties.
const (
	nsCalDAV  = "urn:ietf:params:xml:ns:caldav"
	nsCardDAV = "urn:ietf:params:xml:ns:carddav"
)

// shim wraps go-webdav's handler for one home set.
type shim struct {
	next http.Handler
	st   *store
	home string
	// desc is the description property of this home's collections.
	desc xml.Name
	// mkcalendar: this home holds calendars, so MKCALENDAR makes one.
	mkcalendar bool
}

func (s shim) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case "MKCALENDAR":
		if s.mkcalendar {
			s.makeCalendar(w, r)
			return
		}
	case "PROPPATCH":
		if _, err := s.st.collection(r.URL.Path); err == nil {
			s.proppatch(w, r)
			return
		}
	case http.MethodDelete:
		c := conditions{webdav.ConditionalMatch(r.Header.Get("If-Match")), webdav.ConditionalMatch(r.Header.Get("If-None-Match"))}
		r = r.WithContext(context.WithValue(r.Context(), conditionsKey{}, c))
	}
	s.next.ServeHTTP(w, r)
}

// conditionsKey carries a DELETE's conditions from the shim to the backend.
type conditionsKey struct{}

// deleteConditions returns the conditions the shim put in ctx; none without the shim,
// which is go-webdav's own behaviour.
func deleteConditions(ctx context.Context) conditions {
	c, _ := ctx.Value(conditionsKey{}).(conditions)
	return c
}

// fromStore answers with the status of a store error.
func fromStore(w http.ResponseWriter, err error) {
	code := http.StatusInternalServerError
	var se *statusError
	if errors.As(err, &se) {
		code = se.code
	}
	http.Error(w, err.Error(), code)
}

// mkcalendarBody is the optional body of MKCALENDAR: the properties to set.
type mkcalendarBody struct {
	XMLName xml.Name `xml:"urn:ietf:params:xml:ns:caldav mkcalendar"`
	Set     []struct {
		Prop struct {
			DisplayName string `xml:"DAV: displayname"`
			Description string `xml:"urn:ietf:params:xml:ns:caldav calendar-description"`
		} `xml:"DAV: prop"`
	} `xml:"DAV: set"`
}

// makeCalendar creates the calendar as go-webdav's extended MKCOL would.
func (s shim) makeCalendar(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var m mkcalendarBody
	if len(body) > 0 {
		if err := xml.Unmarshal(body, &m); err != nil {
			http.Error(w, "invalid mkcalendar body: "+err.Error(), http.StatusBadRequest)
			return
		}
	}
	var name, desc string
	for _, set := range m.Set {
		name, desc = set.Prop.DisplayName, set.Prop.Description
	}
	if err := s.st.createCollection(s.home, r.URL.Path, name, desc); err != nil {
		fromStore(w, err)
		return
	}
	w.WriteHeader(http.StatusCreated)
}

// propertyUpdate is a PROPPATCH body: sets and removes, applied in order.
type propertyUpdate struct {
	XMLName xml.Name `xml:"DAV: propertyupdate"`
	Ops     []struct {
		XMLName xml.Name // DAV: set or DAV: remove
		Prop    struct {
			Values []struct {
				XMLName xml.Name
				Value   string `xml:",chardata"`
			} `xml:",any"`
		} `xml:"DAV: prop"`
	} `xml:",any"`
}

// proppatch applies a PROPPATCH to a collection, all or nothing (RFC 4918 §9.2).
func (s shim) proppatch(w http.ResponseWriter, r *http.Request) {
	var u propertyUpdate
	if err := xml.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&u); err != nil {
		http.Error(w, "invalid propertyupdate: "+err.Error(), http.StatusBadRequest)
		return
	}
	var name, desc *string
	var names, refused []xml.Name
	for _, op := range u.Ops {
		for _, p := range op.Prop.Values {
			v := p.Value
			if op.XMLName.Local == "remove" {
				v = ""
			}
			names = append(names, p.XMLName)
			switch p.XMLName {
			case xml.Name{Space: "DAV:", Local: "displayname"}:
				name = &v
			case s.desc:
				desc = &v
			default:
				refused = append(refused, p.XMLName)
			}
		}
	}
	if len(refused) == 0 {
		if err := s.st.setProps(r.URL.Path, name, desc); err != nil {
			fromStore(w, err)
			return
		}
	}
	writePropstats(w, r.URL.Path, names, refused)
}

// msProp is an empty property element, named in a propstat.
type msProp struct {
	XMLName xml.Name
}

type propstat struct {
	Prop struct {
		Values []msProp
	} `xml:"DAV: prop"`
	Status string `xml:"DAV: status"`
}

type multistatus struct {
	XMLName  xml.Name `xml:"DAV: multistatus"`
	Response struct {
		Href      string     `xml:"DAV: href"`
		Propstats []propstat `xml:"DAV: propstat"`
	} `xml:"DAV: response"`
}

// writePropstats answers a PROPPATCH: 200 for every property when none was refused,
// else 403 for the refused and 424 (failed dependency) for the others.
func writePropstats(w http.ResponseWriter, p string, names, refused []xml.Name) {
	status := func(code int) string { return fmt.Sprintf("HTTP/1.1 %d %s", code, http.StatusText(code)) }
	var ms multistatus
	ms.Response.Href = (&url.URL{Path: p}).EscapedPath()
	if len(refused) == 0 {
		ms.Response.Propstats = []propstat{propstatOf(names, status(http.StatusOK))}
	} else {
		ms.Response.Propstats = []propstat{propstatOf(refused, status(http.StatusForbidden))}
		var rest []xml.Name
		for _, n := range names {
			if !slices.Contains(refused, n) {
				rest = append(rest, n)
			}
		}
		if len(rest) > 0 {
			ms.Response.Propstats = append(ms.Response.Propstats, propstatOf(rest, status(http.StatusFailedDependency)))
		}
	}
	out, err := xml.Marshal(ms)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	w.WriteHeader(http.StatusMultiStatus)
	io.WriteString(w, xml.Header)
	w.Write(out)
}

func propstatOf(names []xml.Name, status string) propstat {
	ps := propstat{Status: status}
	for _, n := range names {
		ps.Prop.Values = append(ps.Prop.Values, msProp{n})
	}
	return ps
}
