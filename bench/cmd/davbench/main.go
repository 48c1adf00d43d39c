// Command davbench is scripts/bench's helper for the server phases: a reverse proxy that
// counts requests, and the raw client whose time is each phase's floor.
//
//	davbench proxy -listen 127.0.0.1:PORT -target http://127.0.0.1:SERVERPORT/ [-log FILE]
//	davbench floor [-user U -password P -j 8 -chunk 100 -nosync -state FILE] upload COLLECTION DIR
//	davbench floor [flags] noop HOMESET
//	davbench floor [flags] -state FILE edit HOMESET COLLECTION DIR NAME...
//	davbench floor [flags] -state FILE etags COLLECTION
//	davbench floor [flags] put COLLECTION DIR NAME...
//	davbench floor [flags] download COLLECTION DIR
//	davbench same DIR1 DIR2
//	davbench plot PAGE OUT.svg
//
// The proxy forwards everything to the target and answers GET /__count (the requests by
// method and the responses by status since the last reset; ?reset=1 resets them). The
// floor phases are described in package floor; COLLECTION and HOMESET are URLs, DIR a
// directory of .ics files, NAME a file in it; upload saves the etags the server gave in
// the -state file, for the If-Match of edit; etags saves there those of the items a
// collection holds, whoever made them, so that the floor can edit another client's
// items; put is an upload's PUTs of the NAMEd files alone, into a calendar that exists.
// same checks that two directories hold the same .ics files up to what a server may
// rewrite (package canon) and lists the ones that differ. plot draws the speedups of the
// table in PAGE (docs/benchmarks.md) as an SVG chart (package plot). Exit status: 0 done
// (or the same), 1 failed (or different), 2 usage.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/pimsync-go/bench/canon"
	"github.com/pimsync-go/bench/floor"
	"github.com/pimsync-go/bench/plot"
	"github.com/pimsync-go/bench/proxy"
)

const usage = `usage:
  davbench proxy -listen ADDR -target URL [-log FILE]
  davbench floor [-user U -password P -j N -chunk N -nosync -state FILE] PHASE ARGS...
    upload COLLECTION DIR | noop HOMESET | edit HOMESET COLLECTION DIR NAME... | download COLLECTION DIR | etags COLLECTION | put COLLECTION DIR NAME...
  davbench same DIR1 DIR2
  davbench plot PAGE OUT.svg`

// errUsage is a command line that does not fit usage.
var errUsage = errors.New(usage)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := errUsage
	if len(os.Args) > 1 {
		switch os.Args[1] {
		case "proxy":
			err = runProxy(ctx, os.Args[2:])
		case "floor":
			err = runFloor(ctx, os.Args[2:])
		case "same":
			err = runSame(os.Args[2:])
		case "plot":
			err = runPlot(os.Args[2:])
		}
	}
	switch {
	case errors.Is(err, errUsage):
		fmt.Fprintln(os.Stderr, usage)
		os.Exit(2)
	case err != nil:
		fmt.Fprintln(os.Stderr, "davbench:", err)
		os.Exit(1)
	}
}

// runProxy serves the counting proxy until ctx ends.
func runProxy(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("proxy", flag.ContinueOnError)
	listen := fs.String("listen", "127.0.0.1:0", "address to listen on")
	target := fs.String("target", "", "the server's URL")
	logFile := fs.String("log", "", "append a line per request to this file")
	if err := fs.Parse(args); err != nil || fs.NArg() != 0 || *target == "" {
		return errUsage
	}
	u, err := url.Parse(*target)
	if err != nil || u.Host == "" {
		return fmt.Errorf("-target %q: not an absolute URL", *target)
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "davbench: proxy on http://%s/ for %s\n", ln.Addr(), u)
	counter := proxy.New(u)
	if *logFile != "" {
		f, err := os.OpenFile(*logFile, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
		if err != nil {
			return err
		}
		defer f.Close()
		counter.Log = log.New(f, "", log.Ltime|log.Lmicroseconds)
	}
	srv := &http.Server{Handler: counter, ReadHeaderTimeout: time.Minute}
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(shut)
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// runFloor runs one floor phase and says what it did on stdout.
func runFloor(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("floor", flag.ContinueOnError)
	c := &floor.Client{}
	fs.StringVar(&c.User, "user", "", "user name for Basic authentication")
	fs.StringVar(&c.Password, "password", "", "password for Basic authentication")
	fs.IntVar(&c.Parallel, "j", 4, "requests (and file writes) in flight")
	fs.IntVar(&c.Chunk, "chunk", 100, "hrefs per multiget")
	fs.BoolVar(&c.NoSync, "nosync", false, "download without fsync")
	state := fs.String("state", "", "file for the etags: written by upload and etags, read by edit")
	if err := fs.Parse(args); err != nil || fs.NArg() < 2 {
		return errUsage
	}
	phase, u, rest := fs.Arg(0), fs.Arg(1), fs.Args()[2:]
	var n int
	var err error
	switch {
	case phase == "upload" && len(rest) == 1:
		var etags map[string]string
		etags, err = c.Upload(ctx, u, rest[0])
		n = len(etags)
		if err == nil && *state != "" {
			err = floor.WriteState(*state, etags)
		}
	case phase == "put" && len(rest) >= 2:
		var etags map[string]string
		etags, err = c.Put(ctx, u, rest[0], rest[1:])
		n = len(etags)
	case phase == "etags" && len(rest) == 0 && *state != "":
		var etags map[string]string
		if etags, err = c.Etags(ctx, u); err == nil {
			n, err = len(etags), floor.WriteState(*state, etags)
		}
	case phase == "noop" && len(rest) == 0:
		err = c.Noop(ctx, u)
	case phase == "edit" && len(rest) >= 2 && *state != "":
		var etags map[string]string
		if etags, err = floor.ReadState(*state); err == nil {
			n, err = len(rest)-2, c.Edit(ctx, u, rest[0], rest[1], rest[2:], etags)
		}
	case phase == "download" && len(rest) == 1:
		n, err = c.Download(ctx, u, rest[0])
	default:
		return errUsage
	}
	if err != nil {
		return err
	}
	fmt.Printf("%s: %d items\n", phase, n)
	return nil
}

// runSame compares the .ics files of two directories and lists the differences.
func runSame(args []string) error {
	if len(args) != 2 {
		return errUsage
	}
	diffs, err := canon.Dirs(args[0], args[1], ".ics")
	if err != nil {
		return err
	}
	for i, d := range diffs {
		if i == 20 {
			fmt.Printf("... and %d more\n", len(diffs)-i)
			break
		}
		fmt.Println(d)
	}
	if len(diffs) > 0 {
		return fmt.Errorf("%s and %s differ in %d items", args[0], args[1], len(diffs))
	}
	return nil
}

// runPlot draws the table of a benchmarks page as a chart.
func runPlot(args []string) error {
	if len(args) != 2 {
		return errUsage
	}
	f, err := os.Open(args[0])
	if err != nil {
		return err
	}
	defer f.Close()
	rows, err := plot.Parse(f)
	if err != nil {
		return fmt.Errorf("%s: %w", args[0], err)
	}
	var b strings.Builder
	if err := plot.SVG(&b, "pimsync against vdirsyncer: how many times faster, per phase (scripts/bench)", rows); err != nil {
		return err
	}
	return os.WriteFile(args[1], []byte(b.String()), 0o644)
}
