package dav

import (
	"bytes"
	"encoding/xml"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// Realistic 207 bodies, as Radicale, Xandikos, Nextcloud and Fastmail send them, and a
// few hostile ones: the seeds of FuzzParseMultistatus and cases of the tests below.
const (
	msPropfind = `<?xml version="1.0" encoding="utf-8"?>
<multistatus xmlns="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav" xmlns:CS="http://calendarserver.org/ns/" xmlns:ICAL="http://apple.com/ns/ical/">
 <response><href>/cal/me/</href><propstat><prop><resourcetype><collection/></resourcetype></prop><status>HTTP/1.1 200 OK</status></propstat></response>
 <response><href>/cal/me/work/</href><propstat><prop>
  <resourcetype><collection/><C:calendar/></resourcetype><displayname>Work &amp; more</displayname>
  <CS:getctag>"ctag-1"</CS:getctag><sync-token>http://radicale.org/ns/sync/abc</sync-token>
  <ICAL:calendar-color>#ff0000ff</ICAL:calendar-color>
  <C:supported-calendar-component-set><C:comp name="VEVENT"/><C:comp name="vtodo"/></C:supported-calendar-component-set>
 </prop><status>HTTP/1.1 200 OK</status></propstat>
 <propstat><prop><ICAL:calendar-order/></prop><status>HTTP/1.1 404 Not Found</status></propstat></response>
</multistatus>`
	msMultiget = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n" +
		`<d:multistatus xmlns:d="DAV:" xmlns:cal="urn:ietf:params:xml:ns:caldav"><d:response><d:href>/cal/me/work/a%20b.ics</d:href>` +
		`<d:propstat><d:prop><d:getetag>"e1"</d:getetag><cal:calendar-data>BEGIN:VCALENDAR` + "\r\n" +
		`VERSION:2.0` + "\r\n" + `BEGIN:VEVENT` + "\r\n" + `UID:a&amp;b&lt;c&gt;` + "\r\n" + `SUMMARY:caf&#233; &#x263A;` + "\r\n" +
		`END:VEVENT` + "\r\n" + `END:VCALENDAR` + "\r\n" + `</cal:calendar-data></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>` +
		`<d:response><d:href>/cal/me/work/gone.ics</d:href><d:status>HTTP/1.1 404 Not Found</d:status></d:response></d:multistatus>`
	msSync = `<?xml version="1.0"?><D:multistatus xmlns:D="DAV:">
<D:response><D:href>/dav/cal/new.ics</D:href><D:propstat><D:prop><D:getetag>W/"7"</D:getetag></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>
<D:response><D:href>/dav/cal/old.ics</D:href><D:status>HTTP/1.1 404 Not Found</D:status></D:response>
<D:response><D:href>/dav/cal/</D:href><D:status>HTTP/1.1 507 Insufficient Storage</D:status></D:response>
<D:sync-token>http://example.com/ns/sync/1234</D:sync-token></D:multistatus>`
	// Namespaces declared late, redeclared and defaulted; an unknown namespace that
	// reuses DAV: names must not count as DAV:.
	msNamespaces = `<x:multistatus xmlns:x="DAV:" xmlns="urn:other"><x:response xmlns:y="DAV:"><y:href>/a</y:href><href>/not-dav</href>` +
		`<x:propstat><y:prop><getetag>"not-dav"</getetag><y:getetag xmlns:y="urn:still-other">"neither"</y:getetag>` +
		`<card:address-data xmlns:card="urn:ietf:params:xml:ns:carddav"><![CDATA[BEGIN:VCARD
UID:<x>&amp;
END:VCARD
]]></card:address-data></y:prop></x:propstat></x:response></x:multistatus>`
	// An internal entity whose expansion must never reach the output.
	msEntity = `<?xml version="1.0"?><!DOCTYPE multistatus [<!ENTITY xxe "EXPANDED">]>` +
		`<D:multistatus xmlns:D="DAV:"><D:response><D:href>/a/&xxe;</D:href></D:response></D:multistatus>`
	// An external entity: reading a file into the output.
	msExternal = `<?xml version="1.0"?><!DOCTYPE m [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>` +
		`<D:multistatus xmlns:D="DAV:"><D:response><D:href>&xxe;</D:href></D:response></D:multistatus>`
	// An entity declared but not used, with CRLFs and a '>' inside the subset.
	msUnused = "<?xml version=\"1.0\"?>\r\n<!DOCTYPE m [\r\n<!ENTITY x \"a>b\">\r\n]>\r\n" +
		"<D:multistatus xmlns:D=\"DAV:\"><D:response><D:href>/a</D:href></D:response></D:multistatus>"
	// Billion laughs, cut short: a parser that expands would blow up.
	msLaughs = `<?xml version="1.0"?><!DOCTYPE m [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">` +
		`<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><D:multistatus xmlns:D="DAV:"><D:response><D:href>&c;</D:href></D:response></D:multistatus>`
)

// FuzzParseMultistatus checks that the multistatus parsers never panic, give the same
// answer twice, never expand an entity a DOCTYPE declares (only XML's five and character
// references), and that parseComponents, whenever parseMultistatus accepts a body,
// accepts it too with as many responses: collections pairs their responses by index.
func FuzzParseMultistatus(f *testing.F) {
	for _, seed := range []string{
		msPropfind, msMultiget, msSync, msNamespaces, msEntity, msExternal, msUnused, msLaughs,
		"", "<", "<D:multistatus xmlns:D=\"DAV:\"/>", "<multistatus xmlns=\"DAV:\"><response></multistatus>",
		"<?xml version=\"1.0\" encoding=\"iso-8859-1\"?><multistatus xmlns=\"DAV:\"/>",
		"<multistatus xmlns=\"DAV:\"><!-- a\r\nb --><?pi x\r\n?><response><href a='>\r'>x\ry</href></response></multistatus>",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		ms, err := parseMultistatus(body)
		again, err2 := parseMultistatus(body)
		if (err == nil) != (err2 == nil) || !reflect.DeepEqual(ms, again) {
			t.Fatalf("two parses differ: %v, %v", err, err2)
		}
		if err != nil {
			if !strings.HasPrefix(err.Error(), "invalid multistatus XML: ") {
				t.Fatalf("error without context: %v", err)
			}
			return
		}
		// The seeds declare entities whose value holds EXPANDED: the output may hold it no
		// more often than the body does outside its DOCTYPE.
		got := 0
		for _, s := range outputStrings(ms) {
			got += strings.Count(s, "EXPANDED")
		}
		if got > 0 && got > bytes.Count(withoutDirectives(keepCR(body)), []byte("EXPANDED")) {
			t.Fatalf("an entity was expanded: %q", outputStrings(ms))
		}
		cms, err := parseComponents(body)
		if err != nil {
			t.Fatalf("parseMultistatus accepts what parseComponents refuses: %v", err)
		}
		if len(cms.Responses) != len(ms.Responses) {
			t.Fatalf("parseComponents reads %d responses, parseMultistatus %d", len(cms.Responses), len(ms.Responses))
		}
		for _, r := range ms.Responses {
			r.props() // merging must not panic either
			statusCode(r.Status)
		}
	})
}

