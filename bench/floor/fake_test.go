package floor

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
)

// fake is a CalDAV server just big enough for the floor: one home set /home/ whose
// calendars hold items in memory. It logs every request as "METHOD PATH HEADER" where
// HEADER is the Depth, If-Match or If-None-Match sent, and checks Basic credentials.
type fake struct {
	mu    sync.Mutex
	log   []string
	cals  map[string]map[string][]byte // calendar path -> item name -> bytes
	user  string
	pass  string
	multi []int // hrefs per multiget
	// queries counts calendar-query REPORTs, whose answers leave out the item named
	// skip.
	queries int
	skip    string
	// version counts a calendar's writes; changed has the count at each item's last
	// write. A calendar's sync token is "tok-" and its count.
	version map[string]int
	changed map[string]map[string]int
	// lose makes sync-collection answers leave out every change and, if "token", the
	// new token as well.
	lose string
}

func newFake() *fake {
	return &fake{cals: map[string]map[string][]byte{}, user: "u", pass: "p",
		version: map[string]int{}, changed: map[string]map[string]int{}}
}

func etag(b []byte) string {
	s := sha256.Sum256(b)
	return `"` + hex.EncodeToString(s[:8]) + `"`
}

func (f *fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	h := r.Header.Get("Depth") + r.Header.Get("If-Match") + r.Header.Get("If-None-Match")
	f.log = append(f.log, strings.TrimSpace(r.Method+" "+r.URL.Path+" "+h))
	if u, p, ok := r.BasicAuth(); !ok || u != f.user || p != f.pass {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	dir, name := r.URL.Path[:strings.LastIndex(r.URL.Path, "/")+1], r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
	body, _ := io.ReadAll(r.Body)
	switch {
	case r.Method == "MKCALENDAR" && name == "" && f.cals[dir] == nil:
		f.cals[dir] = map[string][]byte{}
		f.changed[dir] = map[string]int{}
		w.WriteHeader(http.StatusCreated)
	case r.Method == "PUT" && f.cals[dir] != nil:
		old, exists := f.cals[dir][name]
		if (r.Header.Get("If-None-Match") == "*" && exists) || (r.Header.Get("If-Match") != "" && (!exists || etag(old) != r.Header.Get("If-Match"))) {
			w.WriteHeader(http.StatusPreconditionFailed)
			return
		}
		f.cals[dir][name] = body
		f.version[dir]++
		f.changed[dir][name] = f.version[dir]
		w.Header().Set("ETag", etag(body))
		w.WriteHeader(http.StatusCreated)
	case r.Method == "PROPFIND" && r.URL.Path == "/home/":
		f.multistatus(w, func(b *strings.Builder) {
			for c := range f.cals {
				fmt.Fprintf(b, `<D:response><D:href>%s</D:href><D:propstat><D:prop><CS:getctag>%d</CS:getctag><D:sync-token>tok-%[2]d</D:sync-token></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>`, c, f.version[c])
			}
		})
	case r.Method == "PROPFIND" && f.cals[dir] != nil && name == "":
		f.multistatus(w, func(b *strings.Builder) {
			fmt.Fprintf(b, `<D:response><D:href>%s</D:href><D:propstat><D:prop><D:resourcetype><D:collection/><C:calendar/></D:resourcetype></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>`, dir)
			for n, data := range f.cals[dir] {
				fmt.Fprintf(b, `<D:response><D:href>%s%s</D:href><D:propstat><D:prop><D:getetag>%s</D:getetag><D:resourcetype/></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>`, dir, n, etag(data))
			}
		})
	case r.Method == "REPORT" && f.cals[dir] != nil && bytes.Contains(body, []byte("sync-collection")):
		var req struct {
			Token string `xml:"DAV: sync-token"`
		}
		var since int
		if err := xml.Unmarshal(body, &req); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		if _, err := fmt.Sscanf(req.Token, "tok-%d", &since); err != nil {
			w.WriteHeader(http.StatusForbidden)
			return
		}
		f.multistatus(w, func(b *strings.Builder) {
			for n, v := range f.changed[dir] {
				if v > since && f.lose == "" {
					fmt.Fprintf(b, `<D:response><D:href>%s%s</D:href><D:propstat><D:prop><D:getetag>%s</D:getetag></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>`, dir, n, etag(f.cals[dir][n]))
				}
			}
			if f.lose != "token" {
				fmt.Fprintf(b, `<D:sync-token>tok-%d</D:sync-token>`, f.version[dir])
			}
		})
	case r.Method == "REPORT" && f.cals[dir] != nil && bytes.Contains(body, []byte("calendar-query")):
		if !bytes.Contains(body, []byte(`<C:comp-filter name="VCALENDAR"/>`)) || !bytes.Contains(body, []byte("<C:calendar-data/>")) {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		f.queries++
		f.multistatus(w, func(b *strings.Builder) {
			fmt.Fprintf(b, `<D:response><D:href>%s</D:href><D:propstat><D:prop><D:getetag>"c"</D:getetag></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>`, dir)
			for n, data := range f.cals[dir] {
				if n != f.skip {
					f.item(b, dir+n, data)
				}
			}
		})
	case r.Method == "REPORT" && f.cals[dir] != nil:
		var req struct {
			Hrefs []string `xml:"DAV: href"`
		}
		if err := xml.Unmarshal(body, &req); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		f.multi = append(f.multi, len(req.Hrefs))
		f.multistatus(w, func(b *strings.Builder) {
			for _, h := range req.Hrefs {
				f.item(b, h, f.cals[dir][strings.TrimPrefix(h, dir)])
			}
		})
	default:
		w.WriteHeader(http.StatusNotFound)
	}
}

// item writes the response of an item with its data, carriage returns raw in the XML,
// as Radicale sends them.
func (f *fake) item(b *strings.Builder, href string, data []byte) {
	fmt.Fprintf(b, `<D:response><D:href>%s</D:href><D:propstat><D:prop><D:getetag>%s</D:getetag><C:calendar-data>`, href, etag(data))
	b.WriteString(escaper.Replace(string(data)))
	b.WriteString(`</C:calendar-data></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>`)
}

var escaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

func (f *fake) multistatus(w http.ResponseWriter, body func(*strings.Builder)) {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0"?>` + "\r\n" + `<D:multistatus xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav" xmlns:CS="http://calendarserver.org/ns/">` + "\r\n")
	body(&b)
	b.WriteString("</D:multistatus>\r\n")
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(http.StatusMultiStatus)
	io.WriteString(w, b.String())
}

// take returns the requests logged so far and forgets them.
func (f *fake) take() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	l := f.log
	f.log = nil
	return l
}

func bufioReader(s string) *bufio.Reader { return bufio.NewReader(strings.NewReader(s)) }
