package config

import (
	"errors"
	"io/fs"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

func load(t *testing.T, name string) *Config {
	t.Helper()
	c, err := Load(filepath.Join("testdata", name))
	if err != nil {
		t.Fatalf("Load(%s): %v", name, err)
	}
	return c
}

// check compares a parsed storage or pair with the expected one, field by field so that
// a failure says which.
func check[T any](t *testing.T, what string, got, want *T) {
	t.Helper()
	if got == nil {
		t.Errorf("%s: missing", what)
		return
	}
	g, w := reflect.ValueOf(got).Elem(), reflect.ValueOf(want).Elem()
	for i := range g.NumField() {
		f := g.Type().Field(i)
		if f.Name == "A" || f.Name == "B" {
			continue // compared by name by the caller
		}
		if !reflect.DeepEqual(g.Field(i).Interface(), w.Field(i).Interface()) {
			t.Errorf("%s.%s = %#v\nwant %#v", what, f.Name, g.Field(i).Interface(), w.Field(i).Interface())
		}
	}
}

// TestExample parses the example of pimsync.conf(5), which pimsync itself accepts.
func TestExample(t *testing.T) {
	c := load(t, "example.conf")
	f := filepath.Join("testdata", "example.conf")
	if want := (Value{Literal: "~/.local/share/pimsync/status/", IsPath: true, Name: "status_path", File: f, Line: 2, Col: 1}); !reflect.DeepEqual(c.StatusPath, want) {
		t.Errorf("StatusPath = %#v", c.StatusPath)
	}
	if want := []string{"cal_local", "cal_remote", "holidays"}; !reflect.DeepEqual(c.StorageOrder, want) || len(c.Storages) != 3 {
		t.Errorf("StorageOrder = %q, %d storages", c.StorageOrder, len(c.Storages))
	}
	check(t, "cal_local", c.Storages["cal_local"], &Storage{
		Name: "cal_local", Type: TypeVdirICalendar,
		Path:    Value{Literal: "~/.local/share/calendars/", IsPath: true, Name: "path", File: f, Line: 5, Col: 2},
		FileExt: "ics", Interval: 30 * time.Second, Concurrency: 256, MultigetSize: 100, File: f, Line: 3, Col: 1,
	})
	check(t, "cal_remote", c.Storages["cal_remote"], &Storage{
		Name: "cal_remote", Type: TypeCalDAV,
		URL:                 Value{Literal: "https://caldav.example.com/", Name: "url", File: f, Line: 11, Col: 2},
		Username:            Value{Literal: "hugo@example.com", Name: "username", File: f, Line: 12, Col: 2},
		Password:            Value{Cmd: []string{"hiq", "-dFpassword", "proto=caldavs", "username=hugo@example.com"}, Name: "password", File: f, Line: 13, Col: 2},
		CollectionIDSegment: "last", Interval: DefaultInterval, Concurrency: 4, MultigetSize: 100, File: f, Line: 9, Col: 1,
	})
	check(t, "holidays", c.Storages["holidays"], &Storage{
		Name: "holidays", Type: TypeWebcal, CollectionID: "holidays",
		URL:      Value{Shell: "pass show webcal/holidays | head -1", Name: "url", File: f, Line: 20, Col: 2},
		Interval: DefaultInterval, Concurrency: 4, MultigetSize: 100, ReadOnly: true, File: f, Line: 17, Col: 1,
	})
	if len(c.Pairs) != 2 {
		t.Fatalf("%d pairs, want 2", len(c.Pairs))
	}
	cal := c.Pair("calendars")
	check(t, "calendars", cal, &Pair{
		Name: "calendars", FromB: true,
		Mappings: []Mapping{{Alias: "work", IDA: "work", HrefB: "/calendars/hugo/2f1c/", Line: 28}},
		OnEmpty:  OnEmptySkip, OnDelete: OnDeleteSkip, Conflict: Resolution{Cmd: []string{"nvim", "-d"}},
		File: f, Line: 24, Col: 1,
	})
	if cal.A != c.Storages["cal_local"] || cal.B != c.Storages["cal_remote"] {
		t.Errorf("calendars pairs %v and %v", cal.A.Name, cal.B.Name)
	}
	hol := c.Pair("hol")
	check(t, "hol", hol, &Pair{Name: "hol", Collections: []string{"holidays"}, File: f, Line: 37, Col: 1})
	if hol.A.Name != "cal_local" || hol.B.Name != "holidays" || hol.A.Kind() != Calendar || hol.B.Kind() != Calendar {
		t.Errorf("hol pairs %v and %v", hol.A.Name, hol.B.Name)
	}
	if c.Pair("nope") != nil {
		t.Error("Pair(nope) is not nil")
	}
}

// TestFull parses a file with every directive.
func TestFull(t *testing.T) {
	c := load(t, "full.conf")
	f := filepath.Join("testdata", "full.conf")
	if want := (Value{Shell: "echo ~/status", IsPath: true, Name: "status_path", File: f, Line: 2, Col: 1}); !reflect.DeepEqual(c.StatusPath, want) {
		t.Errorf("StatusPath = %#v", c.StatusPath)
	}
	local := &Storage{
		Name: "contacts_local", Type: TypeVdirVCard,
		Path:    Value{Literal: "/home/u/contacts", IsPath: true, Name: "path", File: f, Line: 8, Col: 2},
		FileExt: "vcard", ReadOnly: true, Interval: time.Minute, Concurrency: 256, MultigetSize: 100, File: f, Line: 6, Col: 1,
	}
	check(t, "contacts_local", c.Storages["contacts_local"], local)
	remote := &Storage{
		Name: "contacts_remote", Type: TypeCardDAV,
		URL:                 Value{Literal: "unix:///run/dav.sock", Name: "url", File: f, Line: 15, Col: 2},
		Socket:              "/run/dav.sock",
		Username:            Value{Cmd: []string{"printf", "%s", "user"}, Name: "username", File: f, Line: 17, Col: 2},
		Password:            Value{Name: "password", File: f, Line: 20, Col: 2},
		CollectionIDSegment: "second-last", UserAgent: "pimsync-go test", TLSRoot: "/etc/ca.pem",
		TLSFingerprint: "AB:CD:EF", AuthCert: []string{"/etc/cert.pem", "/etc/key.pem"},
		Interval: DefaultInterval, Concurrency: 4, MultigetSize: 50, File: f, Line: 13, Col: 1,
	}
	check(t, "contacts_remote", c.Storages["contacts_remote"], remote)
	if !remote.Password.IsSet() || remote.UserAgent == "" {
		t.Error(`password "" is not set`)
	}
	check(t, "feed", c.Storages["feed"], &Storage{
		Name: "feed", Type: TypeWebcal, CollectionID: "feed", AuthCert: []string{"/etc/bundle.pem"},
		URL:      Value{Literal: "https://example.com/feed.ics", Name: "url", File: f, Line: 30, Col: 2},
		ReadOnly: true, Interval: DefaultInterval, Concurrency: 4, MultigetSize: 100, File: f, Line: 28, Col: 1,
	})
	check(t, "cal dir", c.Storages["cal dir"], &Storage{
		Name: "cal dir", Type: TypeVdirICalendar, FileExt: "ics",
		Path:     Value{Literal: "~/cal", IsPath: true, Name: "path", File: f, Line: 36, Col: 2},
		Interval: DefaultInterval, Concurrency: 4, MultigetSize: 100, File: f, Line: 34, Col: 1,
	})
	check(t, "contacts", c.Pair("contacts"), &Pair{
		Name: "contacts", FromA: true, FromB: true, Collections: []string{"friends"},
		Mappings: []Mapping{{Alias: "work", HrefA: "/work/", IDB: "w0rk", Line: 45}},
		OnEmpty:  OnEmptySync, OnDelete: OnDeleteSync, Conflict: Resolution{Keep: "b"}, OneWay: true,
		File: f, Line: 40, Col: 1,
	})
	check(t, "feed in cal", c.Pair("feed in cal"), &Pair{
		Name: "feed in cal", FromA: true, Conflict: Resolution{Keep: "a"}, File: f, Line: 55, Col: 1,
	})
	if k := c.Storages["contacts_remote"].Kind(); k != Contacts || k.String() != "contacts" {
		t.Errorf("Kind = %v", k)
	}
}

func TestParseSmall(t *testing.T) {
	// CRLF line endings, a storage defined after the pair that names it, and no pairs.
	c, err := Parse("x.conf", strings.NewReader("status_path /s\r\npair p {\r\n\tstorage_a a\r\n\tstorage_b b\r\n\tcollections from a\r\n}\r\n"+
		"storage a {\r\n\ttype caldav\r\n\turl http://localhost:5232/\r\n}\r\nstorage b {\r\n\ttype vdir/icalendar\r\n\tpath /b\r\n}\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	if p := c.Pair("p"); p.A.Name != "a" || p.B.Name != "b" || !p.FromA || p.FromB {
		t.Errorf("pair = %+v", p)
	}
	c, err = Parse("x.conf", strings.NewReader("status_path /s\n"))
	if err != nil || len(c.Pairs) != 0 || len(c.Storages) != 0 {
		t.Errorf("Parse(status_path only) = %+v, %v", c, err)
	}
}

func TestLoadMissing(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "none.conf"))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Load: %v, want not exist", err)
	}
}

