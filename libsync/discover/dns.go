package discover

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/miekg/dns"
)

// ResolvConf is where the system's DNS servers are configured.
const ResolvConf = "/etc/resolv.conf"

// Resolver looks SRV and TXT records up by asking DNS servers itself (miekg/dns), so
// that a server can be named (--dns-server, tests) and every answer is seen as sent:
// the target "." that says a service is not offered, NXDOMAIN, a SERVFAIL.
type Resolver struct {
	// Servers are asked in turn, as host:port.
	Servers []string
	// Timeout bounds each query; 0 means 5 seconds, resolv.conf's default.
	Timeout time.Duration
	// Attempts is how many rounds over Servers a lookup makes; 0 means 2.
	Attempts int
}

// NewResolver returns a resolver that asks only server (host:port).
func NewResolver(server string) *Resolver {
	return &Resolver{Servers: []string{server}}
}

// ResolverFromFile reads the name servers, timeout and attempts of a resolv.conf file.
// Without the file, or without a nameserver line in it, the local server is asked, as
// the C library does.
func ResolverFromFile(path string) (*Resolver, error) {
	cfg, err := dns.ClientConfigFromFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return &Resolver{Servers: []string{"127.0.0.1:53"}}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	r := &Resolver{Timeout: time.Duration(cfg.Timeout) * time.Second, Attempts: cfg.Attempts}
	for _, s := range cfg.Servers {
		r.Servers = append(r.Servers, net.JoinHostPort(s, cfg.Port))
	}
	if len(r.Servers) == 0 {
		r.Servers = []string{"127.0.0.1:53"}
	}
	return r, nil
}

// SRV is one SRV record (RFC 2782). Target is as DNS gives it, with its final dot;
// "." means the service is decidedly not offered.
type SRV struct {
	Target                 string
	Port, Priority, Weight uint16
}

// LookupSRV returns the SRV records of name, in the order the server gave them; none
// (and no error) when the name does not exist.
func (r *Resolver) LookupSRV(ctx context.Context, name string) ([]SRV, error) {
	rrs, err := r.lookup(ctx, name, dns.TypeSRV)
	if err != nil {
		return nil, err
	}
	var out []SRV
	for _, rr := range rrs {
		if s, ok := rr.(*dns.SRV); ok {
			out = append(out, SRV{Target: s.Target, Port: s.Port, Priority: s.Priority, Weight: s.Weight})
		}
	}
	return out, nil
}

// LookupTXT returns the strings of each TXT record of name; none (and no error) when
// the name does not exist.
func (r *Resolver) LookupTXT(ctx context.Context, name string) ([][]string, error) {
	rrs, err := r.lookup(ctx, name, dns.TypeTXT)
	if err != nil {
		return nil, err
	}
	var out [][]string
	for _, rr := range rrs {
		if t, ok := rr.(*dns.TXT); ok {
			out = append(out, t.Txt)
		}
	}
	return out, nil
}

// lookup asks the servers in turn for name's records of type qtype until one answers
// with records or with NXDOMAIN. The name is asked as it is, fully qualified: the
// search list is for names people type, not for service names.
func (r *Resolver) lookup(ctx context.Context, name string, qtype uint16) ([]dns.RR, error) {
	what := dns.TypeToString[qtype] + " " + strings.TrimSuffix(name, ".")
	if len(r.Servers) == 0 {
		return nil, fmt.Errorf("%s: no DNS server to ask", what)
	}
	m := new(dns.Msg)
	m.SetQuestion(dns.Fqdn(name), qtype)
	m.SetEdns0(4096, false)
	attempts := r.Attempts
	if attempts <= 0 {
		attempts = 2
	}
	var errs []string
	for range attempts {
		for _, server := range r.Servers {
			resp, err := r.exchange(ctx, m, server)
			if ctx.Err() != nil {
				return nil, fmt.Errorf("%s: %w", what, ctx.Err())
			}
			switch {
			case err != nil:
				errs = appendNew(errs, server+": "+netError(err, r.timeout()))
			case resp.Rcode == dns.RcodeSuccess:
				return resp.Answer, nil
			case resp.Rcode == dns.RcodeNameError:
				return nil, nil
			default:
				errs = appendNew(errs, server+" answered "+dns.RcodeToString[resp.Rcode])
			}
		}
	}
	return nil, fmt.Errorf("%s: %s", what, strings.Join(errs, "; "))
}

// appendNew appends s unless it is there already: every round over the servers tends
// to fail the same way.
func appendNew(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

// netError describes a failed exchange without the local address and port, which
// differ on every try and would keep the same failure from reading as one.
func netError(err error, limit time.Duration) string {
	var se *os.SyscallError
	var ne net.Error
	switch {
	case errors.As(err, &se):
		return se.Err.Error()
	case errors.As(err, &ne) && ne.Timeout():
		return "no answer within " + limit.String()
	}
	return err.Error()
}

// timeout is the time each query may take.
func (r *Resolver) timeout() time.Duration {
	if r.Timeout <= 0 {
		return 5 * time.Second
	}
	return r.Timeout
}

// exchange asks one server over UDP, and again over TCP when the answer did not fit.
func (r *Resolver) exchange(ctx context.Context, m *dns.Msg, server string) (*dns.Msg, error) {
	c := &dns.Client{Net: "udp", Timeout: r.timeout()}
	resp, _, err := c.ExchangeContext(ctx, m, server)
	if err == nil && resp.Truncated {
		c.Net = "tcp"
		resp, _, err = c.ExchangeContext(ctx, m, server)
	}
	return resp, err
}
