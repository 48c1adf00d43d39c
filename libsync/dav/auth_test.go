package dav

import (
	"context"
	"crypto/md5"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// digestServer is a fake DAV server that demands Digest authentication and checks
// every answer by computing it itself.
type digestServer struct {
	t          *testing.T
	user, pass string
	realm      string
	algorithms []string // one challenge each; "" sends no algorithm parameter
	qop        string   // "" is RFC 2069
	maxUses    int      // a nonce goes stale after this many uses; 0 never
	nextNonce  bool     // hand out a new nonce in Authentication-Info after each use

	mu       sync.Mutex
	nonces   map[string]int             // uses so far; absent: unknown or retired
	seen     map[string]map[string]bool // nonce -> nc values used
	n        int
	log      []string // "401", "401 stale" or "ok ALGORITHM nc=…" per request
	badBody  int      // authenticated requests whose body was not the one expected
	wantBody string   // of a PUT
}

var authParam = regexp.MustCompile(`([a-z*]+)=(?:"([^"]*)"|([^,\s]*))`)

func (s *digestServer) newNonce() string {
	s.n++
	n := fmt.Sprintf("nonce-%d", s.n)
	s.nonces[n] = 0
	return n
}

func (s *digestServer) challenge(w http.ResponseWriter, stale bool) {
	nonce := s.newNonce()
	for _, a := range s.algorithms {
		h := `Digest realm="` + s.realm + `", nonce="` + nonce + `", opaque="opq"`
		if a != "" {
			h += ", algorithm=" + a
		}
		if s.qop != "" {
			h += `, qop="` + s.qop + `"`
		}
		if stale {
			h += ", stale=true"
		}
		w.Header().Add("WWW-Authenticate", h)
	}
	w.Header().Add("WWW-Authenticate", `Basic realm="`+s.realm+`"`)
	w.WriteHeader(http.StatusUnauthorized)
	if stale {
		s.log = append(s.log, "401 stale")
	} else {
		s.log = append(s.log, "401")
	}
}

func (s *digestServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	defer s.mu.Unlock()
	auth := r.Header.Get("Authorization")
	if !strings.HasPrefix(auth, "Digest ") {
		s.challenge(w, false)
		return
	}
	p := map[string]string{}
	for _, m := range authParam.FindAllStringSubmatch(auth, -1) {
		p[m[1]] = m[2] + m[3]
	}
	user := p["username"]
	if enc, ok := strings.CutPrefix(p["username*"], "UTF-8''"); ok {
		user, _ = url.PathUnescape(enc)
	}
	uses, known := s.nonces[p["nonce"]]
	if !known || user != s.user || p["realm"] != s.realm || p["uri"] != r.URL.RequestURI() || p["opaque"] != "opq" {
		s.challenge(w, false)
		return
	}
	if s.maxUses > 0 && uses >= s.maxUses {
		delete(s.nonces, p["nonce"])
		s.challenge(w, true)
		return
	}
	var newHash func() hash.Hash
	switch strings.TrimSuffix(p["algorithm"], "-sess") {
	case "", "MD5":
		newHash = md5.New
	case "SHA-256":
		newHash = sha256.New
	case "SHA-512-256":
		newHash = sha512.New512_256
	}
	H := func(s string) string {
		h := newHash()
		h.Write([]byte(s))
		return hex.EncodeToString(h.Sum(nil))
	}
	ha1 := H(s.user + ":" + s.realm + ":" + s.pass)
	if strings.HasSuffix(p["algorithm"], "-sess") {
		ha1 = H(ha1 + ":" + p["nonce"] + ":" + p["cnonce"])
	}
	ha2 := H(r.Method + ":" + p["uri"])
	if p["qop"] == "auth-int" {
		ha2 = H(r.Method + ":" + p["uri"] + ":" + H(string(body)))
	}
	want := H(ha1 + ":" + p["nonce"] + ":" + ha2)
	if s.qop != "" {
		want = H(ha1 + ":" + p["nonce"] + ":" + p["nc"] + ":" + p["cnonce"] + ":" + p["qop"] + ":" + ha2)
		if s.seen[p["nonce"]][p["nc"]] || p["cnonce"] == "" {
			s.t.Errorf("nc %s reused for nonce %s (or no cnonce)", p["nc"], p["nonce"])
		}
		if s.seen[p["nonce"]] == nil {
			s.seen[p["nonce"]] = map[string]bool{}
		}
		s.seen[p["nonce"]][p["nc"]] = true
	}
	if p["response"] != want {
		s.challenge(w, false)
		return
	}
	s.nonces[p["nonce"]]++
	if r.Method == "PROPFIND" && !strings.Contains(string(body), "<D:getetag/>") ||
		r.Method == "PUT" && string(body) != s.wantBody {
		s.badBody++
	}
	s.log = append(s.log, fmt.Sprintf("ok %s nc=%s", p["algorithm"], p["nc"]))
	if s.nextNonce {
		delete(s.nonces, p["nonce"])
		w.Header().Set("Authentication-Info", `qop=auth, nextnonce="`+s.newNonce()+`"`)
	}
	switch r.Method {
	case "PROPFIND":
		w.WriteHeader(http.StatusMultiStatus)
		io.WriteString(w, `<multistatus xmlns="DAV:"><response><href>/cal/a.ics</href><propstat><prop><getetag>"1"</getetag></prop><status>HTTP/1.1 200 OK</status></propstat></response></multistatus>`)
	case "PUT":
		w.Header().Set("ETag", `"2"`)
		w.WriteHeader(http.StatusNoContent)
	default:
		io.WriteString(w, "BEGIN:VCALENDAR")
	}
}

func (s *digestServer) takeLog() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := s.log
	s.log = nil
	return l
}

