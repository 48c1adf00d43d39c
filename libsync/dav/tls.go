package dav

import (
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"
)

// tlsConfig builds the client side of TLS from the options; nil means Go's defaults.
func tlsConfig(o HTTPOptions) (*tls.Config, error) {
	if o.TLSRoot == "" && o.TLSFingerprint == "" && len(o.AuthCert) == 0 {
		return nil, nil
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if o.TLSRoot != "" {
		pem, err := os.ReadFile(o.TLSRoot)
		if err != nil {
			return nil, fmt.Errorf("tls_root: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("tls_root %s: no PEM certificate in it", o.TLSRoot)
		}
		cfg.RootCAs = pool
	}
	if o.TLSFingerprint != "" {
		want, err := parseFingerprint(o.TLSFingerprint)
		if err != nil {
			return nil, err
		}
		// Without a root the fingerprint alone vouches for the server (a self-signed
		// certificate, or one for another name): Go's own checks are off, and this
		// check, which runs either way, is the one that counts.
		cfg.InsecureSkipVerify = o.TLSRoot == ""
		cfg.VerifyConnection = func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) == 0 {
				return errors.New("tls_fingerprint: the server sent no certificate")
			}
			got := sha256.Sum256(cs.PeerCertificates[0].Raw)
			if string(got[:]) != string(want) {
				return fmt.Errorf("tls_fingerprint: the server's certificate has SHA-256 fingerprint %s, not the configured %s",
					formatFingerprint(got[:]), formatFingerprint(want))
			}
			return nil
		}
	}
	if len(o.AuthCert) > 0 {
		cert, err := loadClientCert(o.AuthCert)
		if err != nil {
			return nil, err
		}
		// Sent whatever CAs the server says it accepts: many list none or the wrong
		// ones, and the server is the one to judge the certificate.
		cfg.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return &cert, nil }
	}
	return cfg, nil
}

// parseFingerprint reads a SHA-256 fingerprint in hex, with or without colons (as
// openssl prints it), in either case.
func parseFingerprint(s string) ([]byte, error) {
	clean := strings.NewReplacer(":", "", " ", "").Replace(strings.TrimSpace(s))
	b, err := hex.DecodeString(clean)
	if err != nil {
		return nil, fmt.Errorf("tls_fingerprint %q is not hexadecimal", s)
	}
	switch len(b) {
	case sha256.Size:
		return b, nil
	case 20, 16:
		return nil, fmt.Errorf("tls_fingerprint %q looks like a SHA-1 or MD5 fingerprint; give the SHA-256 one (openssl x509 -noout -fingerprint -sha256)", s)
	}
	return nil, fmt.Errorf("tls_fingerprint %q has %d bytes; a SHA-256 fingerprint has 32", s, len(b))
}

// formatFingerprint writes a fingerprint the way openssl does, so that it can be
// compared by eye and pasted into tls_fingerprint.
func formatFingerprint(b []byte) string {
	parts := make([]string, len(b))
	for i, x := range b {
		parts[i] = fmt.Sprintf("%02X", x)
	}
	return strings.Join(parts, ":")
}

// loadClientCert reads auth_cert: a certificate and a key file, or one PEM bundle
// holding both.
func loadClientCert(files []string) (tls.Certificate, error) {
	var crtFile, keyFile string
	switch len(files) {
	case 1:
		crtFile, keyFile = files[0], files[0]
	case 2:
		crtFile, keyFile = files[0], files[1]
	default:
		return tls.Certificate{}, fmt.Errorf("auth_cert takes a bundle or a certificate and a key, not %d files", len(files))
	}
	crt, err := os.ReadFile(crtFile)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("auth_cert: %w", err)
	}
	key := crt
	if keyFile != crtFile {
		if key, err = os.ReadFile(keyFile); err != nil {
			return tls.Certificate{}, fmt.Errorf("auth_cert: %w", err)
		}
	}
	cert, err := tls.X509KeyPair(crt, key)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("auth_cert %s: %w", strings.Join(files, " "), err)
	}
	return cert, nil
}

// explainTLS adds to a certificate that did not verify what the user can do about it.
func explainTLS(err error) error {
	var cve *tls.CertificateVerificationError
	if !errors.As(err, &cve) {
		return err
	}
	var ua x509.UnknownAuthorityError
	var he x509.HostnameError
	var advice string
	switch {
	case errors.As(cve.Err, &ua):
		advice = "to trust this server anyway, set tls_root to the PEM file of its certificate authority, or tls_fingerprint to the SHA-256 fingerprint of its certificate"
	case errors.As(cve.Err, &he):
		advice = "to trust this certificate for this host anyway, set tls_fingerprint to its SHA-256 fingerprint"
	default:
		return err
	}
	if len(cve.UnverifiedCertificates) > 0 {
		sum := sha256.Sum256(cve.UnverifiedCertificates[0].Raw)
		advice += " (the server's is " + formatFingerprint(sum[:]) + "; check it with the server's admin before trusting it)"
	}
	return fmt.Errorf("%w; %s", err, advice)
}
