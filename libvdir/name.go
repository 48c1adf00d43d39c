package vdir

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"unicode/utf8"
)

// MaxNameLen bounds the file names SafeName makes, well below the 255 bytes most file
// systems allow, so that a temporary file name built from it fits too.
const MaxNameLen = 200

// safeByte reports whether c may appear in a file name SafeName keeps: RFC 3986's
// unreserved characters plus '@', which is common in UIDs ("…@google.com") and needs no
// escaping in a URL path either.
func safeByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~' || c == '@'
}

// unsafeReason says why ident would not make a good file name stem, or "" when it would.
func unsafeReason(ident string) string {
	switch {
	case ident == "":
		return "empty name"
	case ident[0] == '.':
		return "starts with '.' (hidden, or a path like '..')"
	}
	for i := 0; i < len(ident); i++ {
		if !safeByte(ident[i]) {
			r, _ := utf8.DecodeRuneInString(ident[i:])
			return fmt.Sprintf("contains %q, which is not safe in file names and URLs", r)
		}
	}
	return ""
}

// SafeName returns the file name for a new item with the given ident (its UID, or its
// hash when it has no UID) and extension. The UID itself is used when it is made of
// URL-safe characters only, does not start with a dot and the name stays within
// MaxNameLen bytes; otherwise the name is the hex SHA-256 of the ident. Either way the
// name never contains '/' or NUL, is never "." or "..", and is the same for the same
// ident, so a retried upload finds the file it wrote before.
func SafeName(ident, ext string) string {
	if unsafeReason(ident) == "" && len(ident)+1+len(ext) <= MaxNameLen {
		return ident + "." + ext
	}
	sum := sha256.Sum256([]byte(ident))
	return hex.EncodeToString(sum[:]) + "." + ext
}

// NameProblem says why an existing item's file name is unsafe, or returns "" when it is
// fine. Unsafe names still work in the vdir, but they are awkward in shells and some
// servers mangle them in URLs.
func NameProblem(name, ext string) string {
	if len(name) > MaxNameLen {
		return fmt.Sprintf("name is %d bytes long; more than %d breaks on some file systems and servers", len(name), MaxNameLen)
	}
	return unsafeReason(strings.TrimSuffix(name, "."+ext))
}

// checkExt validates a storage's file extension.
func checkExt(ext string) error {
	switch {
	case ext == "":
		return fmt.Errorf("vdir: empty file extension: items need one (ics, vcf)")
	case ext == "tmp":
		return fmt.Errorf("vdir: file extension %q is reserved for temporary files", ext)
	case strings.ContainsAny(ext, "/\x00") || strings.HasPrefix(ext, "."):
		return fmt.Errorf("vdir: invalid file extension %q (give it without the dot)", ext)
	}
	return nil
}

// checkElem validates a name that must stay a single entry inside its directory.
func checkElem(name string) error {
	switch {
	case name == "", name == ".", name == "..":
		return fmt.Errorf("%w: %q", ErrInvalidName, name)
	case strings.ContainsAny(name, "/\x00"):
		return fmt.Errorf("%w: %q contains '/' or NUL", ErrInvalidName, name)
	case len(name) > 255:
		return fmt.Errorf("%w: %q is longer than 255 bytes", ErrInvalidName, name)
	}
	return nil
}
