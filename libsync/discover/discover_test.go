package discover

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// servers are the fake DAV server over plain HTTP and over TLS, and an HTTP client
// that trusts the TLS one.
type servers struct {
	dav         *fakeDAV
	plain, tls  *httptest.Server
	plainPort   uint16
	tlsPort     uint16
	client      *http.Client
	closedPort  uint16 // a loopback port nothing listens on
	plainOrigin string
	tlsOrigin   string
}

func startServers(t *testing.T, dav *fakeDAV) servers {
	t.Helper()
	s := servers{dav: dav, plain: httptest.NewServer(dav), tls: httptest.NewTLSServer(dav)}
	t.Cleanup(s.plain.Close)
	t.Cleanup(s.tls.Close)
	s.plainPort, s.tlsPort = port(t, s.plain.Listener.Addr()), port(t, s.tls.Listener.Addr())
	s.plainOrigin, s.tlsOrigin = s.plain.URL, s.tls.URL
	s.client = s.tls.Client()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.closedPort = port(t, l.Addr())
	l.Close()
	return s
}

func port(t *testing.T, a net.Addr) uint16 {
	_, p, err := net.SplitHostPort(a.String())
	if err != nil {
		t.Fatal(err)
	}
	n, _ := strconv.Atoi(p)
	return uint16(n)
}

