package dav

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"io"
	"log"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// testCA is a certificate authority made up for a test.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pem  []byte
}

func newCA(t *testing.T, name string) *testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return &testCA{cert, key, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})}
}

// client issues a client certificate and returns it and its key in PEM.
func (ca *testCA) client(t *testing.T, cn string) (crt, key []byte) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &k.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder})
}

func writeFile(t *testing.T, name string, parts ...[]byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, bytes.Join(parts, nil), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// get makes a GET with a Client built from o and returns the body.
func get(t *testing.T, o HTTPOptions, u string) (string, error) {
	t.Helper()
	hc, err := NewHTTPClient(o)
	if err != nil {
		t.Fatal(err)
	}
	c := &Client{HTTP: hc, Retries: -1}
	body, _, err := c.Get(context.Background(), u)
	return string(body), err
}

// TestTLSServer: an unknown certificate is refused with advice, and accepted through
// tls_root, tls_fingerprint (either spelling), or both.
func TestTLSServer(t *testing.T) {
	srv := quietTLS(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "hello") }), nil)
	defer srv.Close()
	sum := sha256.Sum256(srv.Certificate().Raw)
	fp := hex.EncodeToString(sum[:])
	fpColons := formatFingerprint(sum[:])
	wrong := strings.Repeat("ab", 32)
	root := writeFile(t, "root.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}))
	otherRoot := writeFile(t, "other.pem", newCA(t, "other").pem)
	// The test certificate is for 127.0.0.1 and example.com, not localhost.
	byName := strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)

	tests := []struct {
		name    string
		opts    HTTPOptions
		url     string
		wantErr []string // substrings; none means success
	}{
		{"unknown authority", HTTPOptions{}, srv.URL, []string{"unknown authority", "tls_root", "tls_fingerprint", fpColons}},
		{"tls_root", HTTPOptions{TLSRoot: root}, srv.URL, nil},
		{"other tls_root", HTTPOptions{TLSRoot: otherRoot}, srv.URL, []string{"unknown authority"}},
		{"fingerprint", HTTPOptions{TLSFingerprint: fp}, srv.URL, nil},
		{"fingerprint with colons", HTTPOptions{TLSFingerprint: fpColons}, srv.URL, nil},
		{"fingerprint lower with colons", HTTPOptions{TLSFingerprint: strings.ToLower(fpColons)}, srv.URL, nil},
		{"wrong fingerprint", HTTPOptions{TLSFingerprint: wrong}, srv.URL, []string{"tls_fingerprint", fpColons, formatFingerprint(mustHex(wrong))}},
		{"root and fingerprint", HTTPOptions{TLSRoot: root, TLSFingerprint: fp}, srv.URL, nil},
		{"root and wrong fingerprint", HTTPOptions{TLSRoot: root, TLSFingerprint: wrong}, srv.URL, []string{fpColons}},
		{"wrong root and fingerprint", HTTPOptions{TLSRoot: otherRoot, TLSFingerprint: fp}, srv.URL, []string{"unknown authority"}},
		{"wrong name", HTTPOptions{TLSRoot: root}, byName, []string{"localhost", "tls_fingerprint"}},
		{"wrong name, fingerprint", HTTPOptions{TLSFingerprint: fp}, byName, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body, err := get(t, tt.opts, tt.url)
			if len(tt.wantErr) == 0 {
				if err != nil || body != "hello" {
					t.Errorf("%q, %v; want hello", body, err)
				}
				return
			}
			if err == nil {
				t.Fatal("accepted")
			}
			t.Logf("refused: %v", err)
			for _, want := range tt.wantErr {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q lacks %q", err, want)
				}
			}
		})
	}
}

// quietTLS starts a TLS test server that does not log the handshakes the tests
// make fail.
func quietTLS(h http.Handler, cfg *tls.Config) *httptest.Server {
	srv := httptest.NewUnstartedServer(h)
	srv.TLS = cfg
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	return srv
}

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// TestTLSClientCert: a server that requires a client certificate from its CA gets it
// from auth_cert, as two files or one bundle.
func TestTLSClientCert(t *testing.T) {
	ca := newCA(t, "test CA")
	pool := x509.NewCertPool()
	pool.AddCert(ca.cert)
	srv := quietTLS(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, r.TLS.PeerCertificates[0].Subject.CommonName)
	}), &tls.Config{ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: pool})
	defer srv.Close()
	sum := sha256.Sum256(srv.Certificate().Raw)
	fp := hex.EncodeToString(sum[:])

	crt, key := ca.client(t, "pim-client")
	crtFile, keyFile := writeFile(t, "client.crt", crt), writeFile(t, "client.key", key)
	bundle := writeFile(t, "bundle.pem", key, crt)
	strangerCrt, strangerKey := newCA(t, "stranger").client(t, "stranger")
	stranger := writeFile(t, "stranger.pem", strangerCrt, strangerKey)

	tests := []struct {
		name     string
		authCert []string
		ok       bool
	}{
		{"certificate and key", []string{crtFile, keyFile}, true},
		{"bundle", []string{bundle}, true},
		{"none", nil, false},
		{"from another CA", []string{stranger}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body, err := get(t, HTTPOptions{TLSFingerprint: fp, AuthCert: tt.authCert}, srv.URL)
			if tt.ok != (err == nil) || tt.ok && body != "pim-client" {
				t.Errorf("%q, %v; want success %v", body, err, tt.ok)
			}
		})
	}
}

