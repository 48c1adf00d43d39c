package config

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseDateSpec(t *testing.T) {
	now := time.Date(2026, 3, 31, 15, 4, 5, 0, time.FixedZone("x", 3600))
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	tests := []struct {
		in   string
		want time.Time // At(now); zero means a parse error
	}{
		{"-365d", day(2025, 3, 31)},
		{"+0d", day(2026, 3, 31)},
		{"+2y", day(2028, 3, 31)},
		{"-1m", day(2026, 3, 3)}, // AddDate normalizes 2026-02-31
		{"+4w", day(2026, 4, 28)},
		{"2026-01-01", day(2026, 1, 1)},
		{"", time.Time{}},
		{"365d", time.Time{}},
		{"-d", time.Time{}},
		{"-1h", time.Time{}},
		{"-1.5y", time.Time{}},
		{"- 1y", time.Time{}},
		{"+99999999999999999999d", time.Time{}},
		{"2026-13-01", time.Time{}},
		{"2026-1-1", time.Time{}},
		{"today", time.Time{}},
		{"__import__('os')", time.Time{}},
		{"datetime.now() - timedelta(days=365)", time.Time{}},
	}
	for _, tt := range tests {
		d, err := ParseDateSpec(tt.in)
		if tt.want.IsZero() {
			if err == nil {
				t.Errorf("ParseDateSpec(%q) = %+v, want an error", tt.in, d)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseDateSpec(%q): %v", tt.in, err)
			continue
		}
		if got := d.At(now); !got.Equal(tt.want) || !d.IsSet() {
			t.Errorf("ParseDateSpec(%q).At = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// calConf is a configuration with one caldav and one vdir storage whose blocks end with
// the given lines; the caldav storage's extra lines start at line 5, the vdir's after.
func calConf(cal []string, vdir ...string) string {
	s := "status_path /tmp/s\nstorage remote {\n\ttype caldav\n\turl https://example.com/\n"
	for _, l := range cal {
		s += "\t" + l + "\n"
	}
	s += "}\nstorage local {\n\ttype vdir/icalendar\n\tpath /tmp/cal\n"
	for _, l := range vdir {
		s += "\t" + l + "\n"
	}
	return s + "}\n"
}

func TestFilters(t *testing.T) {
	c, err := Parse("good.conf", strings.NewReader(calConf(
		[]string{"start_date -365d", "end_date 2099-12-31", "item_types vevent VTODO"}, "post_hook /usr/bin/true")))
	if err != nil {
		t.Fatal(err)
	}
	var remote, local *Storage
	for _, s := range c.Storages {
		switch s.Name {
		case "remote":
			remote = s
		case "local":
			local = s
		}
	}
	if remote.StartDate.N != -365 || remote.StartDate.Unit != 'd' || remote.EndDate.Fixed.Year() != 2099 {
		t.Errorf("dates %+v %+v", remote.StartDate, remote.EndDate)
	}
	if !reflect.DeepEqual(remote.ItemTypes, []string{"VEVENT", "VTODO"}) {
		t.Errorf("item_types %q", remote.ItemTypes)
	}
	if local.PostHook != "/usr/bin/true" || remote.PostHook != "" || local.StartDate.IsSet() {
		t.Errorf("post_hook %q %q", local.PostHook, remote.PostHook)
	}
}

func TestFilterErrors(t *testing.T) {
	tests := []struct {
		name string
		conf string
		want []string
	}{
		{"code is not a date", calConf([]string{"start_date \"datetime.now()\"", "end_date +1y"}),
			[]string{`bad.conf:5:13: start_date: datetime.now() is neither a date`}},
		{"bad absolute date", calConf([]string{"start_date 2026-02-30", "end_date +1y"}),
			[]string{`bad.conf:5:13: start_date: 2026-02-30 is not a date YYYY-MM-DD`}},
		{"unknown unit", calConf([]string{"start_date -1d", "end_date +3h"}),
			[]string{`bad.conf:6:11: end_date: +3h is neither a date`}},
		{"start without end", calConf([]string{"start_date -1d"}),
			[]string{"bad.conf:5:2: start_date needs an end_date too"}},
		{"end without start", calConf([]string{"end_date +1d"}),
			[]string{"bad.conf:5:2: end_date needs a start_date too"}},
		{"end before start", calConf([]string{"start_date +1y", "end_date -1y"}),
			[]string{"bad.conf:6:11: end_date -1y is not after start_date +1y"}},
		{"empty window", calConf([]string{"start_date 2026-01-01", "end_date 2026-01-01"}),
			[]string{"bad.conf:6:11: end_date 2026-01-01 is not after start_date 2026-01-01"}},
		{"item types", calConf([]string{"item_types VEVENT VCARD vevent"}),
			[]string{
				`bad.conf:5:20: item_types: VCARD is not one of VEVENT, VTODO, VJOURNAL`,
				`bad.conf:5:26: item_types: VEVENT given twice`,
			}},
		{"item_types without types", calConf([]string{"item_types"}),
			[]string{"bad.conf:5:2: item_types takes at least 1 parameter"}},
		{"empty post_hook", calConf(nil, `post_hook ""`),
			[]string{"bad.conf:9:12: post_hook is empty"}},
		{"filters on a vdir", calConf(nil, "start_date -1d", "end_date +1d"),
			[]string{
				"bad.conf:9:2: start_date does not apply to vdir/icalendar storages, only to caldav",
				"bad.conf:10:2: end_date does not apply to vdir/icalendar storages, only to caldav",
			}},
		{"post_hook on caldav", calConf([]string{"post_hook /bin/true"}),
			[]string{"bad.conf:5:2: post_hook does not apply to caldav storages, only to vdir/icalendar, vdir/vcard"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("bad.conf", strings.NewReader(tt.conf))
			if err == nil {
				t.Fatalf("no error, want %q", tt.want)
			}
			got := strings.Split(err.Error(), "\n")
			if len(got) != len(tt.want) {
				t.Fatalf("%d errors, want %d:\n%s", len(got), len(tt.want), err)
			}
			for i := range got {
				if !strings.HasPrefix(got[i], tt.want[i]) {
					t.Errorf("error %d:\n got %s\nwant %s…", i, got[i], tt.want[i])
				}
			}
		})
	}
}