func TestParseReadError(t *testing.T) {
	boom := errors.New("boom")
	_, err := Parse("x.conf", iotest.ErrReader(boom))
	if !errors.Is(err, boom) || !strings.HasPrefix(err.Error(), "x.conf: ") {
		t.Errorf("Parse: %v", err)
	}
}

func TestKindString(t *testing.T) {
	if Calendar.String() != "calendar" || Contacts.String() != "contacts" || Kind(0).String() != "Kind(0)" {
		t.Errorf("Kind strings: %v %v %v", Calendar, Contacts, Kind(0))
	}
	if OnEmptySkip.String() != "skip" || OnEmptySync.String() != "sync" || OnDeleteSync.String() != "sync" || OnDeleteSkip.String() != "skip" {
		t.Error("OnEmpty/OnDelete strings")
	}
}

func TestDefaultPath(t *testing.T) {
	t.Setenv("HOME", "/home/u")
	tests := []struct{ xdg, want string }{
		{"/xdg", "/xdg/pimsync/pimsync.conf"},
		{"", "/home/u/.config/pimsync/pimsync.conf"},
		{"relative/dir", "/home/u/.config/pimsync/pimsync.conf"},
	}
	for _, tt := range tests {
		t.Setenv("XDG_CONFIG_HOME", tt.xdg)
		got, err := DefaultPath()
		if err != nil || got != tt.want {
			t.Errorf("XDG_CONFIG_HOME=%q: DefaultPath() = %q, %v; want %q", tt.xdg, got, err, tt.want)
		}
	}
	t.Setenv("XDG_CONFIG_HOME", "")
	t.Setenv("HOME", "")
	if got, err := DefaultPath(); err == nil {
		t.Errorf("without HOME: DefaultPath() = %q", got)
	}
}

