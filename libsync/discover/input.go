package discover

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/miekg/dns"
)

// Input is what discovery starts from: exactly one of a URL, or a domain (with the
// email address it came from, if any).
type Input struct {
	URL    *url.URL // an http or https URL, tried as the context URL itself
	Domain string   // lower case, without a final dot
	Email  string   // the whole address, when one was given
}

// String returns the input as the user would write it.
func (in Input) String() string {
	switch {
	case in.URL != nil:
		return in.URL.Redacted()
	case in.Email != "":
		return in.Email
	}
	return in.Domain
}

// ParseInput reads an email address (user@example.com, or with mailto:), a domain
// (example.com) or a URL (https://dav.example.com/).
func ParseInput(s string) (Input, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return Input{}, fmt.Errorf("nothing to discover from: give an email address, a domain or a URL")
	case strings.Contains(s, "://"):
		u, err := url.Parse(s)
		if err != nil {
			return Input{}, fmt.Errorf("%q is not a URL: %w", s, err)
		}
		if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
			return Input{}, fmt.Errorf("%s: discovery starts from an http:// or https:// URL", u.Redacted())
		}
		if u.Path == "" {
			u.Path = "/" // what the request asks for anyway
		}
		return Input{URL: u}, nil
	}
	var in Input
	if strings.Contains(s, "@") {
		addr := strings.TrimPrefix(s, "mailto:")
		at := strings.LastIndexByte(addr, '@')
		if at == 0 {
			return Input{}, fmt.Errorf("%q: an email address has a user before the @", s)
		}
		in.Email, s = addr, addr[at+1:]
	}
	domain := strings.ToLower(strings.TrimSuffix(s, "."))
	if _, ok := dns.IsDomainName(domain); !ok || domain == "" || strings.ContainsAny(domain, "/:@ ") {
		return Input{}, fmt.Errorf("%q is not a domain (for a server and port, give a URL: https://%s/)", s, s)
	}
	in.Domain = domain
	return in, nil
}
