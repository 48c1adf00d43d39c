package dav

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"time"
)

// Timeouts of the clients NewHTTPClient builds. A server that does not accept a
// connection or start answering within these is down or stuck, and a sync had better
// say so than hang; the overall limit leaves room for a large multiget.
const (
	ConnectTimeout        = 30 * time.Second
	ResponseHeaderTimeout = 2 * time.Minute
	RequestTimeout        = 5 * time.Minute
)

// HTTPOptions say how to reach a server, beyond its URL: pimsync's tls_root,
// tls_fingerprint, auth_cert and socket directives.
type HTTPOptions struct {
	// TLSRoot is a PEM file of certificate authorities that replace the system's.
	TLSRoot string
	// TLSFingerprint is the SHA-256 fingerprint of the server's own certificate, in
	// hex with or without colons. Alone, it is all that is checked (for self-signed
	// certificates); with TLSRoot, both must hold.
	TLSFingerprint string
	// AuthCert is a client certificate: a certificate and a key file, or one PEM
	// bundle holding both.
	AuthCert []string
	// Socket is a Unix socket to dial for every request, whatever the URL's host;
	// the URL's host and path are still what the server is asked for.
	Socket string
	// MaxConns bounds the connections open to one host (0: no bound). Servers bound
	// them too (Radicale serves 8 at once by default) and make a connection past
	// their bound wait, so a storage's concurrency is best spent on that many
	// connections, reused, rather than on a new one whenever the pool's idle ones
	// are busy.
	MaxConns int
	// Timeout, when set, replaces ConnectTimeout and ResponseHeaderTimeout: how long
	// to wait for a connection, and for a server to start answering.
	Timeout time.Duration
}

// NewHTTPClient builds an HTTP client for a Client from the options. Files are read
// now, so that a wrong path is reported before any request.
func NewHTTPClient(o HTTPOptions) (*http.Client, error) {
	tc, err := tlsConfig(o)
	if err != nil {
		return nil, err
	}
	connect, header := ConnectTimeout, ResponseHeaderTimeout
	if o.Timeout > 0 {
		connect, header = o.Timeout, o.Timeout
	}
	d := &net.Dialer{Timeout: connect, KeepAlive: 30 * time.Second}
	t := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           d.DialContext,
		ForceAttemptHTTP2:     true,
		TLSClientConfig:       tc,
		TLSHandshakeTimeout:   connect,
		ResponseHeaderTimeout: header,
		ExpectContinueTimeout: time.Second,
		IdleConnTimeout:       90 * time.Second,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   16, // a few storages' requests at once; MaxConns raises it
		MaxConnsPerHost:       o.MaxConns,
	}
	if o.MaxConns > t.MaxIdleConnsPerHost {
		t.MaxIdleConnsPerHost = o.MaxConns
	}
	if o.Socket != "" {
		sock := o.Socket
		t.Proxy = nil // a proxy would be dialled through the socket too
		t.DialContext = func(ctx context.Context, _, _ string) (net.Conn, error) {
			c, err := d.DialContext(ctx, "unix", sock)
			if err != nil {
				return nil, fmt.Errorf("socket: %w", err)
			}
			return c, nil
		}
	}
	return &http.Client{Transport: t, Timeout: RequestTimeout}, nil
}

func mustHTTPClient(o HTTPOptions) *http.Client {
	c, err := NewHTTPClient(o)
	if err != nil {
		panic(err)
	}
	return c
}

// UnixURL reads pimsync's unix:///path/to/socket URLs: the whole path names the
// socket, and the server is asked for "/" from there (discovery finds the home set).
// It returns the URL to use with a client whose HTTPOptions.Socket is socket.
func UnixURL(raw string) (httpURL, socket string, err error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", "", err
	}
	switch {
	case u.Scheme != "unix":
		return "", "", fmt.Errorf("url %s is not a unix:// URL", redact(raw))
	case u.Host != "" || u.Path == "":
		return "", "", fmt.Errorf("url %s: a unix:// URL names the socket by its absolute path, as in unix:///run/dav.sock", redact(raw))
	}
	return "http://localhost/", u.Path, nil
}
