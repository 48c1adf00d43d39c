package dav

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strconv"
	"strings"
)

// XML namespaces of the properties we use.
const (
	nsDAV    = "DAV:"
	nsCalDAV = "urn:ietf:params:xml:ns:caldav"
	nsCardAV = "urn:ietf:params:xml:ns:carddav"
	nsApple  = "http://apple.com/ns/ical/"
	nsCS     = "http://calendarserver.org/ns/"
)

type multistatus struct {
	Responses []response `xml:"DAV: response"`
	SyncToken string     `xml:"DAV: sync-token"`
}

type response struct {
	Hrefs     []string   `xml:"DAV: href"`
	Status    string     `xml:"DAV: status"`
	Propstats []propstat `xml:"DAV: propstat"`
}

type propstat struct {
	Status string `xml:"DAV: status"`
	Prop   prop   `xml:"DAV: prop"`
}

// prop holds every property we ask for; pointers tell an empty value from an absent one.
type prop struct {
	ResourceType *resourceType `xml:"DAV: resourcetype"`
	Etag         *string       `xml:"DAV: getetag"`
	ContentType  *string       `xml:"DAV: getcontenttype"`
	DisplayName  *string       `xml:"DAV: displayname"`
	CalendarData *string       `xml:"urn:ietf:params:xml:ns:caldav calendar-data"`
	AddressData  *string       `xml:"urn:ietf:params:xml:ns:carddav address-data"`
	Color        *string       `xml:"http://apple.com/ns/ical/ calendar-color"`
	Order        *string       `xml:"http://apple.com/ns/ical/ calendar-order"`
	CalDesc      *string       `xml:"urn:ietf:params:xml:ns:caldav calendar-description"`
	CardDesc     *string       `xml:"urn:ietf:params:xml:ns:carddav addressbook-description"`
	CTag         *string       `xml:"http://calendarserver.org/ns/ getctag"`
	SyncToken    *string       `xml:"DAV: sync-token"`
	Principal    *hrefProp     `xml:"DAV: current-user-principal"`
	CalHome      *hrefProp     `xml:"urn:ietf:params:xml:ns:caldav calendar-home-set"`
	CardHome     *hrefProp     `xml:"urn:ietf:params:xml:ns:carddav addressbook-home-set"`
}

type resourceType struct {
	Collection  *struct{} `xml:"DAV: collection"`
	Calendar    *struct{} `xml:"urn:ietf:params:xml:ns:caldav calendar"`
	AddressBook *struct{} `xml:"urn:ietf:params:xml:ns:carddav addressbook"`
}

type hrefProp struct {
	Hrefs []string `xml:"DAV: href"`
}

// ok reports whether a DAV status line ("HTTP/1.1 200 OK") is a success; an absent one
// counts as success, as servers leave it out of responses that have propstats.
func ok(status string) bool {
	code := statusCode(status)
	return code == 0 || code >= 200 && code < 300
}

// statusCode reads the code of a DAV status line ("HTTP/1.1 404 Not Found"), or
// returns 0 when there is none. Every status line of a multistatus is read through it.
func statusCode(status string) int {
	f := strings.Fields(status)
	if len(f) < 2 {
		return 0
	}
	code, err := strconv.Atoi(f[1])
	if err != nil {
		return 0
	}
	return code
}

// props merges the properties of a response's successful propstats.
func (r response) props() prop {
	var out prop
	for _, ps := range r.Propstats {
		if !ok(ps.Status) {
			continue
		}
		p := ps.Prop
		for _, f := range []struct{ dst, src **string }{
			{&out.Etag, &p.Etag}, {&out.ContentType, &p.ContentType}, {&out.DisplayName, &p.DisplayName},
			{&out.CalendarData, &p.CalendarData}, {&out.AddressData, &p.AddressData}, {&out.Color, &p.Color},
			{&out.Order, &p.Order}, {&out.CalDesc, &p.CalDesc}, {&out.CardDesc, &p.CardDesc},
			{&out.CTag, &p.CTag}, {&out.SyncToken, &p.SyncToken},
		} {
			if *f.src != nil {
				*f.dst = *f.src
			}
		}
		if p.ResourceType != nil {
			out.ResourceType = p.ResourceType
		}
		for _, f := range []struct{ dst, src **hrefProp }{{&out.Principal, &p.Principal}, {&out.CalHome, &p.CalHome}, {&out.CardHome, &p.CardHome}} {
			if *f.src != nil {
				*f.dst = *f.src
			}
		}
	}
	return out
}

// parseMultistatus decodes a 207 body. Carriage returns in text are kept: an XML parser
// turns CRLF into LF, which would change the bytes of every item a multiget returns.
func parseMultistatus(body []byte) (*multistatus, error) {
	var ms multistatus
	d := xml.NewDecoder(bytes.NewReader(keepCR(body)))
	d.Strict = true
	if err := d.Decode(&ms); err != nil {
		return nil, fmt.Errorf("invalid multistatus XML: %w", err)
	}
	return &ms, nil
}

// keepCR writes every carriage return in character data as &#13;, which a parser keeps,
// leaving markup and comments as they are. A CDATA section is cut around each of its
// carriage returns, as a parser turns its CRLFs into LFs too and reads no reference
// inside it: servers that wrap calendar-data in CDATA send CRLF items.
func keepCR(body []byte) []byte {
	if !bytes.Contains(body, []byte{'\r'}) {
		return body
	}
	out := make([]byte, 0, len(body)+len(body)/32)
	for i := 0; i < len(body); {
		switch {
		case body[i] == '<':
			end := markupEnd(body, i)
			if bytes.HasPrefix(body[i:], []byte("<![CDATA[")) {
				out = append(out, bytes.ReplaceAll(body[i:end], []byte{'\r'}, []byte("]]>&#13;<![CDATA["))...)
			} else {
				out = append(out, body[i:end]...)
			}
			i = end
		case body[i] == '\r':
			out = append(out, "&#13;"...)
			i++
		default:
			out = append(out, body[i])
			i++
		}
	}
	return out
}

// markupEnd returns the index just past the markup that starts at body[i] == '<'.
func markupEnd(body []byte, i int) int {
	rest := body[i:]
	closer := ">"
	switch {
	case bytes.HasPrefix(rest, []byte("<![CDATA[")):
		closer = "]]>"
	case bytes.HasPrefix(rest, []byte("<!--")):
		closer = "-->"
	case bytes.HasPrefix(rest, []byte("<?")):
		closer = "?>"
	}
	if closer == ">" {
		// A tag: '>' may appear inside quoted attribute values.
		var quote byte
		for j := i + 1; j < len(body); j++ {
			switch c := body[j]; {
			case quote != 0:
				if c == quote {
					quote = 0
				}
			case c == '"' || c == '\'':
				quote = c
			case c == '>':
				return j + 1
			}
		}
		return len(body)
	}
	if k := bytes.Index(rest, []byte(closer)); k >= 0 {
		return i + k + len(closer)
	}
	return len(body)
}

// escape writes s as XML character data.
func escape(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}