func TestFind(t *testing.T) {
	const d = "example.test"
	for _, tc := range []struct {
		name     string
		dav      fakeConfig
		input    string
		services []string
		records  func(s servers) []dns.RR
		servfail []string
		// want, from the servers' origins: the context URL, how it was found
		wantCal, wantCard func(s servers) (context, foundBy string)
		// wantErr: the services not found, with words their error names
		wantErr []string
		check   func(t *testing.T, s servers)
	}{{
		name:  "email: caldavs with a TXT path, carddav on plain HTTP through a 301 from the well-known URL",
		dav:   fakeConfig{wellKnown: http.StatusMovedPermanently},
		input: "alice@example.test",
		records: func(s servers) []dns.RR {
			return []dns.RR{srv("_caldavs._tcp."+d, 0, 0, s.tlsPort, "127.0.0.1"), txt("_caldavs._tcp."+d, "path=/dav/"),
				srv("_carddav._tcp."+d, 0, 0, s.plainPort, "127.0.0.1")}
		},
		wantCal:  func(s servers) (string, string) { return s.tlsOrigin + fakeContext, "srv" },
		wantCard: func(s servers) (string, string) { return s.plainOrigin + fakeContext, "srv" },
		check: func(t *testing.T, s servers) {
			got := s.dav.requests()
			for _, want := range []string{"PROPFIND /.well-known/carddav", "PROPFIND /dav/"} {
				if !slices.Contains(got, want) {
					t.Errorf("requests %q lack %q", got, want)
				}
			}
			for _, r := range got {
				if !strings.HasPrefix(r, "PROPFIND ") {
					t.Errorf("request %q: the redirect did not keep PROPFIND", r)
				}
			}
		},
	}, {
		name:  "a domain, and a 308 redirect",
		dav:   fakeConfig{wellKnown: http.StatusPermanentRedirect},
		input: d,
		records: func(s servers) []dns.RR {
			return []dns.RR{srv("_caldav._tcp."+d, 0, 0, s.plainPort, "127.0.0.1"), srv("_carddav._tcp."+d, 0, 0, s.plainPort, "127.0.0.1")}
		},
		wantCal:  func(s servers) (string, string) { return s.plainOrigin + fakeContext, "srv" },
		wantCard: func(s servers) (string, string) { return s.plainOrigin + fakeContext, "srv" },
	}, {
		name:     "priorities: the first target is down, the next priority answers; _caldavs is tried before _caldav",
		input:    d,
		services: []string{CalDAV},
		records: func(s servers) []dns.RR {
			return []dns.RR{srv("_caldavs._tcp."+d, 0, 0, s.closedPort, "127.0.0.1"), srv("_caldavs._tcp."+d, 5, 1, s.tlsPort, "127.0.0.1"),
				txt("_caldavs._tcp."+d, "path=/dav/"), srv("_caldav._tcp."+d, 0, 0, s.plainPort, "127.0.0.1"), txt("_caldav._tcp."+d, "path=/dav/")}
		},
		wantCal: func(s servers) (string, string) { return s.tlsOrigin + fakeContext, "srv" },
	}, {
		name:     "priorities when every target is down: each is named, lowest priority first",
		input:    d,
		services: []string{CalDAV},
		records: func(s servers) []dns.RR {
			return []dns.RR{srv("_caldavs._tcp."+d, 10, 0, s.closedPort, "127.0.0.1"), srv("_caldavs._tcp."+d, 0, 0, s.closedPort, "127.0.0.2")}
		},
		wantErr: []string{"; SRV _caldav._tcp.example.test: no record; PROPFIND https://127.0.0.2:", "/.well-known/caldav: dial tcp 127.0.0.2:",
			"; PROPFIND https://127.0.0.1:"},
	}, {
		name:     "https only: nothing for _caldav",
		input:    "alice@example.test",
		services: []string{CalDAV},
		records: func(s servers) []dns.RR {
			return []dns.RR{srv("_caldavs._tcp."+d, 0, 0, s.tlsPort, "127.0.0.1"), txt("_caldavs._tcp."+d, "other=1", "path=dav/")}
		},
		wantCal: func(s servers) (string, string) { return s.tlsOrigin + fakeContext, "srv" },
	}, {
		name:  `target ".": the service is not offered, and no well-known URL is guessed`,
		dav:   fakeConfig{wellKnown: http.StatusMovedPermanently},
		input: d,
		records: func(s servers) []dns.RR {
			return []dns.RR{srv("_caldavs._tcp."+d, 0, 0, 0, "."), srv("_caldav._tcp."+d, 0, 0, 0, "."),
				srv("_carddavs._tcp."+d, 0, 0, s.tlsPort, "127.0.0.1")}
		},
		wantCard: func(s servers) (string, string) { return s.tlsOrigin + fakeContext, "srv" },
		wantErr:  []string{`no caldav service found for example.test; tried: SRV _caldavs._tcp.example.test: target "." (not offered); SRV _caldav._tcp.example.test: target "." (not offered)`},
	}, {
		name:     "SERVFAIL for _caldavs: _caldav is asked next",
		input:    d,
		services: []string{CalDAV},
		servfail: []string{"_caldavs._tcp." + d},
		dav:      fakeConfig{wellKnown: http.StatusMovedPermanently},
		records: func(s servers) []dns.RR {
			return []dns.RR{srv("_caldav._tcp."+d, 0, 0, s.plainPort, "127.0.0.1")}
		},
		wantCal: func(s servers) (string, string) { return s.plainOrigin + fakeContext, "srv" },
	}, {
		name:     "a server without CardDAV",
		dav:      fakeConfig{wellKnown: http.StatusMovedPermanently, noCardDAV: true},
		input:    d,
		records:  func(s servers) []dns.RR { return []dns.RR{srv("_carddavs._tcp."+d, 0, 0, s.tlsPort, "127.0.0.1")} },
		wantErr:  []string{"no carddav service found for example.test; tried: SRV _carddavs._tcp.example.test: 127.0.0.1:", "/.well-known/carddav: the principal https://127.0.0.1:", "/dav/principals/alice/ names no addressbook-home-set"},
		services: []string{CardDAV},
	}, {
		name:     "a URL of the server's root: its well-known URL",
		dav:      fakeConfig{wellKnown: http.StatusFound},
		input:    "{plain}/",
		wantCal:  func(s servers) (string, string) { return s.plainOrigin + fakeContext, "well-known" },
		wantCard: func(s servers) (string, string) { return s.plainOrigin + fakeContext, "well-known" },
	}, {
		name:     "a URL that names the principal",
		dav:      fakeConfig{rootPrincipal: true},
		input:    "{tls}",
		wantCal:  func(s servers) (string, string) { return s.tlsOrigin + "/", "url" },
		wantCard: func(s servers) (string, string) { return s.tlsOrigin + "/", "url" },
	}, {
		name:     "a URL of a server without CardDAV",
		dav:      fakeConfig{rootPrincipal: true, noCardDAV: true},
		input:    "{plain}",
		services: []string{CardDAV},
		wantErr: []string{"/: the principal http://127.0.0.1:", "/dav/principals/alice/ names no addressbook-home-set, and it lists no address books; PROPFIND http://127.0.0.1:",
			"/.well-known/carddav: 404 Not Found"},
	}, {
		name:     "a URL of a home set",
		input:    "{plain}" + fakeCalHome,
		services: []string{CalDAV},
		wantCal:  func(s servers) (string, string) { return s.plainOrigin + fakeCalHome, "url" },
	}, {
		name:     "credentials",
		dav:      fakeConfig{user: "alice", password: "secret", wellKnown: http.StatusFound},
		input:    "{plain}/",
		services: []string{CalDAV},
		wantCal:  func(s servers) (string, string) { return s.plainOrigin + fakeContext, "well-known" },
	}, {
		name:     "credentials in the URL, left out of the URLs found",
		dav:      fakeConfig{user: "alice", password: "secret", rootPrincipal: true},
		input:    "{plain-with-user}/",
		services: []string{CardDAV, CalDAV},
		wantCal:  func(s servers) (string, string) { return s.plainOrigin + "/", "url" },
		wantCard: func(s servers) (string, string) { return s.plainOrigin + "/", "url" },
	}, {
		name:     "no credentials",
		dav:      fakeConfig{user: "alice", password: "secret", wellKnown: http.StatusFound},
		input:    "{plain}/dav/",
		services: []string{CalDAV},
		wantErr:  []string{"/dav/: 401 Unauthorized: who are you? (wrong or missing credentials)", "/.well-known/caldav: 401"},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			s := startServers(t, &fakeDAV{fakeConfig: tc.dav})
			z := zone{records: map[string][]dns.RR{}, servfail: map[string]bool{}}
			if tc.records != nil {
				for _, rr := range tc.records(s) {
					z.records[rr.Header().Name] = append(z.records[rr.Header().Name], rr)
				}
			}
			for _, n := range tc.servfail {
				z.servfail[dns.Fqdn(n)] = true
			}
			addr, _ := startDNS(t, z)
			input := strings.NewReplacer("{plain-with-user}", strings.Replace(s.plainOrigin, "://", "://alice:secret@", 1),
				"{plain}", s.plainOrigin, "{tls}", s.tlsOrigin).Replace(tc.input)
			o := Options{Input: input, Services: tc.services, Resolver: &Resolver{Servers: []string{addr}, Timeout: 2 * time.Second},
				HTTP: s.client, Intn: func(int) int { return 0 }, Log: slog.New(slog.DiscardHandler)}
			if strings.HasPrefix(tc.name, "credentials") {
				o.User, o.Password = "alice", "secret"
			}
			got, err := Find(context.Background(), o)
			checkErr(t, err, tc.wantErr)
			var want []Service
			if tc.wantCal != nil {
				ctxURL, by := tc.wantCal(s)
				want = append(want, Service{Service: CalDAV, FoundBy: by, ContextURL: ctxURL, HomeSet: s.originOf(ctxURL) + fakeCalHome,
					Principal: s.originOf(ctxURL) + fakePrincipal, Collections: fakeCalendars(s.originOf(ctxURL))})
				if by == "url" && strings.HasSuffix(ctxURL, fakeCalHome) {
					want[len(want)-1].Principal = ""
				}
			}
			if tc.wantCard != nil {
				ctxURL, by := tc.wantCard(s)
				want = append(want, Service{Service: CardDAV, FoundBy: by, ContextURL: ctxURL, HomeSet: s.originOf(ctxURL) + fakeCardHome,
					Principal: s.originOf(ctxURL) + fakePrincipal, Collections: fakeAddressBooks(s.originOf(ctxURL))})
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("found\n%+v\nwant\n%+v", got, want)
			}
			if tc.check != nil {
				tc.check(t, s)
			}
		})
	}
}