func newDigestServer(t *testing.T, s *digestServer) *httptest.Server {
	s.t, s.nonces, s.seen = t, map[string]int{}, map[string]map[string]bool{}
	if s.user == "" {
		s.user, s.pass = "tester", "secret"
	}
	s.realm = "pim@example.org"
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return srv
}

// TestDigest: the first request sends Basic and gets a challenge; it is sent again
// (PROPFIND with its body) answering it, and later requests answer it at once, with
// the nonce count going up; a stale nonce costs one more round.
func TestDigest(t *testing.T) {
	tests := []struct {
		name, user string
		algorithms []string
		qop        string
		wantAlgo   string
	}{
		{"MD5", "", []string{"MD5"}, "auth", "MD5"},
		{"MD5 by default", "", []string{""}, "auth", ""},
		{"SHA-256 preferred", "", []string{"MD5", "SHA-256"}, "auth", "SHA-256"},
		{"SHA-512-256", "", []string{"SHA-256", "SHA-512-256"}, "auth", "SHA-512-256"},
		{"sessions", "", []string{"SHA-256-sess"}, "auth", "SHA-256-sess"},
		{"auth-int only", "", []string{"SHA-256"}, "auth-int", "SHA-256"},
		{"auth over auth-int", "", []string{"MD5"}, "auth-int,auth", "MD5"},
		{"RFC 2069", "", []string{""}, "", ""},
		{"unknown algorithm skipped", "", []string{"SHA-1024", "MD5"}, "auth", "MD5"},
		{"username*", "jörg \"j\"", []string{"SHA-256"}, "auth", "SHA-256"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			s := &digestServer{user: tt.user, pass: "pässword", algorithms: tt.algorithms, qop: tt.qop, maxUses: 3}
			srv := newDigestServer(t, s)
			c := &Client{User: s.user, Password: s.pass}
			nc := func(n int) string {
				if tt.qop == "" {
					return ""
				}
				return fmt.Sprintf("%08x", n)
			}
			ok := func(n int) string { return fmt.Sprintf("ok %s nc=%s", tt.wantAlgo, nc(n)) }

			list, err := c.List(ctx, srv.URL+"/cal/")
			if err != nil || len(list) != 1 {
				t.Fatalf("List = %v, %v", list, err)
			}
			s.wantBody = "new item"
			if _, err := c.Put(ctx, Calendars, srv.URL+"/cal/a.ics", `"1"`, []byte(s.wantBody)); err != nil {
				t.Fatal(err)
			}
			if got, want := s.takeLog(), []string{"401", ok(1), ok(2)}; !reflect.DeepEqual(got, want) {
				t.Errorf("PROPFIND, PUT: %q, want %q", got, want)
			}
			for range 2 { // the third use is the last the nonce allows
				if _, _, err := c.Get(ctx, srv.URL+"/cal/a.ics"); err != nil {
					t.Fatal(err)
				}
			}
			if got, want := s.takeLog(), []string{ok(3), "401 stale", ok(1)}; !reflect.DeepEqual(got, want) {
				t.Errorf("GET, GET: %q, want %q", got, want)
			}
			if s.badBody > 0 {
				t.Errorf("%d requests sent again without their body", s.badBody)
			}
		})
	}
}