func TestDidYouMean(t *testing.T) {
	known := []string{"read_only", "status_path", "url", "storage_a", "cal"}
	tests := []struct{ in, want string }{
		{"readonly", "read_only"},
		{"read-only", "read_only"},
		{"Read_Only", "read_only"},
		{"raed_only", "read_only"},
		{"status-path", "status_path"},
		{"ulr", "url"},
		{"cla", "cal"},
		{"username", ""},
		{"x", ""},
		{strings.Repeat("a", 100), ""},
	}
	for _, tt := range tests {
		want := ""
		if tt.want != "" {
			want = " (did you mean " + tt.want + "?)"
		}
		if got := didYouMean(tt.in, known); got != want {
			t.Errorf("didYouMean(%q) = %q, want %q", tt.in, got, want)
		}
	}
}

// FuzzParse checks that no input makes Parse panic and that every problem it reports
// carries the file name and a position.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"example.conf", "full.conf"} {
		f.Add(readTestdata(f, name))
	}
	f.Add([]byte(pairOf("cal", "card", "collection {", "\talias x", "}")))
	f.Add([]byte(base + "storage x {\n\ttype webcal\n\turl {\n\t\tshell\n\t}\n}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse("f.conf", strings.NewReader(string(data)))
		if err == nil {
			if c == nil || c.StatusPath.Line == 0 {
				t.Fatalf("Parse: no error and no status_path: %+v", c)
			}
			return
		}
		for _, line := range strings.Split(err.Error(), "\n") {
			if !strings.HasPrefix(line, "f.conf:") {
				t.Fatalf("error line without position: %q", line)
			}
		}
	})
}

