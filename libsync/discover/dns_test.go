package discover

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// zone is what the test DNS server knows: records by name (fully qualified, lower
// case); a name with no records is NXDOMAIN, one in servfail fails.
type zone struct {
	records  map[string][]dns.RR
	servfail map[string]bool
	truncate map[string]bool // answered over UDP with TC set and no records
}

// srv builds an SRV record.
func srv(name string, prio, weight, port uint16, target string) dns.RR {
	return &dns.SRV{Hdr: dns.RR_Header{Name: dns.Fqdn(name), Rrtype: dns.TypeSRV, Class: dns.ClassINET, Ttl: 60},
		Priority: prio, Weight: weight, Port: port, Target: dns.Fqdn(target)}
}

// txt builds a TXT record.
func txt(name string, s ...string) dns.RR {
	return &dns.TXT{Hdr: dns.RR_Header{Name: dns.Fqdn(name), Rrtype: dns.TypeTXT, Class: dns.ClassINET, Ttl: 60}, Txt: s}
}

// startDNS serves z on a free loopback port (UDP, and TCP on the same port when it
// is free) until the test ends, and returns the address and a log of the questions.
func startDNS(t *testing.T, z zone) (addr string, asked func() []string) {
	t.Helper()
	var mu sync.Mutex
	var log []string
	handler := dns.HandlerFunc(func(w dns.ResponseWriter, q *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(q)
		question := q.Question[0]
		name := strings.ToLower(question.Name)
		mu.Lock()
		log = append(log, dns.TypeToString[question.Qtype]+" "+name+" "+w.RemoteAddr().Network())
		mu.Unlock()
		_, udp := w.RemoteAddr().(*net.UDPAddr)
		switch {
		case z.servfail[name]:
			m.Rcode = dns.RcodeServerFailure
		case z.truncate[name] && udp:
			m.Truncated = true
		default:
			for _, rr := range z.records[name] {
				if rr.Header().Rrtype == question.Qtype {
					m.Answer = append(m.Answer, rr)
				}
			}
			if len(z.records[name]) == 0 {
				m.Rcode = dns.RcodeNameError
			}
		}
		w.WriteMsg(m)
	})
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	serve(t, &dns.Server{PacketConn: pc, Handler: handler})
	if l, err := net.Listen("tcp", pc.LocalAddr().String()); err == nil {
		serve(t, &dns.Server{Listener: l, Handler: handler})
	}
	return pc.LocalAddr().String(), func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), log...)
	}
}

func serve(t *testing.T, s *dns.Server) {
	started := make(chan struct{})
	s.NotifyStartedFunc = func() { close(started) }
	go s.ActivateAndServe()
	<-started
	t.Cleanup(func() { s.Shutdown() })
}

func TestResolver(t *testing.T) {
	z := zone{
		records: map[string][]dns.RR{
			"_caldavs._tcp.example.test.": {srv("_caldavs._tcp.example.test", 1, 5, 8443, "dav.example.test"),
				txt("_caldavs._tcp.example.test", "path=/dav/", "x=y")},
			"big.example.test.": {txt("big.example.test", "path=/big/")},
		},
		servfail: map[string]bool{"broken.example.test.": true},
		truncate: map[string]bool{"big.example.test.": true},
	}
	addr, asked := startDNS(t, z)
	r := &Resolver{Servers: []string{addr}, Timeout: 2 * time.Second, Attempts: 1}
	ctx := context.Background()

	recs, err := r.LookupSRV(ctx, "_caldavs._tcp.example.test")
	if want := []SRV{{Target: "dav.example.test.", Port: 8443, Priority: 1, Weight: 5}}; err != nil || !reflect.DeepEqual(recs, want) {
		t.Errorf("SRV = %v, %v; want %v", recs, err, want)
	}
	txts, err := r.LookupTXT(ctx, "_caldavs._tcp.example.test.")
	if want := [][]string{{"path=/dav/", "x=y"}}; err != nil || !reflect.DeepEqual(txts, want) {
		t.Errorf("TXT = %v, %v; want %v", txts, err, want)
	}
	if recs, err := r.LookupSRV(ctx, "_carddavs._tcp.example.test"); err != nil || len(recs) != 0 {
		t.Errorf("NXDOMAIN: %v, %v; want nothing and no error", recs, err)
	}
	if _, err := r.LookupSRV(ctx, "broken.example.test"); err == nil || !strings.Contains(err.Error(), "SERVFAIL") {
		t.Errorf("SERVFAIL: %v", err)
	}
	if !strings.Contains(strings.Join(asked(), "\n"), "udp") {
		t.Fatalf("questions: %q", asked())
	}
	if txts, err := r.LookupTXT(ctx, "big.example.test"); err != nil || len(txts) != 1 {
		t.Errorf("a truncated answer asked again over TCP: %v, %v", txts, err)
	} else if !slices.Contains(asked(), "TXT big.example.test. tcp") {
		t.Errorf("no TCP question: %q", asked())
	}

	dead := &Resolver{Servers: []string{"127.0.0.1:9", addr}, Timeout: 300 * time.Millisecond}
	if recs, err := dead.LookupSRV(ctx, "_caldavs._tcp.example.test"); err != nil || len(recs) != 1 {
		t.Errorf("a dead first server: %v, %v; want the second's answer", recs, err)
	}
}

func TestResolverFromFile(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "resolv.conf")
	empty := filepath.Join(dir, "empty.conf")
	os.WriteFile(conf, []byte("search example.org\nnameserver 192.0.2.1\nnameserver ::1\noptions timeout:3 attempts:4\n"), 0o644)
	os.WriteFile(empty, []byte("search example.org\n"), 0o644)
	for _, tc := range []struct {
		path string
		want Resolver
	}{
		{conf, Resolver{Servers: []string{"192.0.2.1:53", "[::1]:53"}, Timeout: 3 * time.Second, Attempts: 4}},
		{empty, Resolver{Servers: []string{"127.0.0.1:53"}, Timeout: 5 * time.Second, Attempts: 2}},
		{filepath.Join(dir, "missing"), Resolver{Servers: []string{"127.0.0.1:53"}}},
	} {
		got, err := ResolverFromFile(tc.path)
		if err != nil || !reflect.DeepEqual(*got, tc.want) {
			t.Errorf("%s: %+v, %v; want %+v", filepath.Base(tc.path), got, err, tc.want)
		}
	}
}
