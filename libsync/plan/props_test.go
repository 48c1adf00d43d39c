package plan

import (
	"reflect"
	"testing"
)

func TestProps(t *testing.T) {
	type m = map[string]string
	roB := Options{ReadOnly: [2]bool{false, true}}
	tests := []struct {
		name string
		a, b m
		old  m
		opts Options
		want []PropAction // Why is not compared
	}{
		{name: "unset everywhere", a: m{}, b: m{}, old: m{}},
		{name: "in sync", a: m{"color": "#1"}, b: m{"color": "#1"}, old: m{"color": "#1"}},
		{name: "same on both, not recorded", a: m{"color": "#1"}, b: m{"color": "#1"}, old: m{},
			want: []PropAction{{Op: Save, Name: "color", Value: "#1"}}},
		{name: "same on both, recorded otherwise", a: m{"color": "#2"}, b: m{"color": "#2"}, old: m{"color": "#1"},
			want: []PropAction{{Op: Save, Name: "color", Value: "#2"}}},
		{name: "removed on both", a: m{}, b: m{}, old: m{"color": "#1"},
			want: []PropAction{{Op: Save, Name: "color", Value: ""}}},
		{name: "changed on a", a: m{"color": "#2"}, b: m{"color": "#1"}, old: m{"color": "#1"},
			want: []PropAction{{Op: Update, Name: "color", To: B, Value: "#2"}}},
		{name: "changed on b", a: m{"color": "#1"}, b: m{"color": "#2"}, old: m{"color": "#1"},
			want: []PropAction{{Op: Update, Name: "color", To: A, Value: "#2"}}},
		{name: "removed on a", a: m{}, b: m{"color": "#1"}, old: m{"color": "#1"},
			want: []PropAction{{Op: Update, Name: "color", To: B, Value: ""}}},
		{name: "set on a", a: m{"displayname": "Work"}, b: m{}, old: m{},
			want: []PropAction{{Op: Update, Name: "displayname", To: B, Value: "Work"}}},
		{name: "set on b", a: m{}, b: m{"displayname": "Work"}, old: m{},
			want: []PropAction{{Op: Update, Name: "displayname", To: A, Value: "Work"}}},
		{name: "set differently on both", a: m{"displayname": "A"}, b: m{"displayname": "B"}, old: m{},
			want: []PropAction{{Op: Conflict, Name: "displayname"}}},
		{name: "changed on both", a: m{"displayname": "A"}, b: m{"displayname": "B"}, old: m{"displayname": "O"},
			want: []PropAction{{Op: Conflict, Name: "displayname"}}},
		{name: "changed on a, removed on b", a: m{"displayname": "A"}, b: m{}, old: m{"displayname": "O"},
			want: []PropAction{{Op: Conflict, Name: "displayname"}}},
		{name: "changed on both, keep a", a: m{"displayname": "A"}, b: m{"displayname": "B"}, old: m{"displayname": "O"}, opts: Options{Resolve: KeepA},
			want: []PropAction{{Op: Update, Name: "displayname", To: B, Value: "A"}}},
		{name: "changed on both, keep b", a: m{"displayname": "A"}, b: m{"displayname": "B"}, old: m{"displayname": "O"}, opts: Options{Resolve: KeepB},
			want: []PropAction{{Op: Update, Name: "displayname", To: A, Value: "B"}}},
		{name: "one way, changed on b", a: m{"color": "#1"}, b: m{"color": "#2"}, old: m{"color": "#1"}, opts: Options{OneWay: true},
			want: []PropAction{{Op: Update, Name: "color", To: B, Value: "#1"}}},
		{name: "one way, set on b only", a: m{}, b: m{"color": "#2"}, old: m{}, opts: Options{OneWay: true},
			want: []PropAction{{Op: Update, Name: "color", To: B, Value: ""}}},
		{name: "read-only b, changed on a", a: m{"color": "#2"}, b: m{"color": "#1"}, old: m{"color": "#1"}, opts: roB,
			want: []PropAction{{Op: Skip, Name: "color", To: B, Value: "#2"}}},
		{name: "read-only b, changed on b", a: m{"color": "#1"}, b: m{"color": "#2"}, old: m{"color": "#1"}, opts: roB,
			want: []PropAction{{Op: Update, Name: "color", To: A, Value: "#2"}}},
		{name: "several, sorted", a: m{"order": "1", "color": "#1", "description": "d"}, b: m{"color": "#1"}, old: m{"color": "#1"},
			want: []PropAction{{Op: Update, Name: "description", To: B, Value: "d"}, {Op: Update, Name: "order", To: B, Value: "1"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Props([2]map[string]string{tt.a, tt.b}, tt.old, tt.opts)
			for i := range got {
				if got[i].Why == "" {
					t.Errorf("%s has no reason", got[i].Name)
				}
				got[i].Why = ""
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}