func (s servers) originOf(u string) string {
	if strings.HasPrefix(u, s.tlsOrigin) {
		return s.tlsOrigin
	}
	return s.plainOrigin
}

// checkErr checks that err holds a *NotFoundError for each service want names, and
// every word of want.
func checkErr(t *testing.T, err error, want []string) {
	t.Helper()
	if len(want) == 0 {
		if err != nil {
			t.Fatalf("error: %v", err)
		}
		return
	}
	var nf *NotFoundError
	if !errors.As(err, &nf) {
		t.Fatalf("error %v, want a *NotFoundError", err)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q lacks %q", err, w)
		}
	}
}

// TestWellKnownOfDomain: a domain without SRV records gets https://DOMAIN/.well-known/caldav
// on port 443 (the client here dials the test server whatever the address; its
// certificate is for example.com); a domain where that fails too names every step.
func TestWellKnownOfDomain(t *testing.T) {
	dav := &fakeDAV{fakeConfig: fakeConfig{wellKnown: http.StatusMovedPermanently}}
	s := startServers(t, dav)
	addr, asked := startDNS(t, zone{})
	tr := s.client.Transport.(*http.Transport).Clone()
	var dialed []string
	tr.DialContext = func(ctx context.Context, network, a string) (net.Conn, error) {
		dialed = append(dialed, a)
		if !strings.HasPrefix(a, "example.com:") {
			return nil, errors.New("no route to " + a)
		}
		return (&net.Dialer{}).DialContext(ctx, network, s.tls.Listener.Addr().String())
	}
	tr.TLSClientConfig = tr.TLSClientConfig.Clone()
	client := &http.Client{Transport: tr}
	res := &Resolver{Servers: []string{addr}, Timeout: 2 * time.Second}

	got, err := Find(context.Background(), Options{Input: "alice@example.com", Resolver: res, HTTP: client})
	if err != nil || len(got) != 2 || got[0].ContextURL != "https://example.com/dav/" || got[0].FoundBy != "well-known" ||
		len(got[0].Collections) != 2 || len(got[1].Collections) != 1 {
		t.Fatalf("Find = %+v, %v", got, err)
	}
	if want := []string{"example.com:443"}; !reflect.DeepEqual(dialed[:1], want) {
		t.Errorf("dialed %q, want %q first", dialed, want)
	}
	if want := []string{"SRV _caldavs._tcp.example.com. udp", "SRV _caldav._tcp.example.com. udp"}; !reflect.DeepEqual(asked()[:2], want) {
		t.Errorf("asked %q, want %q first", asked(), want)
	}

	_, err = Find(context.Background(), Options{Input: "nothing.test", Services: []string{CalDAV}, Resolver: res, HTTP: client})
	checkErr(t, err, []string{"no caldav service found for nothing.test; tried: SRV _caldavs._tcp.nothing.test: no record; " +
		"SRV _caldav._tcp.nothing.test: no record; PROPFIND https://nothing.test/.well-known/caldav: no route to nothing.test:443"})
}

// TestFindErrors: what is wrong before any request.
func TestFindErrors(t *testing.T) {
	for _, o := range []Options{
		{Input: "", Resolver: NewResolver("127.0.0.1:9")},
		{Input: "example.test", Services: []string{"imap"}, Resolver: NewResolver("127.0.0.1:9")},
	} {
		if got, err := Find(context.Background(), o); err == nil || errors.As(err, new(*NotFoundError)) {
			t.Errorf("%+v: %v, %v; want an error about the options", o, got, err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Find(ctx, Options{Input: "example.test", Resolver: NewResolver("127.0.0.1:9")}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}
