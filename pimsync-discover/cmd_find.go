package main

import (
	"errors"
	"fmt"
	"net"

	"github.com/pimsync-go/libsync/cli"
	"github.com/pimsync-go/libsync/dav"
	"github.com/pimsync-go/libsync/discover"
)

// findCmd is the command that does the work. Credentials and TLS settings are davcli's
// (cli.DAVFlags): --username or $DAVCLI_USERNAME, --password-cmd or $DAVCLI_PASSWORD
// (never a password on the command line, where other users can read it), or --storage
// to take them from pimsync.conf.
type findCmd struct {
	Input     string `arg:"" optional:"" help:"An email address (alice@example.com), a domain (example.com) or a URL (https://dav.example.com/); with --storage, its url by default."`
	CalDAV    bool   `name:"caldav" help:"Find the CalDAV service (calendars). Without --caldav or --carddav, both (with --storage, that storage's)."`
	CardDAV   bool   `name:"carddav" help:"Find the CardDAV service (address books)."`
	DNSServer string `name:"dns-server" placeholder:"HOST:PORT" help:"Ask this DNS server instead of those of /etc/resolv.conf."`
	cli.DAVFlags
}

// Run discovers, prints what it found, and reports on standard error what it did not.
func (c *findCmd) Run(e *cli.Env) error {
	l, err := c.Login(e.Ctx, c.Input)
	if err != nil {
		return err
	}
	if l.URL == "" {
		return &cli.UsageError{Err: errors.New("give an email address, a domain or a URL to start from (or --storage NAME)")}
	}
	in, err := discover.ParseInput(l.URL)
	if err != nil {
		return &cli.UsageError{Err: err}
	}
	hc, err := dav.NewHTTPClient(l.HTTP)
	if err != nil {
		return &cli.UsageError{Err: err}
	}
	o := discover.Options{Input: l.URL, HTTP: hc, UserAgent: "pimsync-discover/" + e.Version}
	if c.CalDAV {
		o.Services = append(o.Services, discover.CalDAV)
	}
	if c.CardDAV {
		o.Services = append(o.Services, discover.CardDAV)
	}
	if o.Services == nil {
		switch l.Kind {
		case dav.Calendars:
			o.Services = []string{discover.CalDAV}
		case dav.AddressBooks:
			o.Services = []string{discover.CardDAV}
		}
	}
	if c.DNSServer != "" {
		if _, _, err := net.SplitHostPort(c.DNSServer); err != nil {
			return &cli.UsageError{Err: fmt.Errorf("--dns-server %s: want HOST:PORT (such as 127.0.0.1:53): %w", c.DNSServer, err)}
		}
		o.Resolver = discover.NewResolver(c.DNSServer)
	}
	o.User, o.Password = l.User, l.Password
	if o.User == "" {
		// RFC 6764 section 6: the email address is the first user name to try.
		o.User = in.Email
	}

	found, err := discover.Find(e.Ctx, o)
	var nf *discover.NotFoundError
	if err != nil && !errors.As(err, &nf) {
		return err // the input, the resolver's configuration, or the context
	}
	if err := printServices(e, found); err != nil {
		return err
	}
	reportMissing(e, err)
	if len(found) == 0 {
		return cli.ErrReported
	}
	return nil
}

// reportMissing writes, for each service not found, every step that was tried.
func reportMissing(e *cli.Env, err error) {
	var errs []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	} else if err != nil {
		errs = []error{err}
	}
	for _, err := range errs {
		var nf *discover.NotFoundError
		if !errors.As(err, &nf) {
			fmt.Fprintf(e.Stderr, "%s: %v\n", e.Name, err)
			continue
		}
		fmt.Fprintf(e.Stderr, "%s: no %s service found for %s; tried:\n", e.Name, nf.Service, nf.Input)
		for _, step := range nf.Tried {
			fmt.Fprintf(e.Stderr, "  %s\n", step)
		}
	}
}