// FuzzCalendarData checks that a multiget's calendar-data comes out byte for byte,
// carriage returns included, whether the server escapes it as text or wraps it in
// CDATA: items must travel unchanged.
func FuzzCalendarData(f *testing.F) {
	for _, seed := range []struct {
		data  string
		cdata bool
	}{
		{"BEGIN:VCALENDAR\r\nUID:a&b<c>\r\nEND:VCALENDAR\r\n", false},
		{"BEGIN:VCALENDAR\nUID:a&b<c>\nEND:VCALENDAR\n", true},
		{"\r\r\n\n\t x", false},
		{"", true},
	} {
		f.Add(seed.data, seed.cdata)
	}
	f.Fuzz(func(t *testing.T, data string, cdata bool) {
		if !xmlText(data) || cdata && strings.Contains(data, "]]>") {
			return // not representable in XML
		}
		inner := escape(data)
		if cdata {
			inner = "<![CDATA[" + data + "]]>"
		}
		body := `<?xml version="1.0"?><D:multistatus xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:response>` +
			`<D:href>/c/a.ics</D:href><D:propstat><D:prop><C:calendar-data>` + inner +
			`</C:calendar-data></D:prop></D:propstat></D:response></D:multistatus>`
		ms, err := parseMultistatus([]byte(body))
		if err != nil {
			t.Fatalf("parseMultistatus: %v\n%q", err, body)
		}
		p := ms.Responses[0].props()
		if p.CalendarData == nil {
			t.Fatalf("calendar-data %q is missing", data)
		}
		if *p.CalendarData != data {
			t.Fatalf("calendar-data %q came out as %q (cdata %v)", data, *p.CalendarData, cdata)
		}
	})
}