// TestHTTPOptionsErrors: files that cannot serve are reported by name before any
// request.
func TestHTTPOptionsErrors(t *testing.T) {
	ca := newCA(t, "ca")
	crt, key := ca.client(t, "c")
	crtFile, keyFile := writeFile(t, "c.crt", crt), writeFile(t, "c.key", key)
	_, otherKey := ca.client(t, "d")
	otherKeyFile := writeFile(t, "d.key", otherKey)
	notPEM := writeFile(t, "root.txt", []byte("not a certificate"))
	missing := filepath.Join(t.TempDir(), "missing.pem")
	tests := []struct {
		name string
		opts HTTPOptions
		want []string
	}{
		{"missing root", HTTPOptions{TLSRoot: missing}, []string{"tls_root", missing}},
		{"root not PEM", HTTPOptions{TLSRoot: notPEM}, []string{"tls_root", notPEM, "no PEM certificate"}},
		{"fingerprint not hex", HTTPOptions{TLSFingerprint: "zz:11"}, []string{"tls_fingerprint", "zz:11", "not hexadecimal"}},
		{"SHA-1 fingerprint", HTTPOptions{TLSFingerprint: strings.Repeat("AB:", 19) + "AB"}, []string{"SHA-1", "sha256"}},
		{"short fingerprint", HTTPOptions{TLSFingerprint: strings.Repeat("ab", 31)}, []string{"31 bytes"}},
		{"missing cert", HTTPOptions{AuthCert: []string{missing, keyFile}}, []string{"auth_cert", missing}},
		{"missing key", HTTPOptions{AuthCert: []string{crtFile, missing}}, []string{"auth_cert", missing}},
		{"three files", HTTPOptions{AuthCert: []string{crtFile, keyFile, keyFile}}, []string{"not 3 files"}},
		{"key of another cert", HTTPOptions{AuthCert: []string{crtFile, otherKeyFile}}, []string{crtFile, otherKeyFile, "does not match"}},
		{"bundle without key", HTTPOptions{AuthCert: []string{crtFile}}, []string{"auth_cert " + crtFile}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewHTTPClient(tt.opts)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

// TestRedirectToPlainHTTP: a redirect from https to http is refused, for a PROPFIND as
// for a GET, and the plain server is never asked: the credentials would cross the
// network in clear. A redirect that stays on https is followed.
func TestRedirectToPlainHTTP(t *testing.T) {
	var plainHits atomic.Int32
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		plainHits.Add(1)
		w.WriteHeader(http.StatusMultiStatus)
	}))
	defer plain.Close()
	var srv *httptest.Server
	srv = quietTLS(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/down/":
			http.Redirect(w, r, plain.URL+"/cal/", http.StatusMovedPermanently)
		case "/up/":
			http.Redirect(w, r, srv.URL+"/cal/", http.StatusMovedPermanently)
		default:
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(http.StatusMultiStatus)
			io.WriteString(w, `<multistatus xmlns="DAV:"/>`)
		}
	}), nil)
	defer srv.Close()
	sum := sha256.Sum256(srv.Certificate().Raw)
	hc, err := NewHTTPClient(HTTPOptions{TLSFingerprint: hex.EncodeToString(sum[:])})
	if err != nil {
		t.Fatal(err)
	}
	c := &Client{HTTP: hc, User: "u", Password: "secret", Retries: -1}
	ctx := context.Background()
	if _, err := c.List(ctx, srv.URL+"/down/"); err == nil || !strings.Contains(err.Error(), "refusing a redirect from https") {
		t.Errorf("PROPFIND redirected to http: %v", err)
	}
	if _, _, err := c.Get(ctx, srv.URL+"/down/"); err == nil || !strings.Contains(err.Error(), "refusing a redirect from https") {
		t.Errorf("GET redirected to http: %v", err)
	}
	if n := plainHits.Load(); n != 0 {
		t.Errorf("the plain http server was asked %d times", n)
	}
	if _, err := c.List(ctx, srv.URL+"/up/"); err != nil {
		t.Errorf("PROPFIND redirected within https: %v", err)
	}
}
