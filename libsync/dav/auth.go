package dav

import (
	"crypto/md5"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"hash"
	"net/http"
	"net/url"
	"strings"
)

// digestChallenge is a server's Digest challenge (RFC 7616, or RFC 2069 without qop)
// with the count of the nonce's uses so far.
type digestChallenge struct {
	realm, nonce, opaque string
	algorithm            string // as the server spelled it; "" is MD5
	qop                  string // "auth", "auth-int", or "" for RFC 2069
	nc                   uint32
}

// digestAlgorithms by preference, strongest first.
var digestAlgorithms = []string{"SHA-512-256", "SHA-256", "MD5"}

func digestHash(algorithm string) func() hash.Hash {
	switch strings.TrimSuffix(strings.ToUpper(algorithm), "-SESS") {
	case "", "MD5":
		return md5.New
	case "SHA-256":
		return sha256.New
	case "SHA-512-256":
		return sha512.New512_256
	}
	return nil
}

func origin(u *url.URL) string { return u.Scheme + "://" + u.Host }

// authorize sets the request's credentials: Digest when the server has challenged
// for it, Basic otherwise. It returns the nonce a Digest answer used.
func (c *Client) authorize(req *http.Request, body []byte) string {
	if c.User == "" && c.Password == "" {
		return ""
	}
	c.authMu.Lock()
	ch, ok := c.digests[origin(req.URL)]
	var use digestChallenge
	if ok {
		ch.nc++
		use = *ch
	}
	c.authMu.Unlock()
	if !ok {
		req.SetBasicAuth(c.User, c.Password)
		return ""
	}
	req.Header.Set("Authorization", use.answer(c.User, c.Password, req.Method, req.URL.RequestURI(), body, randomHex(16)))
	return use.nonce
}

// challenged reads a 401's Digest challenges and remembers the best one. It reports
// whether the request is worth sending again: the server asked for Digest where we
// sent Basic, or said that the nonce we answered is stale. Any other refusal of a
// Digest answer means wrong credentials, and trying again would only count against
// the account; the new nonce is kept for the next request all the same.
func (c *Client) challenged(u *url.URL, resp *http.Response, sentNonce string) bool {
	if c.User == "" && c.Password == "" {
		return false
	}
	ch, stale := pickDigest(resp.Header.Values("WWW-Authenticate"))
	if ch == nil {
		return false
	}
	c.authMu.Lock()
	defer c.authMu.Unlock()
	if c.digests == nil {
		c.digests = map[string]*digestChallenge{}
	}
	c.digests[origin(u)] = ch
	return sentNonce == "" || stale
}

// nextNonce takes the nextnonce an Authentication-Info header offers (RFC 7616 §3.5).
func (c *Client) nextNonce(u *url.URL, info string) {
	if info == "" {
		return
	}
	var next string
	for _, ch := range parseChallenges("x " + info) {
		next = ch.params["nextnonce"]
	}
	if next == "" {
		return
	}
	c.authMu.Lock()
	defer c.authMu.Unlock()
	if ch := c.digests[origin(u)]; ch != nil && ch.nonce != next {
		ch.nonce, ch.nc = next, 0
	}
}

// pickDigest returns the strongest Digest challenge we can answer among the headers'.
func pickDigest(headers []string) (best *digestChallenge, stale bool) {
	rank := len(digestAlgorithms)
	for _, h := range headers {
		for _, ch := range parseChallenges(h) {
			if !strings.EqualFold(ch.scheme, "Digest") || ch.params["nonce"] == "" {
				continue
			}
			algo := ch.params["algorithm"]
			r := -1
			for i, a := range digestAlgorithms {
				if strings.EqualFold(strings.TrimSuffix(strings.ToUpper(algo), "-SESS"), a) || algo == "" && a == "MD5" {
					r = i
				}
			}
			qop, ok := chooseQop(ch.params)
			if r < 0 || !ok || r >= rank {
				continue
			}
			rank = r
			best = &digestChallenge{realm: ch.params["realm"], nonce: ch.params["nonce"],
				opaque: ch.params["opaque"], algorithm: algo, qop: qop}
			stale = strings.EqualFold(ch.params["stale"], "true")
		}
	}
	return best, stale
}

