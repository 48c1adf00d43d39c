package main

import (
	"fmt"
	"log/slog"
	"os"
	"strings"

	"github.com/pimsync-go/libsync/cli"
	"github.com/pimsync-go/libsync/config"
	"github.com/pimsync-go/libsync/dav"
	"github.com/pimsync-go/libsync/webcal"
	"github.com/pimsync-go/libvdir/item"
)

// fetchCmd is `webcalfetch [fetch] URL`.
type fetchCmd struct {
	URL            string   `arg:"" placeholder:"URL" help:"The feed: http://, https:// or webcal:// (fetched as https://)."`
	Vdir           string   `name:"vdir" type:"existingdir" placeholder:"COLLECTION" help:"Write the items into this vdir collection, adding, updating and removing files so that it mirrors the feed."`
	Cache          string   `placeholder:"FILE" help:"Keep the feed's ETag and Last-Modified in FILE, so that the next run asks only for a changed feed (an unchanged one costs one 304 and changes nothing)."`
	Username       string   `short:"u" env:"WEBCALFETCH_USERNAME" placeholder:"USER" help:"User name; the password comes from --password-cmd or $WEBCALFETCH_PASSWORD."`
	PasswordCmd    string   `name:"password-cmd" placeholder:"CMD" help:"Shell command whose first line of output is the password (as pass show prints it)."`
	TLSRoot        string   `name:"tls-root" placeholder:"FILE" help:"PEM file of certificate authorities to trust instead of the system's."`
	TLSFingerprint string   `name:"tls-fingerprint" placeholder:"SHA256" help:"SHA-256 fingerprint of the server's certificate (for self-signed ones)."`
	AuthCert       []string `name:"auth-cert" sep:"none" placeholder:"FILE" help:"Client certificate: a PEM bundle, or the certificate and then the key (repeat the flag)."`
}

// pieceOut is one line of `webcalfetch URL`.
type pieceOut struct {
	UID       string `json:"uid"`
	Component string `json:"component"`
	Summary   string `json:"summary"`
	Data      string `json:"data"`
}

func (cmd *fetchCmd) Run(e *cli.Env) error {
	client, err := cmd.client(e)
	if err != nil {
		return err
	}
	cache, err := readCache(cmd.Cache)
	if err != nil {
		return err
	}
	var res webcal.Result
	if cmd.Vdir != "" {
		res, err = cmd.mirror(e, client, cache)
	} else {
		res, err = cmd.print(e, client, cache)
	}
	if err != nil {
		return err
	}
	if res.NotModified {
		slog.Info("feed not modified", "url", cmd.URL)
	}
	return writeCache(cmd.Cache, res.Cache)
}

// print writes each item as a JSON line (or a table row at a terminal).
func (cmd *fetchCmd) print(e *cli.Env, client *dav.Client, cache webcal.Cache) (webcal.Result, error) {
	p := cli.NewPrinter(e, "UID", "COMPONENT", "SUMMARY")
	res, err := webcal.Fetch(e.Ctx, client, cmd.URL, cache, func(pc item.Piece) error {
		out := pieceOut{UID: pc.UID, Component: string(pc.Kind), Summary: pc.Summary, Data: string(pc.Data)}
		return p.Emit(out, out.UID, out.Component, out.Summary)
	})
	if err != nil {
		return res, err
	}
	return res, p.Flush()
}

// client builds the HTTP client from the flags and the environment.
func (cmd *fetchCmd) client(e *cli.Env) (*dav.Client, error) {
	password := os.Getenv("WEBCALFETCH_PASSWORD")
	if cmd.PasswordCmd != "" {
		p, err := config.Value{Shell: cmd.PasswordCmd, Name: "--password-cmd"}.Resolve(e.Ctx)
		if err != nil {
			return nil, err
		}
		// As davcli's: pass(1) and its kind print other fields after the password.
		p, _, _ = strings.Cut(p, "\n")
		password = strings.TrimSuffix(p, "\r")
	}
	hc, err := dav.NewHTTPClient(dav.HTTPOptions{TLSRoot: cmd.TLSRoot, TLSFingerprint: cmd.TLSFingerprint, AuthCert: cmd.AuthCert})
	if err != nil {
		return nil, fmt.Errorf("TLS options: %w", err)
	}
	return &dav.Client{HTTP: hc, User: cmd.Username, Password: password, UserAgent: "webcalfetch/" + e.Version}, nil
}
