package status

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
	"strconv"
)

// Records are a version byte followed by length-prefixed (uvarint) byte strings. Not
// JSON: hrefs, etags and UIDs come from servers and files and need not be UTF-8, and
// JSON would silently replace such bytes, after which an ident would no longer match
// the item it came from.
const recordV1 = 1

// maxPlainKey is the longest mapping key or ident stored as it is. bbolt refuses keys
// over 32 KiB, and a UID is whatever the item file or server says.
const maxPlainKey = 1024

// dbKey is the bbolt key of a mapping key or ident. Long ones become their first
// maxPlainKey bytes followed by their SHA-256: longer than any plain key, so the two
// forms never collide, and the prefix keeps them near their neighbours in the file.
func dbKey(s string) []byte {
	if len(s) <= maxPlainKey {
		return []byte(s)
	}
	sum := sha256.Sum256([]byte(s))
	k := make([]byte, 0, maxPlainKey+len(sum))
	k = append(k, s[:maxPlainKey]...)
	return append(k, sum[:]...)
}

// isKey reports whether k is dbKey(s), without building it: a sync checks the key of
// every record it reads.
func isKey(k []byte, s string) bool {
	if len(s) <= maxPlainKey {
		return string(k) == s
	}
	sum := sha256.Sum256([]byte(s))
	return len(k) == maxPlainKey+len(sum) && string(k[:maxPlainKey]) == s[:maxPlainKey] &&
		string(k[maxPlainKey:]) == string(sum[:])
}

// newRecord encodes fields as a record in a single allocation: a sync encodes one or
// two records for each item it writes, and growing each by appending took six.
func newRecord(fields ...string) []byte {
	n := 1
	for _, f := range fields {
		n += (bits.Len64(uint64(len(f))|1)+6)/7 + len(f) // the uvarint length, then f
	}
	return appendFields(append(make([]byte, 0, n), recordV1), fields...)
}

func appendFields(b []byte, fields ...string) []byte {
	for _, f := range fields {
		b = binary.AppendUvarint(b, uint64(len(f)))
		b = append(b, f...)
	}
	return b
}

// decodeFields copies n fields out of a record; v may be memory bbolt owns only for the
// length of the transaction.
func decodeFields(v []byte, n int) ([]string, error) {
	out := make([]string, n)
	if err := decodeInto(v, out); err != nil {
		return nil, err
	}
	return out, nil
}

// decodeInto decodes a record of len(out) fields into out, which callers that know
// the number keep on the stack.
func decodeInto(v []byte, out []string) error {
	if len(v) == 0 {
		return errors.New("empty record")
	}
	if v[0] != recordV1 {
		return fmt.Errorf("unknown record version %d", v[0])
	}
	// One string for the whole record, which the fields slice: a sync reads every
	// record of a collection, and one allocation each instead of one a field keeps a
	// no-op of a thousand items clear of the garbage collector. pos is an offset into
	// both: the lengths are read from v, the fields sliced from all.
	all := string(v)
	pos := 1
	for i := range out {
		l, w := binary.Uvarint(v[pos:min(len(v), pos+binary.MaxVarintLen64)])
		if w <= 0 {
			return fmt.Errorf("field %d: bad length", i+1)
		}
		pos += w
		if left := uint64(len(v) - pos); l > left {
			return fmt.Errorf("field %d: %d bytes past the end", i+1, l-left)
		}
		out[i] = all[pos : pos+int(l)]
		pos += int(l)
	}
	if pos != len(v) {
		return fmt.Errorf("%d bytes after the last field", len(v)-pos)
	}
	return nil
}

// countFields counts the fields of a record of any length (a list), checking only that
// they fit.
func countFields(v []byte) (int, error) {
	if len(v) == 0 {
		return 0, errors.New("empty record")
	}
	if v[0] != recordV1 {
		return 0, fmt.Errorf("unknown record version %d", v[0])
	}
	n := 0
	for rest := v[1:]; len(rest) > 0; n++ {
		l, w := binary.Uvarint(rest)
		if w <= 0 || l > uint64(len(rest)-w) {
			return 0, fmt.Errorf("field %d: bad length", n+1)
		}
		rest = rest[w+int(l):]
	}
	return n, nil
}

func encodeItem(it Item) []byte {
	return newRecord(it.Ident, it.A.Href, it.A.Etag, it.A.Hash, it.B.Href, it.B.Etag, it.B.Hash)
}

func decodeItem(v []byte) (Item, error) {
	var f [7]string
	if err := decodeInto(v, f[:]); err != nil {
		return Item{}, err
	}
	if f[0] == "" {
		return Item{}, errors.New("empty ident")
	}
	return Item{Ident: f[0], A: Side{f[1], f[2], f[3]}, B: Side{f[4], f[5], f[6]}}, nil
}

func encodeMapping(m Mapping) []byte {
	return newRecord(m.Key, m.IDA, m.HrefA, m.IDB, m.HrefB)
}

func decodeMapping(v []byte) (Mapping, error) {
	f, err := decodeFields(v, 5)
	if err != nil {
		return Mapping{}, err
	}
	if f[0] == "" {
		return Mapping{}, errors.New("empty key")
	}
	return Mapping{Key: f[0], IDA: f[1], HrefA: f[2], IDB: f[3], HrefB: f[4]}, nil
}

// encodeValue is for props and state. The version byte also makes an empty value a
// non-empty record, so it is never confused with a missing key.
func encodeValue(s string) []byte {
	return append([]byte{recordV1}, s...)
}

func decodeValue(v []byte) (string, error) {
	if len(v) == 0 {
		return "", errors.New("empty record")
	}
	if v[0] != recordV1 {
		return "", fmt.Errorf("unknown record version %d", v[0])
	}
	return string(v[1:]), nil
}

// show quotes a key, ident or name for an error message, cut short because a hostile
// UID can be megabytes long.
func show(s string) string {
	const limit = 80
	if len(s) > limit {
		return strconv.Quote(s[:limit]) + fmt.Sprintf("… (%d bytes)", len(s))
	}
	return strconv.Quote(s)
}

// showKey shows the ident a bbolt key stands for, as far as the key tells.
func showKey(k []byte) string {
	if len(k) > maxPlainKey {
		return strconv.Quote(string(k[:80])) + "… (a long ident)"
	}
	return show(string(k))
}