// chooseQop prefers auth (it works for every body); without a qop parameter the
// server speaks RFC 2069.
func chooseQop(params map[string]string) (string, bool) {
	v, set := params["qop"]
	if !set {
		return "", true
	}
	var intOK bool
	for _, q := range strings.Split(v, ",") {
		switch strings.TrimSpace(q) {
		case "auth":
			return "auth", true
		case "auth-int":
			intOK = true
		}
	}
	return "auth-int", intOK
}

// answer builds the Authorization header for one request.
func (ch digestChallenge) answer(user, password, method, uri string, body []byte, cnonce string) string {
	newHash := digestHash(ch.algorithm)
	h := func(s string) string {
		x := newHash()
		x.Write([]byte(s))
		return hex.EncodeToString(x.Sum(nil))
	}
	ha1 := h(user + ":" + ch.realm + ":" + password)
	if strings.HasSuffix(strings.ToUpper(ch.algorithm), "-SESS") {
		ha1 = h(ha1 + ":" + ch.nonce + ":" + cnonce)
	}
	ha2 := h(method + ":" + uri)
	if ch.qop == "auth-int" {
		ha2 = h(method + ":" + uri + ":" + h(string(body)))
	}
	nc := fmt.Sprintf("%08x", ch.nc)
	var response string
	if ch.qop == "" {
		response = h(ha1 + ":" + ch.nonce + ":" + ha2)
	} else {
		response = h(ha1 + ":" + ch.nonce + ":" + nc + ":" + cnonce + ":" + ch.qop + ":" + ha2)
	}
	var b strings.Builder
	b.WriteString("Digest ")
	if plainUsername(user) {
		b.WriteString(`username="` + user + `"`)
	} else {
		b.WriteString(`username*=UTF-8''` + url.PathEscape(user))
	}
	b.WriteString(`, realm=` + quote(ch.realm) + `, nonce=` + quote(ch.nonce) + `, uri=` + quote(uri))
	if ch.algorithm != "" {
		b.WriteString(`, algorithm=` + ch.algorithm)
	}
	b.WriteString(`, response="` + response + `"`)
	if ch.opaque != "" {
		b.WriteString(`, opaque=` + quote(ch.opaque))
	}
	if ch.qop != "" {
		b.WriteString(`, qop=` + ch.qop + `, nc=` + nc + `, cnonce="` + cnonce + `"`)
	}
	return b.String()
}

// plainUsername: RFC 7616 §3.4.4 sends other names as username*.
func plainUsername(s string) bool {
	for _, r := range s {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' {
			return false
		}
	}
	return true
}

func quote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// challenge is one challenge of a WWW-Authenticate header.
type challenge struct {
	scheme string
	params map[string]string // names lower-cased, values unquoted
}

// parseChallenges splits a WWW-Authenticate header (RFC 9110 §11.6.1), which may hold
// several challenges separated by commas like their parameters, and quoted values
// with commas of their own.
func parseChallenges(h string) []challenge {
	var out []challenge
	s := h
	for {
		s = strings.TrimLeft(s, " \t,")
		if s == "" {
			return out
		}
		tok, rest := token(s)
		if tok == "" {
			return out // garbage: keep what we have
		}
		r := strings.TrimLeft(rest, " \t")
		if strings.HasPrefix(r, "=") && len(out) > 0 {
			// A parameter of the current challenge.
			val, after := value(strings.TrimLeft(r[1:], " \t"))
			out[len(out)-1].params[strings.ToLower(tok)] = val
			s = after
			continue
		}
		out = append(out, challenge{scheme: tok, params: map[string]string{}})
		s = rest
	}
}

// token splits off a leading HTTP token.
func token(s string) (string, string) {
	i := strings.IndexFunc(s, func(r rune) bool {
		return r <= ' ' || r >= 0x7f || strings.ContainsRune(`"(),/:;<=>?@[\]{}`, r)
	})
	if i < 0 {
		return s, ""
	}
	return s[:i], s[i:]
}

// value splits off a token or a quoted string, unquoted.
func value(s string) (string, string) {
	if !strings.HasPrefix(s, `"`) {
		return token(s)
	}
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			if i+1 < len(s) {
				i++
				b.WriteByte(s[i])
			}
		case '"':
			return b.String(), s[i+1:]
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String(), ""
}