// TestDomainURL: a CalDAV or CardDAV url may be an email address or a domain, to be
// discovered (RFC 6764); a webcal url may not.
func TestDomainURL(t *testing.T) {
	for _, u := range []string{"me@example.com", "example.com", "dav.example.co.uk"} {
		for _, typ := range []string{"caldav", "carddav"} {
			conf := "status_path /s\nstorage x {\n\ttype " + typ + "\n\turl " + u + "\n}\n"
			c, err := Parse("x.conf", strings.NewReader(conf))
			if err != nil || c.Storages["x"].URL.Literal != u {
				t.Errorf("%s url %s: %v", typ, u, err)
			}
		}
	}
	for _, u := range []string{"localhost", "me@", "exa mple.com", "/dav/"} {
		conf := "status_path /s\nstorage x {\n\ttype caldav\n\turl \"" + u + "\"\n}\n"
		if _, err := Parse("x.conf", strings.NewReader(conf)); err == nil {
			t.Errorf("caldav url %q accepted", u)
		}
	}
}

// TestWebcalScheme: a feed's webcal:// link is a webcal storage's url as it is.
func TestWebcalScheme(t *testing.T) {
	for _, u := range []string{"webcal://example.com/cal.ics", "webcals://example.com/cal.ics", "https://example.com/cal.ics"} {
		conf := "status_path /s\nstorage x {\n\ttype webcal\n\turl " + u + "\n\tcollection_id x\n}\n"
		if _, err := Parse("x.conf", strings.NewReader(conf)); err != nil {
			t.Errorf("webcal url %s: %v", u, err)
		}
	}
	conf := "status_path /s\nstorage x {\n\ttype caldav\n\turl webcal://example.com/\n}\n"
	if _, err := Parse("x.conf", strings.NewReader(conf)); err == nil {
		t.Error("a caldav storage took a webcal:// url")
	}
}

// TestTimeout: an HTTP storage's timeout is read in seconds; none leaves it zero.
func TestTimeout(t *testing.T) {
	for _, tt := range []struct {
		line string
		want time.Duration
	}{
		{"\ttimeout 20\n", 20 * time.Second},
		{"", 0},
	} {
		c, err := Parse("t.conf", strings.NewReader("status_path /tmp/s\nstorage x {\n\ttype caldav\n\turl http://x/\n"+tt.line+"}\n"))
		if err != nil {
			t.Fatal(err)
		}
		if got := c.Storages["x"].Timeout; got != tt.want {
			t.Errorf("%q: Timeout %v, want %v", tt.line, got, tt.want)
		}
	}
}

// TestMaxSize: max_size in bytes or with K, M or G; none leaves it zero.
func TestMaxSize(t *testing.T) {
	for _, tt := range []struct {
		typ, line string
		want      int64
	}{
		{"caldav\n\turl http://x/", "\tmax_size 1048576\n", 1 << 20},
		{"webcal\n\turl http://x/\n\tcollection_id w", "\tmax_size 64K\n", 64 << 10},
		{"vdir/icalendar\n\tpath /x", "\tmax_size 300m\n", 300 << 20},
		{"carddav\n\turl http://x/", "\tmax_size 4G\n", 4 << 30},
		{"carddav\n\turl http://x/", "", 0},
	} {
		c, err := Parse("t.conf", strings.NewReader("status_path /tmp/s\nstorage x {\n\ttype "+tt.typ+"\n"+tt.line+"}\n"))
		if err != nil {
			t.Fatal(err)
		}
		if got := c.Storages["x"].MaxSize; got != tt.want {
			t.Errorf("%q: MaxSize %d, want %d", tt.line, got, tt.want)
		}
	}
}
