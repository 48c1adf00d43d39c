package davtest

import (
	"errors"
	"fmt"
	"net/http"
	"path"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-webdav"
)

// store is the in-memory data both backends share: one lock, so that a test may drive
// the CalDAV and the CardDAV side at once.
type store struct {
	mu   sync.Mutex
	rev  int // numbers etags, so that every write gets a new one
	cols map[string]*collection
}

// collection is a calendar or an address book, keyed by its decoded path ending in "/".
type collection struct {
	path        string
	name        string
	description string
	objects     map[string]*object
}

// object is a stored item. data is the decoded calendar or card: go-webdav encodes it
// anew for every GET and REPORT, so the request bytes could never reach a client.
type object struct {
	path string
	etag string // unquoted; go-webdav quotes it on the wire
	mod  time.Time
	size int64 // of the encoding clients get
	uid  string
	data any
}

// statusError carries the HTTP status a store failure answers with; the backends turn
// it into go-webdav's error type, which the shims cannot read back.
type statusError struct {
	code int
	err  error
}

func (e *statusError) Error() string { return fmt.Sprintf("%d %s", e.code, e.err) }

func fail(code int, format string, args ...any) error {
	return &statusError{code, fmt.Errorf(format, args...)}
}

// httpError converts a store error for go-webdav, which reads the status only from its
// own error type (and for properties only when it is not wrapped).
func httpError(err error) error {
	var se *statusError
	if errors.As(err, &se) {
		return webdav.NewHTTPError(se.code, se.err)
	}
	return err
}

func newStore() *store {
	return &store{cols: map[string]*collection{}}
}

// dir returns a collection path as the store keys it: cleaned, ending in "/".
func dir(p string) string {
	return strings.TrimSuffix(path.Clean("/"+p), "/") + "/"
}

// createCollection makes an empty collection at p, directly in home.
func (s *store) createCollection(home, p, name, description string) error {
	p = dir(p)
	if path.Dir(strings.TrimSuffix(p, "/"))+"/" != home {
		return fail(http.StatusForbidden, "collections live directly in %s, not at %s", home, p)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cols[p] != nil {
		// RFC 4918 §9.3.1: MKCOL on an existing resource.
		return fail(http.StatusMethodNotAllowed, "%s exists", p)
	}
	s.cols[p] = &collection{path: p, name: name, description: description, objects: map[string]*object{}}
	return nil
}

// collections returns copies of the collections in home, sorted by path.
func (s *store) collections(home string) []collection {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []collection
	for p, c := range s.cols {
		if strings.HasPrefix(p, home) {
			out = append(out, *c)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].path < out[j].path })
	return out
}

// collection returns a copy of the collection at p.
func (s *store) collection(p string) (collection, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.cols[dir(p)]
	if c == nil {
		return collection{}, fail(http.StatusNotFound, "no collection at %s", p)
	}
	return *c, nil
}

// setProps changes a collection's name and description; nil leaves one as it is.
func (s *store) setProps(p string, name, description *string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.cols[dir(p)]
	if c == nil {
		return fail(http.StatusNotFound, "no collection at %s", p)
	}
	if name != nil {
		c.name = *name
	}
	if description != nil {
		c.description = *description
	}
	return nil
}

// object returns a copy of the item at p.
func (s *store) object(p string) (object, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.cols[dir(path.Dir(p))]; c != nil {
		if o := c.objects[p]; o != nil {
			return *o, nil
		}
	}
	return object{}, fail(http.StatusNotFound, "no item at %s", p)
}

// objects returns copies of the items in the collection at p, sorted by path.
func (s *store) objects(p string) ([]object, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.cols[dir(p)]
	if c == nil {
		return nil, fail(http.StatusNotFound, "no collection at %s", p)
	}
	out := make([]object, 0, len(c.objects))
	for _, o := range c.objects {
		out = append(out, *o)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].path < out[j].path })
	return out, nil
}

// conditions are a write's If-Match and If-None-Match headers.
type conditions struct {
	ifMatch, ifNoneMatch webdav.ConditionalMatch
}

// check answers 412 when the conditions do not hold for the current etag ("" when
// there is no resource). An etag that does not parse never matches.
func (c conditions) check(etag string) error {
	if c.ifMatch.IsSet() {
		if ok, err := c.ifMatch.MatchETag(etag); err != nil || !ok {
			return fail(http.StatusPreconditionFailed, "If-Match %s does not match", c.ifMatch)
		}
	}
	if c.ifNoneMatch.IsSet() {
		if ok, err := c.ifNoneMatch.MatchETag(etag); err == nil && ok {
			return fail(http.StatusPreconditionFailed, "If-None-Match %s matches", c.ifNoneMatch)
		}
	}
	return nil
}

// put stores o at o.path under cond; uidTaken is the error for a second item with o's
// UID in the collection (CalDAV and CardDAV forbid it). It returns o with its new etag.
func (s *store) put(o object, cond conditions, uidTaken error) (object, error) {
	if strings.HasSuffix(o.path, "/") {
		return object{}, fail(http.StatusMethodNotAllowed, "%s names a collection, not an item", o.path)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.cols[dir(path.Dir(o.path))]
	var etag string
	if c != nil && c.objects[o.path] != nil {
		etag = c.objects[o.path].etag
	}
	// Conditions first: an If-Match on a missing item is a 412 even where its parent is
	// missing too, which tells a client the item is gone (what it needs to know) rather
	// than that it named a wrong place.
	if err := cond.check(etag); err != nil {
		return object{}, err
	}
	if c == nil {
		// RFC 4918 §9.7.1: a PUT whose parent collection is missing.
		return object{}, fail(http.StatusConflict, "no collection for %s", o.path)
	}
	for p, other := range c.objects {
		if p != o.path && o.uid != "" && other.uid == o.uid {
			return object{}, uidTaken
		}
	}
	s.rev++
	o.etag = fmt.Sprintf("rev-%d", s.rev)
	o.mod = time.Now()
	c.objects[o.path] = &o
	return o, nil
}

// remove deletes the item or collection at p under cond.
func (s *store) remove(p string, cond conditions) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.cols[dir(p)]; c != nil {
		// Collections have no etag here, so If-Match never holds for one.
		if err := cond.check(""); err != nil {
			return err
		}
		delete(s.cols, c.path)
		return nil
	}
	c := s.cols[dir(path.Dir(p))]
	if c == nil || c.objects[p] == nil {
		return fail(http.StatusNotFound, "nothing at %s", p)
	}
	if err := cond.check(c.objects[p].etag); err != nil {
		return err
	}
	delete(c.objects, p)
	return nil
}
