package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/miekg/dns"

	"github.com/pimsync-go/libsync/cli"
	"github.com/pimsync-go/libsync/cli/clitest"
	"github.com/pimsync-go/libsync/davtest"
)

func TestVersion(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := tool.Run(context.Background(), &grammar{}, []string{"version"}, &stdout, &stderr)
	if code != 0 || stdout.String() != "pimsync-discover devel\n" {
		t.Errorf("exit %d, stdout %q, stderr %q", code, stdout.String(), stderr.String())
	}
}

func run(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = tool.Run(context.Background(), &grammar{}, args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// startDNS answers SRV and TXT questions from records (by lower-case FQDN) on a free
// loopback UDP port until the test ends; other names are NXDOMAIN.
func startDNS(t *testing.T, records map[string][]dns.RR) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	started := make(chan struct{})
	s := &dns.Server{PacketConn: pc, NotifyStartedFunc: func() { close(started) },
		Handler: dns.HandlerFunc(func(w dns.ResponseWriter, q *dns.Msg) {
			m := new(dns.Msg)
			m.SetReply(q)
			rrs := records[strings.ToLower(q.Question[0].Name)]
			for _, rr := range rrs {
				if rr.Header().Rrtype == q.Question[0].Qtype {
					m.Answer = append(m.Answer, rr)
				}
			}
			if len(rrs) == 0 {
				m.Rcode = dns.RcodeNameError
			}
			w.WriteMsg(m)
		})}
	go s.ActivateAndServe()
	<-started
	t.Cleanup(func() { s.Shutdown() })
	return pc.LocalAddr().String()
}

// srvTo returns the SRV record of name pointing at the host and port of rawURL.
func srvTo(t *testing.T, name, rawURL string) dns.RR {
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := strconv.Atoi(u.Port())
	return &dns.SRV{Hdr: dns.RR_Header{Name: dns.Fqdn(name), Rrtype: dns.TypeSRV, Class: dns.ClassINET, Ttl: 60},
		Port: uint16(p), Target: dns.Fqdn(u.Hostname())}
}

// authProxy puts Basic authentication in front of the in-process server, which takes
// none, so that the credentials the tool sends are checked.
func authProxy(t *testing.T, target, user, password string) string {
	u, _ := url.Parse(target)
	proxy := httputil.NewSingleHostReverseProxy(u)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if gu, gp, ok := r.BasicAuth(); !ok || gu != user || gp != password {
			http.Error(w, "no", http.StatusUnauthorized)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/"
}

// TestFind: from an email address, through SRV records on a local DNS server, to the
// in-process server's calendars and address books; the output keeps docs/json.md's
// contract, and the email address is the user name.
func TestFind(t *testing.T) {
	server := davtest.New(t)
	cal, book := server.NewCalendar(t), server.NewAddressBook(t)
	front := authProxy(t, server.URL, "tester@example.test", "s3cret")
	dnsAddr := startDNS(t, map[string][]dns.RR{
		"_caldav._tcp.example.test.":  {srvTo(t, "_caldav._tcp.example.test", front)},
		"_carddav._tcp.example.test.": {srvTo(t, "_carddav._tcp.example.test", front)},
	})
	t.Setenv("DAVCLI_USERNAME", "")
	t.Setenv("DAVCLI_PASSWORD", "wrong")

	code, out, errOut := run(t, "--dns-server", dnsAddr, "--password-cmd", "printf 's3cret\\nmore'", "tester@example.test")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := clitest.JSONLines(t, out)
	clitest.CheckContract(t, "../docs/json.md", "pimsync-discover", lines)
	if len(lines) != 2 || lines[0]["service"] != "caldav" || lines[1]["service"] != "carddav" {
		t.Fatalf("output %s, want caldav and carddav", out)
	}
	doc, err := os.ReadFile("../docs/json.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, _ := strings.Cut(string(doc), "\n## pimsync-discover\n")
	for i, want := range []struct{ home, created string }{{server.CalendarHome, cal}, {server.AddressBookHome, book}} {
		l := lines[i]
		home := strings.Replace(want.home, server.URL, front, 1)
		if l["home_set"] != home || l["found_by"] != "srv" {
			t.Errorf("%s: home set %v found by %v, want %s by srv", l["service"], l["home_set"], l["found_by"], home)
		}
		cols, _ := l["collections"].([]any)
		var hrefs []string
		for _, c := range cols {
			m, _ := c.(map[string]any)
			var keys []string
			for k := range m {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			want := slices.Clone(collectionFields)
			sort.Strings(want)
			if !slices.Equal(keys, want) {
				t.Errorf("collection fields %q, want %q", keys, want)
			}
			hrefs = append(hrefs, m["href"].(string))
		}
		if created := strings.Replace(want.created, server.URL, front, 1); !slices.Contains(hrefs, created) {
			t.Errorf("%s: collections %q lack %s", l["service"], hrefs, created)
		}
	}
	for _, f := range collectionFields {
		if !strings.Contains(section, "`"+f+"`") {
			t.Errorf("docs/json.md does not describe the collections' field %q", f)
		}
	}

	// A wrong password: nothing found, and each step is named.
	code, out, errOut = run(t, "--dns-server", dnsAddr, "--caldav", "tester@example.test")
	if code != 1 || out != "" || !strings.Contains(errOut, "no caldav service found for tester@example.test; tried:\n  SRV _caldavs._tcp.example.test: no record\n") ||
		!strings.Contains(errOut, "401 Unauthorized") || strings.Contains(errOut, "carddav") {
		t.Errorf("with a wrong password: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

// TestURL: a URL needs no DNS; the summary for people names the home set and the
// collections.
func TestURL(t *testing.T) {
	server := davtest.New(t)
	server.NewCalendar(t)
	code, out, errOut := run(t, "--caldav", server.URL)
	if code != 0 || !strings.HasPrefix(out, `{"service":"caldav","found_by":"url",`) {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	var s serviceOut
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := summary(&cli.Env{Stdout: &buf}, s); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"caldav, found through the URL given\n", "  home set:   " + server.CalendarHome + "\n", "1 calendar:\n", "test calendar"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("summary %q lacks %q", buf.String(), want)
		}
	}
}

// TestUsage: what is wrong on the command line is exit status 2.
func TestUsage(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"--dns-server", "127.0.0.1", "example.test"},
		{"ftp://example.test/"},
		{"example.test/dav"},
	} {
		if code, _, errOut := run(t, args...); code != 2 || errOut == "" {
			t.Errorf("%q: exit %d, stderr %q; want 2 and a message", args, code, errOut)
		}
	}
}

// TestStorageAndTLS: credentials and TLS settings are davcli's. --storage alone takes
// the URL, user name, password command and certificate fingerprint of a caldav storage
// of pimsync.conf and looks for CalDAV only; a self-signed server is refused without
// --tls-fingerprint and accepted with it.
func TestStorageAndTLS(t *testing.T) {
	server := davtest.New(t)
	server.NewCalendar(t)
	server.NewAddressBook(t)
	u, _ := url.Parse(server.URL)
	proxy := httputil.NewSingleHostReverseProxy(u)
	front := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if gu, gp, ok := r.BasicAuth(); !ok || gu != "tester" || gp != "s3cret" {
			http.Error(w, "no", http.StatusUnauthorized)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(front.Close)
	sum := sha256.Sum256(front.Certificate().Raw)
	fp := hex.EncodeToString(sum[:])
	t.Setenv("DAVCLI_USERNAME", "")
	t.Setenv("DAVCLI_PASSWORD", "")

	dir := t.TempDir()
	conf := filepath.Join(dir, "pimsync.conf")
	os.WriteFile(conf, []byte(fmt.Sprintf("status_path %s\nstorage remote {\n\ttype caldav\n\turl %s/\n\tusername tester\n\tpassword {\n\t\tcmd printf s3cret\n\t}\n\ttls_fingerprint %s\n}\n",
		dir, front.URL, fp)), 0o600)
	code, out, errOut := run(t, "-c", conf, "--storage", "remote")
	lines := clitest.JSONLines(t, out)
	if code != 0 || len(lines) != 1 || lines[0]["service"] != "caldav" || lines[0]["found_by"] != "url" {
		t.Fatalf("--storage: exit %d, stdout %s, stderr %s", code, out, errOut)
	}

	t.Setenv("DAVCLI_PASSWORD", "s3cret")
	code, out, errOut = run(t, "-u", "tester", "--caldav", front.URL+"/")
	if code != 1 || out != "" || !strings.Contains(errOut, "certificate") {
		t.Errorf("self-signed without a fingerprint: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	code, out, errOut = run(t, "-u", "tester", "--carddav", "--tls-fingerprint", fp, front.URL+"/")
	if lines := clitest.JSONLines(t, out); code != 0 || len(lines) != 1 || lines[0]["service"] != "carddav" {
		t.Errorf("with --tls-fingerprint: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}