// TestParseMultistatusEntities pins what the fuzz seeds above are about: XML's own
// entities and character references are read, a DOCTYPE's are never expanded.
func TestParseMultistatusEntities(t *testing.T) {
	for _, tt := range []struct {
		name, body string
		ok         bool
		href       string // the first response's first href, when ok
	}{
		{"predefined and character references", `<D:multistatus xmlns:D="DAV:"><D:response><D:href>/a&amp;b&lt;&gt;&quot;&apos;&#13;&#x41;</D:href></D:response></D:multistatus>`, true, "/a&b<>\"'\rA"},
		{"internal entity", msEntity, false, ""},
		{"external entity", msExternal, false, ""},
		{"billion laughs", msLaughs, false, ""},
		{"declared, unused", msUnused, true, "/a"},
		{"unknown entity", `<D:multistatus xmlns:D="DAV:"><D:response><D:href>&nbsp;</D:href></D:response></D:multistatus>`, false, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ms, err := parseMultistatus([]byte(tt.body))
			if (err == nil) != tt.ok {
				t.Fatalf("err = %v, want ok %v", err, tt.ok)
			}
			if err != nil {
				return
			}
			for _, s := range outputStrings(ms) {
				if strings.Contains(s, "EXPANDED") || strings.Contains(s, "root:") || strings.Contains(s, "lol") {
					t.Fatalf("an entity was expanded: %q", s)
				}
			}
			if got := ms.Responses[0].Hrefs[0]; got != tt.href {
				t.Fatalf("href = %q, want %q", got, tt.href)
			}
		})
	}
}

// withoutDirectives returns body without its <!...> directives (a DOCTYPE and its
// entity declarations), where encoding/xml's tokenizer finds them.
func withoutDirectives(body []byte) []byte {
	d := xml.NewDecoder(bytes.NewReader(body))
	var out []byte
	start := int64(0)
	for {
		tok, err := d.RawToken()
		if err != nil {
			return append(out, body[start:]...)
		}
		if _, ok := tok.(xml.Directive); ok {
			end := d.InputOffset()
			out = append(out, body[start:min(end, int64(len(body)))]...)
			// Cut back to the directive's "<!".
			if i := bytes.LastIndex(out, []byte("<!")); i >= 0 {
				out = out[:i]
			}
			start = end
		}
	}
}

// outputStrings returns every string parseMultistatus read.
func outputStrings(ms *multistatus) []string {
	out := []string{ms.SyncToken}
	add := func(ps ...*string) {
		for _, p := range ps {
			if p != nil {
				out = append(out, *p)
			}
		}
	}
	for _, r := range ms.Responses {
		out = append(out, r.Status)
		out = append(out, r.Hrefs...)
		for _, ps := range r.Propstats {
			p := ps.Prop
			out = append(out, ps.Status)
			add(p.Etag, p.ContentType, p.DisplayName, p.CalendarData, p.AddressData, p.Color, p.Order,
				p.CalDesc, p.CardDesc, p.CTag, p.SyncToken)
			for _, hp := range []*hrefProp{p.Principal, p.CalHome, p.CardHome} {
				if hp != nil {
					out = append(out, hp.Hrefs...)
				}
			}
		}
	}
	return out
}

// xmlText reports whether s is valid UTF-8 made only of characters XML 1.0 allows.
func xmlText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if !(r == 0x09 || r == 0x0A || r == 0x0D || r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF) {
			return false
		}
	}
	return true
}
