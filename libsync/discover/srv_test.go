package discover

import (
	"math/rand/v2"
	"reflect"
	"testing"
)

// picks returns an intn that answers with vals in turn and records each n asked.
func picks(vals ...int) (func(int) int, *[]int) {
	var asked []int
	return func(n int) int {
		asked = append(asked, n)
		v := vals[0]
		vals = vals[1:]
		return v
	}, &asked
}

func TestOrderSRV(t *testing.T) {
	a := SRV{Target: "a.", Priority: 10, Weight: 60}
	b := SRV{Target: "b.", Priority: 10, Weight: 40}
	c := SRV{Target: "c.", Priority: 0, Weight: 0}
	z := SRV{Target: "z.", Priority: 10, Weight: 0}
	for _, tc := range []struct {
		name  string
		in    []SRV
		picks []int
		want  []SRV
		asked []int // the n of each intn call: the sum of the weights left, plus one
	}{
		{"priority first, then the weighted pick (60 < 61 ≤ 100 picks b)", []SRV{a, b, c}, []int{0, 61, 0},
			[]SRV{c, b, a}, []int{1, 101, 61}},
		{"a pick within the first running sum takes the first", []SRV{a, b}, []int{60, 0}, []SRV{a, b}, []int{101, 41}},
		{"weight 0 goes first among equals, and is taken by a pick of 0", []SRV{a, z}, []int{0, 0}, []SRV{z, a}, []int{61, 61}},
		{"weight 0 is passed over by any other pick", []SRV{a, z}, []int{1, 0}, []SRV{a, z}, []int{61, 1}},
		{"nothing", nil, nil, []SRV{}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			intn, asked := picks(tc.picks...)
			in := append([]SRV(nil), tc.in...)
			got := OrderSRV(tc.in, intn)
			if !reflect.DeepEqual(got, tc.want) || !reflect.DeepEqual(*asked, tc.asked) {
				t.Errorf("got %v (asked %v), want %v (asked %v)", got, *asked, tc.want, tc.asked)
			}
			if !reflect.DeepEqual(in, tc.in) {
				t.Errorf("the input changed: %v", tc.in)
			}
		})
	}
}

// TestOrderSRVDistribution: with a real random source, a record of weight 30 comes
// first about three times as often as one of weight 10. (RFC 2782 picks from 0 to the
// sum inclusive, so that weight 0 has a chance: the first record gets one pick of the
// 41 more than its weight.)
func TestOrderSRVDistribution(t *testing.T) {
	heavy := SRV{Target: "heavy.", Weight: 30}
	light := SRV{Target: "light.", Weight: 10}
	first := 0
	const runs = 4000
	for range runs {
		if OrderSRV([]SRV{light, heavy}, rand.IntN)[0] == heavy {
			first++
		}
	}
	if share, want := float64(first)/runs, 30.0/41; share < want-0.04 || share > want+0.04 {
		t.Errorf("weight 30 of 40 came first in %.3f of the runs, want about %.3f", share, want)
	}
}
