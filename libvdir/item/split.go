package item

import (
	"bytes"
	"fmt"
	"io"
)

// Piece is one item Split cut out of a feed.
type Piece struct {
	// UID is the item's UID: the feed's, or a hash-based one Split gave it.
	UID string
	// Kind is the kind of its first main component.
	Kind Kind
	// Summary is the first SUMMARY (or a vCard's FN) of its first main component, as
	// written (unescaped only of folding), for listings.
	Summary string
	// Data is the item: the calendar's header, the VTIMEZONEs it uses and its
	// components, every line as the feed had it.
	Data []byte
	// Generated is true when the feed gave the component no UID and Split made one
	// from its content.
	Generated bool
}

// component is a top-level component of a VCALENDAR (or a VCARD of a vCard stream):
// where its bytes lie in the feed, never a copy of them.
type component struct {
	start, end int // data[start:end], from its BEGIN line to its END line's ending
	name       string
	uid        string
	summary    string
	tzids      []string // TZIDs its lines reference (TZID= parameters)
}

// group is the components sharing a UID: a master and its overrides.
type group struct {
	uid       string
	comps     []component
	generated bool
}

// Split reads one iCalendar feed (or a stream of vCards) from r and calls fn with
// each item, in the order their UIDs first appear: every main component (VEVENT,
// VTODO, VJOURNAL) sharing a UID — a recurring event's master and its RECURRENCE-ID
// overrides, wherever they are in the feed — in one VCALENDAR with the feed's header
// properties except METHOD (an item in a collection is no iTIP message) and only the
// VTIMEZONEs its lines reference. Each vCard is an item of its own.
//
// Items are made of the feed's own physical lines (folding, line endings, unknown
// properties and all), so nothing is re-encoded; a line the feed left without an
// ending gets the feed's first line ending. A component without a UID gets one made
// from its content hash (Hash, so a feed that only renews DTSTAMPs keeps it), through
// SetUID; identical ones get -2, -3… suffixes in feed order.
//
// The feed is read whole into one buffer and components are kept as offsets into it,
// so memory holds one copy of the feed and one item at a time. The whole feed is
// checked before fn is first called: a feed that is not iCalendar or vCard, or whose
// BEGIN and END lines do not pair up (a truncated download), yields a *SyntaxError and
// no item. Other top-level components (VFREEBUSY, X- components) are dropped, as a
// vdir cannot hold them. An error from fn stops Split and is returned.
func Split(r io.Reader, fn func(Piece) error) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return fmt.Errorf("read feed: %w", err)
	}
	return SplitBytes(data, fn)
}

// SplitBytes is Split over a feed already in memory (an HTTP response body): the
// items are cut from data itself, which is not modified.
func SplitBytes(data []byte, fn func(Piece) error) error {
	f, err := scanFeed(data)
	if err != nil {
		return err
	}
	return f.emit(fn)
}

// feed is what scanFeed learns of a feed: offsets into data only.
type feed struct {
	data   []byte
	eol    []byte
	vcard  bool
	begin  []byte   // the first BEGIN:VCALENDAR line with its ending
	end    []byte   // the first END:VCALENDAR line with its ending
	header [][2]int // header property lines, data[a:b] with endings
	tzs    []component
	groups []*group
	byUID  map[string]*group
}

