package main

import (
	"runtime"
	"testing"
)

func TestAddSpareProcs(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, tc := range []struct {
		env  string
		want func(before int) int
	}{
		{"", func(before int) int { return before + spareProcs }},
		{"1", func(before int) int { return before }},
	} {
		t.Setenv("GOMAXPROCS", tc.env)
		before := runtime.GOMAXPROCS(0)
		addSpareProcs()
		if got, want := runtime.GOMAXPROCS(0), tc.want(before); got != want {
			t.Errorf("GOMAXPROCS=%q: %d slots after, want %d", tc.env, got, want)
		}
	}
}
