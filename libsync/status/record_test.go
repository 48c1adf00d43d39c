package status

import (
	"strings"
	"testing"
)

// isKey must agree with dbKey, for plain and for hashed keys, and tell apart keys that
// share a prefix or a length.
func TestIsKey(t *testing.T) {
	long := strings.Repeat("u", maxPlainKey)
	keys := []string{"", "a", "b", "ab", long, long + "a", long + "b", long + "ab", strings.Repeat("x", 5000)}
	for _, k := range keys {
		for _, s := range keys {
			if got, want := isKey(dbKey(k), s), k == s; got != want {
				t.Errorf("isKey(dbKey(%.8q… of %d), %.8q… of %d) = %v, want %v", k, len(k), s, len(s), got, want)
			}
		}
	}
}

// decodeInto reads back what appendFields wrote, and refuses a record cut short or
// with bytes to spare.
func TestDecodeInto(t *testing.T) {
	fields := []string{"ident", "", strings.Repeat("é", 200), "\xff\x00"}
	rec := appendFields([]byte{recordV1}, fields...)
	got := make([]string, len(fields))
	if err := decodeInto(rec, got); err != nil {
		t.Fatal(err)
	}
	for i := range fields {
		if got[i] != fields[i] {
			t.Errorf("field %d: got %q, want %q", i, got[i], fields[i])
		}
	}
	for name, bad := range map[string][]byte{
		"cut short":  rec[:len(rec)-1],
		"extra byte": append(append([]byte{}, rec...), 0),
		"empty":      nil,
		"version":    append([]byte{9}, rec[1:]...),
	} {
		if err := decodeInto(bad, make([]string, len(fields))); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

var recordSink []byte // keeps newRecord's result on the heap, as in a sync

// newRecord sizes its one allocation exactly, lengths of every varint width included.
func TestNewRecord(t *testing.T) {
	for _, n := range []int{0, 1, 127, 128, 16383, 16384, 1 << 21} {
		fields := []string{"ident", strings.Repeat("x", n), ""}
		rec := newRecord(fields...)
		if want := appendFields([]byte{recordV1}, fields...); string(rec) != string(want) {
			t.Errorf("field of %d bytes: newRecord differs from appendFields", n)
		}
		if cap(rec) != len(rec) {
			t.Errorf("field of %d bytes: %d bytes allocated for a record of %d", n, cap(rec), len(rec))
		}
		if a := testing.AllocsPerRun(10, func() { recordSink = newRecord(fields...) }); a != 1 {
			t.Errorf("field of %d bytes: %v allocations, want 1", n, a)
		}
	}
}
