package item

import (
	"reflect"
	"testing"
)

func TestMainProps(t *testing.T) {
	tests := []struct {
		name string
		data string
		want map[string]PropValue
	}{
		{"event with alarm and timezone",
			"BEGIN:VCALENDAR\r\nBEGIN:VTIMEZONE\r\nTZID:X\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n" +
				"BEGIN:VEVENT\r\nUID:u1\r\nDTSTART;TZID=Europe/Berlin:20260101T100000\r\nSUMMARY:Tea\\, cake\r\n and more\r\n" +
				"BEGIN:VALARM\r\nSUMMARY:alarm\r\nEND:VALARM\r\nRRULE:FREQ=WEEKLY\r\nEND:VEVENT\r\n" +
				"BEGIN:VEVENT\r\nUID:u1\r\nSUMMARY:override\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
			map[string]PropValue{
				"DTSTART": {Value: "20260101T100000", Params: []string{"TZID=Europe/Berlin"}},
				"SUMMARY": {Value: "Tea, cakeand more"},
				"RRULE":   {Value: "FREQ=WEEKLY"},
			}},
		{"card", "BEGIN:VCARD\nVERSION:3.0\nFN:Anna\\nM\nEND:VCARD\n",
			map[string]PropValue{"FN": {Value: "Anna\nM"}}},
		{"garbage", "no item here", map[string]PropValue{}},
	}
	for _, tt := range tests {
		got := MainProps([]byte(tt.data), "dtstart", "SUMMARY", "RRULE", "FN")
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: got %+v, want %+v", tt.name, got, tt.want)
		}
	}
	if tz := (PropValue{Params: []string{`TZID="A;B"`}}).Param("tzid"); tz != "A;B" {
		t.Errorf("Param: %q", tz)
	}
}

// TestHeaderProps: the VCALENDAR's own properties, parameters and escapes read as
// MainProps reads them, never a property of a component it holds.
func TestHeaderProps(t *testing.T) {
	data := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nX-WR-CALNAME;VALUE=TEXT:Team\\, Berlin\r\n" +
		"BEGIN:VEVENT\r\nUID:e1\r\nX-WR-CALDESC:not the calendar's\r\nEND:VEVENT\r\n" +
		"X-WR-CALDESC:Late\r\nEND:VCALENDAR\r\n"
	got := HeaderProps([]byte(data), "X-WR-CALNAME", "X-WR-CALDESC", "X-APPLE-CALENDAR-COLOR")
	want := map[string]PropValue{
		"X-WR-CALNAME": {Value: "Team, Berlin", Params: []string{"VALUE=TEXT"}},
		"X-WR-CALDESC": {Value: "Late"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
}
