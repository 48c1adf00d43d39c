package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/pimsync-go/libsync/config"
	"github.com/pimsync-go/libsync/dav"
)

// DAVFlags say how to log in to a CalDAV or CardDAV server and how to trust it. davcli
// and pimsync-discover embed them, so that a user who scripts both gives credentials
// once, the same way. There is no password flag: other users can read a command line.
type DAVFlags struct {
	Username       string   `short:"u" env:"DAVCLI_USERNAME" placeholder:"USER" help:"User name; the password comes from --password-cmd or $DAVCLI_PASSWORD."`
	PasswordCmd    string   `name:"password-cmd" placeholder:"CMD" help:"Shell command whose first line of output is the password (as pass show prints it)."`
	Storage        string   `placeholder:"NAME" complete:"dav-storages" help:"Take the URL, credentials and TLS settings of this caldav or carddav storage of pimsync.conf; flags and environment still win."`
	Config         string   `short:"c" placeholder:"FILE" help:"pimsync.conf for --storage (default: $XDG_CONFIG_HOME/pimsync/pimsync.conf, else ~/.config/pimsync/pimsync.conf)."`
	TLSRoot        string   `name:"tls-root" placeholder:"FILE" help:"PEM file of certificate authorities to trust instead of the system's."`
	TLSFingerprint string   `name:"tls-fingerprint" placeholder:"SHA256" help:"SHA-256 fingerprint of the server's certificate (for self-signed ones)."`
	AuthCert       []string `name:"auth-cert" sep:"none" placeholder:"FILE" help:"Client certificate: a PEM bundle, or the certificate and then the key (repeat the flag)."`
	Socket         string   `placeholder:"PATH" help:"Unix socket to reach the server through."`
}

// Login is what DAVFlags come to once the password command has run and --storage has
// filled in what the flags left out.
type Login struct {
	// URL is the URL given, or the storage's when none was.
	URL      string
	User     string
	Password string
	// HTTP is how to reach the server (TLS and socket settings) for dav.NewHTTPClient.
	HTTP dav.HTTPOptions
	// Kind is the collection kind --storage implies; 0 without --storage.
	Kind dav.Kind
}

// Login resolves the flags: the password from --password-cmd or $DAVCLI_PASSWORD, then,
// with --storage, whatever of url, user name, password and TLS settings the flags and
// the environment did not give, from that storage of the configuration. Problems with
// the configuration are UsageErrors.
func (f *DAVFlags) Login(ctx context.Context, url string) (*Login, error) {
	l := &Login{URL: url, User: f.Username}
	// An empty $DAVCLI_PASSWORD is as good as none, as with the other variables: it
	// leaves the storage's password in force.
	password := os.Getenv("DAVCLI_PASSWORD")
	havePassword := password != ""
	if f.PasswordCmd != "" {
		p, err := config.Value{Shell: f.PasswordCmd, Name: "--password-cmd"}.Resolve(ctx)
		if err != nil {
			return nil, err
		}
		// pass(1) and its kind print other fields (user name, URL) after the password.
		p, _, _ = strings.Cut(p, "\n")
		password, havePassword = strings.TrimSuffix(p, "\r"), true
	}
	h := dav.HTTPOptions{TLSRoot: f.TLSRoot, TLSFingerprint: f.TLSFingerprint, AuthCert: f.AuthCert, Socket: f.Socket}
	if f.Storage != "" {
		cs, cfg, err := f.storage()
		if err != nil {
			return nil, err
		}
		l.Kind = dav.Calendars
		if cs.Type == config.TypeCardDAV {
			l.Kind = dav.AddressBooks
		}
		vals := []*string{&l.URL, &l.User, &password}
		for i, v := range []config.Value{cs.URL, cs.Username, cs.Password} {
			if *vals[i] != "" || i == 2 && havePassword || !v.IsSet() {
				continue
			}
			s, err := v.Resolve(ctx)
			if err != nil {
				return nil, fmt.Errorf("storage %s: %w", cs.Name, err)
			}
			*vals[i] = s
		}
		fill := func(flag *string, v string) {
			if *flag == "" && v != "" {
				*flag = localPath(cfg, v)
			}
		}
		fill(&h.TLSRoot, cs.TLSRoot)
		fill(&h.Socket, cs.Socket)
		if h.TLSFingerprint == "" {
			h.TLSFingerprint = cs.TLSFingerprint
		}
		if len(h.AuthCert) == 0 {
			for _, c := range cs.AuthCert {
				h.AuthCert = append(h.AuthCert, localPath(cfg, c))
			}
		}
	}
	l.Password, l.HTTP = password, h
	return l, nil
}

// storage finds --storage in the configuration (-c, or the default path), as pimsync
// reads it. Every problem is a usage error: nothing can run until it is fixed.
func (f *DAVFlags) storage() (*config.Storage, *config.Config, error) {
	cfg, err := LoadConfig(f.Config)
	if err != nil {
		return nil, nil, err
	}
	cs := cfg.Storages[f.Storage]
	switch {
	case cs == nil:
		return nil, nil, &UsageError{Err: fmt.Errorf("no storage %q in %s (storages: %s)", f.Storage, cfg.File, strings.Join(cfg.StorageOrder, ", "))}
	case cs.Type != config.TypeCalDAV && cs.Type != config.TypeCardDAV:
		return nil, nil, &UsageError{Err: fmt.Errorf("storage %s is %s; only caldav and carddav storages name a server to log in to", cs.Name, cs.Type)}
	}
	return cs, cfg, nil
}

// localPath is a file the configuration names: "~/" is the home directory, and a
// relative path is relative to the configuration file, as pimsync reads it.
func localPath(cfg *config.Config, p string) string {
	if rest, ok := strings.CutPrefix(p, "~/"); ok {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, rest)
		}
	}
	if filepath.IsAbs(p) || cfg.File == "" {
		return p
	}
	return filepath.Join(filepath.Dir(cfg.File), p)
}
