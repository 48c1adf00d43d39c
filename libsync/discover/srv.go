package discover

import (
	"cmp"
	"slices"
)

// OrderSRV returns records in the order RFC 2782 says to try them: by priority, lowest
// first, and within a priority at random in proportion to the weights (records of
// weight 0 have a small chance, and come first among equals). intn(n) returns a
// number in [0, n); tests pass a fixed one. records is not changed.
func OrderSRV(records []SRV, intn func(int) int) []SRV {
	rest := slices.Clone(records)
	slices.SortStableFunc(rest, func(a, b SRV) int { return cmp.Compare(a.Priority, b.Priority) })
	out := make([]SRV, 0, len(rest))
	for len(rest) > 0 {
		end := 1
		for end < len(rest) && rest[end].Priority == rest[0].Priority {
			end++
		}
		out = append(out, weighted(rest[:end], intn)...)
		rest = rest[end:]
	}
	return out
}

// weighted orders records of one priority by RFC 2782's selection: weight-0 records
// first, then repeatedly pick a random number in [0, sum of weights] and take the
// first record whose running sum reaches it.
func weighted(group []SRV, intn func(int) int) []SRV {
	left := make([]SRV, 0, len(group))
	for _, r := range group {
		if r.Weight == 0 {
			left = append(left, r)
		}
	}
	for _, r := range group {
		if r.Weight != 0 {
			left = append(left, r)
		}
	}
	out := make([]SRV, 0, len(group))
	for len(left) > 0 {
		sum := 0
		for _, r := range left {
			sum += int(r.Weight)
		}
		pick, run, i := intn(sum+1), 0, 0
		for i = range left {
			run += int(left[i].Weight)
			if run >= pick {
				break
			}
		}
		out = append(out, left[i])
		left = slices.Delete(left, i, i+1)
	}
	return out
}