// scanFeed walks data's lines once, recording where every component lies.
func scanFeed(data []byte) (*feed, error) {
	// A byte order mark some servers put first is no part of the first line.
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	f := &feed{data: data, eol: firstEnding(data), byUID: map[string]*group{}}
	cals := 0 // VCALENDARs begun: only the first one's header is kept
	type open struct {
		name string
		line int
	}
	var stack []open
	var cur *component // the top-level component being read
	first := true
	var synErr error
	eachSpan(data, func(s lineSpan) bool {
		head, value, ok := splitValue(s.Text)
		if !ok || !validName(head) {
			if first {
				synErr = notFeed(s)
				return false
			}
			return true // a junk line: it stays inside its component's bytes
		}
		name, params := propName(head)
		if first {
			first = false
			v := upper(bytes.TrimSpace(value))
			if name != "BEGIN" || (v != "VCALENDAR" && v != "VCARD") {
				synErr = notFeed(s)
				return false
			}
			f.vcard = v == "VCARD"
		}
		switch name {
		case "BEGIN":
			c := upper(bytes.TrimSpace(value))
			stack = append(stack, open{c, s.Num})
			switch {
			case f.vcard && len(stack) == 1:
				cur = &component{start: s.start, name: c}
			case !f.vcard && len(stack) == 1:
				if c != "VCALENDAR" {
					synErr = &SyntaxError{Line: s.Num, Msg: fmt.Sprintf("BEGIN:%s outside a VCALENDAR", c)}
					return false
				}
				cals++
				if f.begin == nil {
					f.begin = f.lineBytes(s)
				}
			case !f.vcard && len(stack) == 2:
				cur = &component{start: s.start, name: c}
			}
			return true
		case "END":
			c := upper(bytes.TrimSpace(value))
			if len(stack) == 0 {
				synErr = &SyntaxError{Line: s.Num, Msg: fmt.Sprintf("END:%s without a BEGIN", c)}
				return false
			}
			top := stack[len(stack)-1]
			if top.name != c {
				synErr = &SyntaxError{Line: s.Num, Msg: fmt.Sprintf("END:%s does not close BEGIN:%s of line %d", c, top.name, top.line)}
				return false
			}
			stack = stack[:len(stack)-1]
			depth := 1
			if f.vcard {
				depth = 0
			}
			switch {
			case len(stack) == depth && cur != nil:
				cur.end = s.next
				f.add(*cur)
				cur = nil
			case len(stack) == 0 && f.end == nil:
				f.end = f.lineBytes(s)
			}
			return true
		}
		switch {
		case cur == nil && len(stack) == 1 && !f.vcard:
			if name != "METHOD" && cals == 1 {
				f.header = append(f.header, [2]int{s.start, s.next})
			}
		case cur != nil:
			f.note(cur, len(stack), name, params, value)
		}
		return true
	})
	if synErr != nil {
		return nil, synErr
	}
	if first {
		return nil, &SyntaxError{Msg: "empty feed"}
	}
	if len(stack) > 0 {
		top := stack[len(stack)-1]
		return nil, &SyntaxError{Msg: fmt.Sprintf("missing END:%s for BEGIN:%s of line %d: the feed is cut short", top.name, top.name, top.line)}
	}
	return f, nil
}

// notFeed is the error for a first line that does not begin a calendar or a card.
func notFeed(s lineSpan) error {
	return &SyntaxError{Line: s.Num, Msg: fmt.Sprintf("not an iCalendar feed: it starts with %q", clip(s.Text))}
}

// lineBytes returns a line with its ending, the feed's first ending when it has none.
func (f *feed) lineBytes(s lineSpan) []byte {
	return append(append([]byte(nil), f.data[s.start:s.end]...), s.ending(f.data, f.eol)...)
}

// note records what a line inside a top-level component tells: its UID, summary and
// the time zones it references. depth is the number of open components.
func (f *feed) note(c *component, depth int, name string, params, value []byte) {
	direct := f.vcard && depth == 1 || !f.vcard && depth == 2
	switch {
	case name == "UID" && direct && c.uid == "" && c.name != "VTIMEZONE":
		c.uid = string(bytes.TrimSpace(value))
	case (name == "SUMMARY" || name == "FN") && direct && c.summary == "":
		c.summary = string(value)
	case name == "TZID" && direct && c.name == "VTIMEZONE" && c.uid == "":
		// A VTIMEZONE is keyed by its TZID; uid holds it.
		c.uid = string(bytes.TrimSpace(value))
	}
	if len(params) == 0 || c.name == "VTIMEZONE" {
		return
	}
	for _, p := range splitOutsideQuotes(params, ';') {
		k, v, ok := bytes.Cut(p, []byte{'='})
		if ok && upper(bytes.TrimSpace(k)) == "TZID" {
			tz := string(unquote(v))
			if !contains(c.tzids, tz) {
				c.tzids = append(c.tzids, tz)
			}
		}
	}
}

// add files a finished top-level component: a VTIMEZONE by its TZID, a main
// component with the others sharing its UID; other components are dropped.
func (f *feed) add(c component) {
	switch {
	case c.name == "VTIMEZONE" && !f.vcard:
		for _, tz := range f.tzs {
			if tz.uid == c.uid {
				return // the first definition of a TZID is the one items get
			}
		}
		f.tzs = append(f.tzs, c)
		return
	case !isMain(c.name):
		return
	}
	if c.uid == "" {
		base := "hash-" + Hash(f.data[c.start:c.end])[:32]
		uid := base
		for n := 2; f.byUID[uid] != nil; n++ {
			uid = fmt.Sprintf("%s-%d", base, n)
		}
		g := &group{uid: uid, comps: []component{c}, generated: true}
		f.byUID[uid] = g
		f.groups = append(f.groups, g)
		return
	}
	if g := f.byUID[c.uid]; g != nil && !g.generated && !f.vcard {
		g.comps = append(g.comps, c)
		return
	}
	uid := c.uid
	for n := 2; f.byUID[uid] != nil; n++ {
		// A vCard stream may repeat a UID; each card stays an item of its own, and
		// the sync reports the duplicate.
		uid = fmt.Sprintf("%s\x00%d", c.uid, n)
	}
	g := &group{uid: c.uid, comps: []component{c}}
	f.byUID[uid] = g
	f.groups = append(f.groups, g)
}

