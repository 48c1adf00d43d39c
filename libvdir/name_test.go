package vdir

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
)

func TestSafeName(t *testing.T) {
	long := strings.Repeat("a", MaxNameLen)
	tests := []struct {
		ident, want string
	}{
		{"5f1c2d7e-8a3b-4c1d-9e2f-0a1b2c3d4e5f", "5f1c2d7e-8a3b-4c1d-9e2f-0a1b2c3d4e5f.ics"},
		{"birthday-zoe@example.org", "birthday-zoe@example.org.ics"},
		{"a_b~c.d", "a_b~c.d.ics"},
		{"../../etc/passwd", hashName("../../etc/passwd")},
		{"..", hashName("..")},
		{".", hashName(".")},
		{".hidden", hashName(".hidden")},
		{"a/b", hashName("a/b")},
		{"nul\x00byte", hashName("nul\x00byte")},
		{"with space", hashName("with space")},
		{"grad-сатану", hashName("grad-сатану")},
		{"percent%2F", hashName("percent%2F")},
		{long, hashName(long)},
		{long[:MaxNameLen-4], long[:MaxNameLen-4] + ".ics"},
	}
	for _, tt := range tests {
		if got := SafeName(tt.ident, "ics"); got != tt.want {
			t.Errorf("SafeName(%q) = %q, want %q", tt.ident, got, tt.want)
		}
	}
}

// hashName is the name SafeName must fall back to, computed independently of it.
func hashName(ident string) string {
	sum := sha256.Sum256([]byte(ident))
	return hex.EncodeToString(sum[:]) + ".ics"
}

func TestSafeNameHashIsSHA256(t *testing.T) {
	// Spelled out once (from sha256sum) so that the scheme cannot drift unnoticed.
	const want = "3754d6cb3a38e1185e5b382d5f3ef3f118af75bf4bf0254d1fdb8437f51423e0.ics"
	if got := SafeName("../../etc/passwd", "ics"); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func FuzzSafeName(f *testing.F) {
	for _, s := range []string{"", ".", "..", "a/b", "x@y", "\x00", strings.Repeat("é", 150)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, ident string) {
		name := SafeName(ident, "vcf")
		if err := checkElem(name); err != nil {
			t.Fatalf("SafeName(%q) = %q: %v", ident, name, err)
		}
		if NameProblem(name, "vcf") != "" || len(name) > MaxNameLen || !strings.HasSuffix(name, ".vcf") {
			t.Fatalf("SafeName(%q) = %q is not a safe item name", ident, name)
		}
		if SafeName(ident, "vcf") != name {
			t.Fatal("not deterministic")
		}
	})
}

func TestNameProblem(t *testing.T) {
	tests := []struct {
		name string
		bad  bool
	}{
		{"abc.ics", false},
		{"abc@host.ics", false},
		{"..%2F..%2Fetc%2Fpasswd.ics", true},
		{".hidden.ics", true},
		{"with space.ics", true},
		{"ümlaut.ics", true},
		{strings.Repeat("a", 197) + ".ics", true},
	}
	for _, tt := range tests {
		if got := NameProblem(tt.name, "ics"); (got != "") != tt.bad {
			t.Errorf("NameProblem(%q) = %q, want bad=%v", tt.name, got, tt.bad)
		}
	}
}
