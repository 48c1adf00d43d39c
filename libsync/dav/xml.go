package dav

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
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

// parseMultistatus decodes a 207 body.
func parseMultistatus(body []byte) (*multistatus, error) {
	var ms multistatus
	token, err := decodeMultistatus(bytes.NewReader(body), func(r response) error {
		ms.Responses = append(ms.Responses, r)
		return nil
	})
	if err != nil {
		return nil, err
	}
	ms.SyncToken = token
	return &ms, nil
}

// decodeMultistatus reads a multistatus from r one response at a time, handing each to
// fn as soon as it is read, so that an answer holding every item of a calendar is never
// in memory whole; it returns the multistatus's own sync-token (RFC 6578). Carriage
// returns in text are kept (see crReader). An error fn returns stops the reading and is
// returned as it is.
func decodeMultistatus(r io.Reader, fn func(response) error) (string, error) {
	d := xml.NewDecoder(&crReader{r: r})
	d.Strict = true
	var token string
	depth := 0
	for {
		tok, err := d.Token()
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
				if depth == 0 {
					err = errors.New("no root element")
				}
			}
			return "", fmt.Errorf("invalid multistatus XML: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				depth = 1 // the root, whatever its name, as encoding/xml decodes into a struct
				continue
			}
			switch t.Name {
			case xml.Name{Space: nsDAV, Local: "response"}:
				var resp response
				if err := d.DecodeElement(&resp, &t); err != nil {
					return "", fmt.Errorf("invalid multistatus XML: %w", err)
				}
				if err := fn(resp); err != nil {
					return "", err
				}
			case xml.Name{Space: nsDAV, Local: "sync-token"}:
				if err := d.DecodeElement(&token, &t); err != nil {
					return "", fmt.Errorf("invalid multistatus XML: %w", err)
				}
			default:
				if err := d.Skip(); err != nil {
					return "", fmt.Errorf("invalid multistatus XML: %w", err)
				}
			}
		case xml.EndElement:
			return token, nil // the root's: its children were all read or skipped
		}
	}
}

// crReader writes every carriage return in the character data it reads as &#13;, which
// a parser keeps, leaving markup and comments as they are: an XML parser turns CRLF
// into LF, which would change the bytes of every item a multiget returns. A CDATA
// section is cut around each of its carriage returns, as a parser turns its CRLFs into
// LFs too and reads no reference inside it: servers that wrap calendar-data in CDATA
// send CRLF items. It reads as it goes, one state per kind of markup, so that markup
// cut across two reads is read as if whole.
type crReader struct {
	r    io.Reader
	in   []byte
	out  []byte // converted, not yet read
	done error

	state crState
	open  []byte // after "<", the bytes read while it may still open a CDATA section or a comment
	run   int    // "]" (CDATA), "-" (comment) or "?" (processing instruction) just read
	quote byte   // the quote a tag's attribute value is in, or 0
}

type crState int

const (
	inText    crState = iota
	inOpen            // just after "<"
	inTag             // an element's tag or a declaration, up to ">"
	inCDATA           // up to "]]>"
	inComment         // up to "-->"
	inPI              // a processing instruction, up to "?>"
)

func (c *crReader) Read(p []byte) (int, error) {
	for len(c.out) == 0 {
		if c.done != nil {
			return 0, c.done
		}
		if c.in == nil {
			c.in = make([]byte, 32<<10)
		}
		n, err := c.r.Read(c.in)
		c.out = c.convert(c.out[:0], c.in[:n])
		if err != nil {
			c.done = err
		}
	}
	n := copy(p, c.out)
	c.out = c.out[n:]
	return n, nil
}

// convert appends in, converted, to out, carrying the state over to the next call.
func (c *crReader) convert(out, in []byte) []byte {
	for len(in) > 0 {
		switch c.state {
		case inText:
			i := bytes.IndexAny(in, "<\r")
			if i < 0 {
				return append(out, in...)
			}
			out = append(out, in[:i]...)
			if in[i] == '\r' {
				out = append(out, "&#13;"...)
			} else {
				out = append(out, '<')
				c.state, c.open = inOpen, c.open[:0]
			}
			in = in[i+1:]
			continue
		case inCDATA:
			i := bytes.IndexAny(in, "]>\r")
			if i < 0 {
				c.run = 0
				return append(out, in...)
			}
			if i > 0 {
				c.run = 0
			}
			out = append(out, in[:i]...)
			switch in[i] {
			case '\r':
				out = append(out, "]]>&#13;<![CDATA["...)
				c.run = 0
			case ']':
				out = append(out, ']')
				c.run++
			case '>':
				out = append(out, '>')
				if c.run >= 2 {
					c.state = inText
				}
				c.run = 0
			}
			in = in[i+1:]
			continue
		}
		b := in[0]
		in = in[1:]
		out = append(out, b)
		switch c.state {
		case inOpen:
			c.open = append(c.open, b)
			switch o := string(c.open); {
			case o == "?":
				c.state, c.run = inPI, 1
			case o == "!--":
				c.state, c.run = inComment, 2
			case o == "![CDATA[":
				c.state, c.run = inCDATA, 0
			case strings.HasPrefix("!--", o) || strings.HasPrefix("![CDATA[", o):
			default:
				c.state, c.quote = inTag, 0
				c.tag(b)
			}
		case inTag:
			c.tag(b)
		case inComment:
			c.run = closer(c.run, b, '-', 2, &c.state)
		case inPI:
			c.run = closer(c.run, b, '?', 1, &c.state)
		}
	}
	return out
}

// tag follows a tag's byte b: ">" ends it, but not inside a quoted attribute value.
func (c *crReader) tag(b byte) {
	switch {
	case c.quote != 0:
		if b == c.quote {
			c.quote = 0
		}
	case b == '"' || b == '\'':
		c.quote = b
	case b == '>':
		c.state = inText
	}
}

// closer follows a comment or processing instruction, which ends at ">" after at least
// need bytes mark ("-->", "?>"); run is how many marks came last. It returns the new run.
func closer(run int, b, mark byte, need int, state *crState) int {
	switch {
	case b == mark:
		return run + 1
	case b == '>' && run >= need:
		*state = inText
	}
	return 0
}

// escape writes s as XML character data.
func escape(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}