// TestDigestRefused: wrong credentials give the 401 after one try with Digest, a
// server that wants only Basic is not asked twice, and nextnonce is taken up.
func TestDigestRefused(t *testing.T) {
	ctx := context.Background()
	s := &digestServer{algorithms: []string{"MD5"}, qop: "auth"}
	srv := newDigestServer(t, s)
	c := &Client{User: "tester", Password: "wrong"}
	_, _, err := c.Get(ctx, srv.URL+"/cal/a.ics")
	var se *StatusError
	if !errors.As(err, &se) || se.Code != http.StatusUnauthorized {
		t.Errorf("wrong password: %v, want a 401", err)
	}
	if got := s.takeLog(); len(got) != 2 {
		t.Errorf("wrong password: %q, want two 401s", got)
	}

	basic := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("WWW-Authenticate", `Basic realm="x", Bearer realm="y"`)
		w.WriteHeader(http.StatusUnauthorized)
		s.mu.Lock()
		s.log = append(s.log, "401")
		s.mu.Unlock()
	}))
	defer basic.Close()
	for _, c := range []*Client{{User: "tester", Password: "secret"}, {}} {
		if _, _, err := c.Get(ctx, basic.URL); !errors.As(err, &se) || se.Code != 401 || len(s.takeLog()) != 1 {
			t.Errorf("Basic only: %v", err)
		}
	}

	s.nextNonce = true
	c = &Client{User: "tester", Password: "secret"}
	for range 3 {
		if _, _, err := c.Get(ctx, srv.URL+"/cal/a.ics"); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := s.takeLog(), []string{"401", "ok MD5 nc=00000001", "ok MD5 nc=00000001", "ok MD5 nc=00000001"}; !reflect.DeepEqual(got, want) {
		t.Errorf("with nextnonce: %q, want %q", got, want)
	}
}

// TestDigestConcurrent: requests running at once share the challenge safely (run
// with -race), each with a nonce count of its own.
func TestDigestConcurrent(t *testing.T) {
	s := &digestServer{algorithms: []string{"SHA-256"}, qop: "auth"}
	srv := newDigestServer(t, s)
	c := &Client{User: "tester", Password: "secret"}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for range 64 {
		wg.Go(func() {
			if _, _, err := c.Get(context.Background(), srv.URL+"/cal/a.ics"); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	oks := 0
	for _, l := range s.takeLog() {
		if strings.HasPrefix(l, "ok") {
			oks++
		}
	}
	if oks != 64 {
		t.Errorf("%d requests authenticated, want 64", oks)
	}
}

func TestParseChallenges(t *testing.T) {
	tests := []struct {
		in   string
		want []challenge
	}{
		{`Basic realm="x"`, []challenge{{"Basic", map[string]string{"realm": "x"}}}},
		{`Digest realm="a, b=c", NONCE="n\"1", qop="auth,auth-int", algorithm=SHA-256, Basic realm=y`,
			[]challenge{
				{"Digest", map[string]string{"realm": "a, b=c", "nonce": `n"1`, "qop": "auth,auth-int", "algorithm": "SHA-256"}},
				{"Basic", map[string]string{"realm": "y"}},
			}},
		{`Negotiate, Digest nonce = "n" ,stale=TRUE`, []challenge{
			{"Negotiate", map[string]string{}}, {"Digest", map[string]string{"nonce": "n", "stale": "TRUE"}}}},
		{`Bearer abc==`, []challenge{{"Bearer", map[string]string{"abc": ""}}}},
		{``, nil},
		{`"`, nil},
	}
	for _, tt := range tests {
		if got := parseChallenges(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("parseChallenges(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// TestRedact: a URL in a message keeps no user name and no password, whether or not it
// parses.
func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		"https://alice:pw@dav.example.com/cal/": "https://dav.example.com/cal/",
		"https://alice@dav.example.com/":        "https://dav.example.com/",
		"https://dav.example.com/a@b/":          "https://dav.example.com/a@b/",
		"https://alice:p@w@dav.example.com/%zz": "https://dav.example.com/%zz",
		"http://alice:pw@[::1:80/x":             "http://[::1:80/x",
		"//alice:pw@host/x":                     "//host/x",
		"/relative/href.ics":                    "/relative/href.ics",
		"":                                      "",
	} {
		if got := Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
}
