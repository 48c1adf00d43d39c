package plan

import (
	"reflect"
	"strings"
	"testing"
)

func TestCollections(t *testing.T) {
	col := func(id string) Collection { return Collection{ID: id, Href: "/" + id + "/"} }
	have := func(ids ...string) []Collection {
		var out []Collection
		for _, id := range ids {
			out = append(out, col(id))
		}
		return out
	}
	fromA := Selection{From: [2]bool{true, false}}
	fromB := Selection{From: [2]bool{false, true}}
	fromBoth := Selection{From: [2]bool{true, true}}
	known := func(keys ...string) map[string][2]string {
		out := map[string][2]string{}
		for _, k := range keys {
			out[k] = [2]string{"/" + k + "/", "/" + k + "/"}
		}
		return out
	}
	tests := []struct {
		name string
		in   CollectionsInput
		want []Mapped // Why is compared by containment
	}{
		{name: "from a: created on b", in: CollectionsInput{Have: [2][]Collection{have("cal"), have("other")}, Select: fromA},
			want: []Mapped{{Key: "cal", Col: [2]Collection{col("cal"), {ID: "cal"}}, Create: [2]bool{false, true}, Why: "new on a"}}},
		{name: "from b: created on a", in: CollectionsInput{Have: [2][]Collection{have("other"), have("cal")}, Select: fromB},
			want: []Mapped{{Key: "cal", Col: [2]Collection{{ID: "cal"}, col("cal")}, Create: [2]bool{true, false}, Why: "new on b"}}},
		{name: "from both", in: CollectionsInput{Have: [2][]Collection{have("cal", "x"), have("cal", "y")}, Select: fromBoth},
			want: []Mapped{
				{Key: "cal", Col: [2]Collection{col("cal"), col("cal")}, Why: "on both sides"},
				{Key: "x", Col: [2]Collection{col("x"), {ID: "x"}}, Create: [2]bool{false, true}, Why: "new on a"},
				{Key: "y", Col: [2]Collection{{ID: "y"}, col("y")}, Create: [2]bool{true, false}, Why: "new on b"},
			}},
		{name: "explicit id on neither side", in: CollectionsInput{Select: Selection{IDs: []string{"cal"}}},
			want: []Mapped{{Key: "cal", Col: [2]Collection{{ID: "cal"}, {ID: "cal"}}, Create: [2]bool{true, true}, Why: "on neither side"}}},
		{name: "explicit id, others ignored", in: CollectionsInput{Have: [2][]Collection{have("cal", "work"), nil}, Select: Selection{IDs: []string{"cal"}}},
			want: []Mapped{{Key: "cal", Col: [2]Collection{col("cal"), {ID: "cal"}}, Create: [2]bool{false, true}, Why: "new on a"}}},
		{name: "mapping by href and by id", in: CollectionsInput{Have: [2][]Collection{have("work"), nil},
			Select: Selection{Mappings: []Mapping{{Key: "m", Href: [2]string{"/work/", ""}, ID: [2]string{"", "office"}}}}},
			want: []Mapped{{Key: "m", Col: [2]Collection{col("work"), {ID: "office"}}, Create: [2]bool{false, true}, Why: "new on a"}}},
		{name: "mapping to an href that is not there", in: CollectionsInput{Have: [2][]Collection{nil, have("office")},
			Select: Selection{Mappings: []Mapping{{Key: "m", Href: [2]string{"/gone/", ""}, ID: [2]string{"", "office"}}}}},
			want: []Mapped{{Key: "m", Col: [2]Collection{{Href: "/gone/"}, col("office")}, Skip: "/gone/ does not exist on a", Why: "new on b"}}},
		{name: "read-only side lacks it", in: CollectionsInput{Have: [2][]Collection{have("cal"), nil}, Select: fromA, ReadOnly: [2]bool{false, true}},
			want: []Mapped{{Key: "cal", Col: [2]Collection{col("cal"), {ID: "cal"}}, Skip: "missing on b, which is read-only", Why: "new on a"}}},
		{name: "deleted on b, on_delete skip", in: CollectionsInput{Have: [2][]Collection{have("cal"), nil}, Select: fromBoth, Known: known("cal")},
			want: []Mapped{{Key: "cal", Col: [2]Collection{col("cal"), {ID: "cal"}}, Skip: "deleted on b; on_delete skip keeps it on a"}}},
		{name: "deleted on b, on_delete sync", in: CollectionsInput{Have: [2][]Collection{have("cal"), nil}, Select: fromBoth, Known: known("cal"), DeleteSync: true},
			want: []Mapped{{Key: "cal", Col: [2]Collection{col("cal"), {ID: "cal"}}, Delete: A, Deleting: true, Why: "deleted on b"}}},
		{name: "deleted on a, on_delete sync", in: CollectionsInput{Have: [2][]Collection{nil, have("cal")}, Select: fromBoth, Known: known("cal"), DeleteSync: true},
			want: []Mapped{{Key: "cal", Col: [2]Collection{{ID: "cal"}, col("cal")}, Delete: B, Deleting: true, Why: "deleted on a"}}},
		{name: "deleted on b, on_delete sync, a read-only", in: CollectionsInput{Have: [2][]Collection{have("cal"), nil}, Select: fromBoth, Known: known("cal"), DeleteSync: true, ReadOnly: [2]bool{true, false}},
			want: []Mapped{{Key: "cal", Col: [2]Collection{col("cal"), {ID: "cal"}}, Skip: "deleted on b; not deleted on a, which is read-only"}}},
		{name: "gone from both", in: CollectionsInput{Select: Selection{IDs: []string{"cal"}}, Known: known("cal"), DeleteSync: true},
			want: []Mapped{{Key: "cal", Col: [2]Collection{{ID: "cal"}, {ID: "cal"}}, Forget: true, Why: "gone from both sides"}}},
		{name: "from a and b, gone from both: forgotten", in: CollectionsInput{Have: [2][]Collection{have("x"), have("x")}, Select: fromBoth, Known: known("cal", "x")},
			want: []Mapped{
				{Key: "x", Col: [2]Collection{col("x"), col("x")}, Why: "on both sides"},
				{Key: "cal", Forget: true, Why: "gone from both sides"},
			}},
		{name: "not selected but still on a side: kept", in: CollectionsInput{Have: [2][]Collection{have("cal"), nil}, Select: Selection{IDs: []string{"x"}}, Known: known("cal")},
			want: []Mapped{{Key: "x", Col: [2]Collection{{ID: "x"}, {ID: "x"}}, Create: [2]bool{true, true}, Why: "on neither side"}}},
		{name: "one way, missing on b although known", in: CollectionsInput{Have: [2][]Collection{have("cal"), nil}, Select: fromBoth, Known: known("cal"), OneWay: true},
			want: []Mapped{{Key: "cal", Col: [2]Collection{col("cal"), {ID: "cal"}}, Create: [2]bool{false, true}, Why: "missing on b, which mirrors a"}}},
		{name: "one way, new on b", in: CollectionsInput{Have: [2][]Collection{nil, have("cal")}, Select: fromBoth, OneWay: true},
			want: []Mapped{{Key: "cal", Col: [2]Collection{{ID: "cal"}, col("cal")}, Skip: "not on a, which b mirrors"}}},
		{name: "one way, deleted on a, on_delete sync", in: CollectionsInput{Have: [2][]Collection{nil, have("cal")}, Select: fromBoth, Known: known("cal"), OneWay: true, DeleteSync: true},
			want: []Mapped{{Key: "cal", Col: [2]Collection{{ID: "cal"}, col("cal")}, Delete: B, Deleting: true, Why: "deleted on a"}}},
		{name: "an href mapped twice", in: CollectionsInput{Have: [2][]Collection{have("work"), have("p", "q")},
			Select: Selection{Mappings: []Mapping{
				{Key: "m1", Href: [2]string{"/work/", ""}, ID: [2]string{"", "p"}},
				{Key: "m2", Href: [2]string{"/work/", ""}, ID: [2]string{"", "q"}},
			}}},
			want: []Mapped{
				{Key: "m1", Col: [2]Collection{col("work"), col("p")}, Why: "on both sides"},
				{Key: "m2", Col: [2]Collection{col("work"), {ID: "q"}}, Skip: "/work/ on a is already synced as m1"},
			}},
		{name: "an id claimed by a mapping", in: CollectionsInput{Have: [2][]Collection{have("cal"), have("cal", "office")},
			Select: Selection{IDs: []string{"cal"}, Mappings: []Mapping{{Key: "m", ID: [2]string{"cal", "office"}}}}},
			want: []Mapped{
				{Key: "m", Col: [2]Collection{col("cal"), col("office")}, Why: "on both sides"},
				{Key: "cal", Col: [2]Collection{col("cal"), {ID: "cal"}}, Skip: "/cal/ on a is already synced as m"},
			}},
		{name: "mapped collections are not synced again by from", in: CollectionsInput{Have: [2][]Collection{have("cal", "x"), have("office")},
			Select: Selection{From: [2]bool{true, true}, Mappings: []Mapping{{Key: "m", ID: [2]string{"cal", "office"}}}}},
			want: []Mapped{
				{Key: "m", Col: [2]Collection{col("cal"), col("office")}, Why: "on both sides"},
				{Key: "x", Col: [2]Collection{col("x"), {ID: "x"}}, Create: [2]bool{false, true}, Why: "new on a"},
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Collections(tt.in)
			if len(got) != len(tt.want) {
				t.Fatalf("got %+v\nwant %+v", got, tt.want)
			}
			for i := range got {
				g, w := got[i], tt.want[i]
				if !strings.Contains(g.Why, w.Why) {
					t.Errorf("%s: why %q, want %q", g.Key, g.Why, w.Why)
				}
				g.Why, w.Why = "", ""
				if strings.Contains(w.Skip, "already synced") {
					// Which collections such a mapping names is beside the point.
					g.Col, w.Col = [2]Collection{}, [2]Collection{}
				}
				if !reflect.DeepEqual(g, w) {
					t.Errorf("got  %+v\nwant %+v", g, w)
				}
				if sync := !g.Forget && !g.Deleting && g.Skip == ""; g.Sync() != sync {
					t.Errorf("%s: Sync() = %v", g.Key, g.Sync())
				}
			}
		})
	}
}
