package main

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/pimsync-go/libsync/cli"
	"github.com/pimsync-go/libsync/dav"
	"github.com/pimsync-go/libsync/storage"
)

// errNoURL: a command that can default to the base URL has none.
var errNoURL = errors.New("no URL: give one, or a base with --url, $DAVCLI_URL or --storage")

// forEach reads the targets arg names for role r (conn.targets) and runs fn on each
// (each), with one Printer of the table columns header, flushed at the end.
func (cn *conn) forEach(e *cli.Env, arg string, r role, header []string, fn func(p *cli.Printer, t target) error) error {
	targets, err := cn.targets(e, arg, r)
	if err != nil {
		return err
	}
	p := cli.NewPrinter(e, header...)
	err = each(e, targets, func(t target) error { return fn(p, t) })
	if ferr := p.Flush(); err == nil {
		err = ferr
	}
	return err
}

// each runs fn on every target, and reports each failure on standard error as it
// happens, so that one item's failure does not stop the others: the command then
// exits with status 1. A usage error stops everything (exit status 2).
func each(e *cli.Env, targets []target, fn func(t target) error) error {
	failed := 0
	for _, t := range targets {
		err := fn(t)
		if err == nil {
			continue
		}
		if errors.As(err, new(*cli.UsageError)) || e.Ctx.Err() != nil {
			return err
		}
		fmt.Fprintf(e.Stderr, "%s: %v\n", e.Name, err)
		failed++
	}
	if failed > 0 {
		return cli.ErrReported
	}
	return nil
}

// conflictError is a write refused because the resource is not as the command said
// (412 Precondition Failed): the message tells what to do, and the DAV error stays
// reachable for errors.Is.
type conflictError struct {
	msg string
	err error
}

func (e *conflictError) Error() string { return e.msg }
func (e *conflictError) Unwrap() error { return e.err }

// explain turns a failed write into a message that names the URL and the etag: a 412
// says whose version was not there, a weak etag says why no conditional write can be
// made. Other errors come back with op in front.
func explain(op, u, etag string, err error) error {
	var se *dav.StatusError
	switch {
	case errors.Is(err, storage.ErrPrecondition) && etag == "":
		return &conflictError{fmt.Sprintf("%s %s: an item exists there already (412 Precondition Failed); to replace it, give --if-match with its etag", op, u), err}
	case errors.Is(err, storage.ErrPrecondition):
		return &conflictError{fmt.Sprintf("%s %s: the item is no longer at etag %s: it changed or was deleted meanwhile (412 Precondition Failed); read it again", op, u, etag), err}
	case errors.Is(err, storage.ErrWeakEtag) && op == "rm":
		return &conflictError{fmt.Sprintf("%s %s: etag %s is weak, and a conditional delete needs a strong one; use --force to delete unconditionally", op, u, etag), err}
	case errors.Is(err, storage.ErrWeakEtag):
		// put and repair have no unconditional form: a write could lose a change.
		return &conflictError{fmt.Sprintf("%s %s: etag %s is weak, and a conditional write needs a strong one, which this server does not give for the item; pimsync sync can update it (it reads the item again and compares just before writing)", op, u, etag), err}
	case errors.As(err, &se) && se.Code == http.StatusConflict:
		return fmt.Errorf("%s: refused (409 Conflict: another item of the collection may have the same UID): %w", op, err)
	}
	return fmt.Errorf("%s: %w", op, err) // DAV errors name the method and the URL
}