// emit builds each item in turn and hands it to fn.
func (f *feed) emit(fn func(Piece) error) error {
	var buf bytes.Buffer
	for _, g := range f.groups {
		buf.Reset()
		if !f.vcard {
			buf.Write(f.begin)
			for _, h := range f.header {
				f.writeSpan(&buf, h[0], h[1])
			}
			for _, tz := range f.tzs {
				if f.uses(g, tz.uid) {
					f.writeSpan(&buf, tz.start, tz.end)
				}
			}
		}
		for _, c := range g.comps {
			f.writeSpan(&buf, c.start, c.end)
		}
		if !f.vcard {
			end := f.end
			if end == nil {
				end = append([]byte("END:VCALENDAR"), f.eol...)
			}
			buf.Write(end)
		}
		data := bytes.Clone(buf.Bytes())
		if g.generated {
			var err error
			if data, err = SetUID(data, g.uid); err != nil {
				return fmt.Errorf("give a UID to the component at byte %d: %w", g.comps[0].start, err)
			}
		}
		p := Piece{UID: g.uid, Kind: Kind(g.comps[0].name), Summary: g.comps[0].summary, Data: data, Generated: g.generated}
		if err := fn(p); err != nil {
			return err
		}
	}
	return nil
}

// uses reports whether a group's components reference the time zone tzid.
func (f *feed) uses(g *group, tzid string) bool {
	for _, c := range g.comps {
		if contains(c.tzids, tzid) {
			return true
		}
	}
	return false
}

// writeSpan writes data[a:b], adding the feed's line ending when the feed's last line
// had none.
func (f *feed) writeSpan(buf *bytes.Buffer, a, b int) {
	buf.Write(f.data[a:b])
	if b > a && f.data[b-1] != '\n' && f.data[b-1] != '\r' {
		buf.Write(f.eol)
	}
}

// eachSpan calls fn with each logical line of data as Unfold splits them, with where
// each lies in data (lineSpan), without building a list, until fn returns false.
func eachSpan(data []byte, fn func(lineSpan) bool) {
	var cur lineSpan
	have := false
	owned := false
	pos := 0
	for num := 1; pos < len(data); num++ {
		start := pos
		end, next := len(data), len(data)
		if i := bytes.IndexAny(data[pos:], "\r\n"); i >= 0 {
			end = pos + i
			next = end + 1
			if data[end] == '\r' && next < len(data) && data[next] == '\n' {
				next++
			}
		}
		phys := data[start:end]
		pos = next
		if have {
			switch {
			case len(phys) > 0 && (phys[0] == ' ' || phys[0] == '\t'):
				if !owned {
					cur.Text = bytes.Clone(cur.Text)
					owned = true
				}
				cur.Text = append(cur.Text, phys[1:]...)
				cur.end, cur.next = end, next
				continue
			case len(bytes.TrimLeft(phys, " \t")) == 0:
				continue // blank lines go before soft breaks, as in Unfold
			case len(cur.Text) > 0 && cur.Text[len(cur.Text)-1] == '=' && isQuotedPrintable(cur.Text):
				if !owned {
					cur.Text = bytes.Clone(cur.Text)
					owned = true
				}
				cur.Text = append(cur.Text[:len(cur.Text)-1], phys...)
				cur.end, cur.next = end, next
				continue
			}
			if !fn(cur) {
				return
			}
			have = false
		}
		if len(bytes.TrimLeft(phys, " \t")) == 0 {
			continue
		}
		if !have { // nothing to continue: indentation before the first line is not content
			phys = bytes.TrimLeft(phys, " \t")
		}
		cur = lineSpan{Line: Line{Num: num, Text: phys}, start: start, end: end, next: next}
		have, owned = true, false
	}
	if have {
		fn(cur)
	}
}
