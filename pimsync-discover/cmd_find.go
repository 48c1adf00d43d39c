package main

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strings"

	"github.com/pimsync-go/libsync/cli"
	"github.com/pimsync-go/libsync/config"
	"github.com/pimsync-go/libsync/discover"
)

// findCmd is the command that does the work. Credentials are davcli's: --username or
// $DAVCLI_USERNAME, and --password-cmd or $DAVCLI_PASSWORD (never a password on the
// command line, where other users can read it).
type findCmd struct {
	Input       string `arg:"" help:"An email address (alice@example.com), a domain (example.com) or a URL (https://dav.example.com/)."`
	CalDAV      bool   `name:"caldav" help:"Find the CalDAV service (calendars). Without --caldav or --carddav, both."`
	CardDAV     bool   `name:"carddav" help:"Find the CardDAV service (address books)."`
	DNSServer   string `name:"dns-server" placeholder:"HOST:PORT" help:"Ask this DNS server instead of those of /etc/resolv.conf."`
	Username    string `short:"u" env:"DAVCLI_USERNAME" placeholder:"USER" help:"User name (default: the email address given, if any)."`
	PasswordCmd string `name:"password-cmd" placeholder:"COMMAND" help:"Shell command whose first line of output is the password (default: $DAVCLI_PASSWORD)."`
}

// Run discovers, prints what it found, and reports on standard error what it did not.
func (c *findCmd) Run(e *cli.Env) error {
	in, err := discover.ParseInput(c.Input)
	if err != nil {
		return &cli.UsageError{Err: err}
	}
	o := discover.Options{Input: c.Input, UserAgent: "pimsync-discover/" + e.Version}
	if c.CalDAV {
		o.Services = append(o.Services, discover.CalDAV)
	}
	if c.CardDAV {
		o.Services = append(o.Services, discover.CardDAV)
	}
	if c.DNSServer != "" {
		if _, _, err := net.SplitHostPort(c.DNSServer); err != nil {
			return &cli.UsageError{Err: fmt.Errorf("--dns-server %s: want HOST:PORT (such as 127.0.0.1:53): %w", c.DNSServer, err)}
		}
		o.Resolver = discover.NewResolver(c.DNSServer)
	}
	o.User = c.Username
	if o.User == "" {
		// RFC 6764 section 6: the email address is the first user name to try.
		o.User = in.Email
	}
	if o.Password, err = c.password(e); err != nil {
		return err
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

// password runs --password-cmd, or reads $DAVCLI_PASSWORD.
func (c *findCmd) password(e *cli.Env) (string, error) {
	if c.PasswordCmd == "" {
		return os.Getenv("DAVCLI_PASSWORD"), nil
	}
	out, err := config.Value{Shell: c.PasswordCmd, Name: "--password-cmd"}.Resolve(e.Ctx)
	if err != nil {
		return "", err
	}
	line, _, _ := strings.Cut(out, "\n")
	return strings.TrimSuffix(line, "\r"), nil
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
