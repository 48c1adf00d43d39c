package main

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
)

// readiness tells a service manager that the daemon is ready (or stopping): s6 and
// dinit read READY=1 from a descriptor the daemon then closes (-r FD, or READY_FD),
// systemd (Type=notify) a datagram on NOTIFY_SOCKET.
type readiness struct {
	fd     *os.File // nil once written, or when none was given
	socket string
}

// newReadiness checks the descriptor named by flag (-1: none) or by READY_FD. The
// standard descriptors are refused: writing READY=1 into the log or the output is
// never what was meant.
func newReadiness(flag int) (*readiness, error) {
	r := &readiness{socket: os.Getenv("NOTIFY_SOCKET")}
	fd, from := flag, "-r"
	if fd < 0 {
		v := os.Getenv("READY_FD")
		if v == "" {
			return r, nil
		}
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < 0 {
			return nil, fmt.Errorf("READY_FD=%q is not a file descriptor number", v)
		}
		fd, from = n, "READY_FD"
	}
	if fd <= 2 {
		return nil, fmt.Errorf("%s %d: descriptors 0, 1 and 2 are the standard input, output and error; give the one the service manager reads readiness from (3 or above)", from, fd)
	}
	if err := descriptorOpen(fd); err != nil {
		return nil, fmt.Errorf("%s %d: %w", from, fd, err)
	}
	r.fd = os.NewFile(uintptr(fd), "readiness")
	return r, nil
}

// ready says READY=1 once on the descriptor, which it closes, and on the socket (again
// after each reload).
func (r *readiness) ready() error {
	var errs []error
	if r.fd != nil {
		_, err := r.fd.WriteString("READY=1\n")
		errs = append(errs, err, r.fd.Close())
		r.fd = nil
	}
	errs = append(errs, r.notify("READY=1"))
	return errors.Join(errs...)
}

// notify sends a state to systemd, if it listens.
func (r *readiness) notify(state string) error {
	if r.socket == "" {
		return nil
	}
	name := r.socket
	if strings.HasPrefix(name, "@") {
		name = "\x00" + name[1:] // the abstract namespace
	}
	conn, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: name, Net: "unixgram"})
	if err != nil {
		return fmt.Errorf("NOTIFY_SOCKET %s: %w", r.socket, err)
	}
	defer conn.Close()
	if _, err := conn.Write([]byte(state)); err != nil {
		return fmt.Errorf("NOTIFY_SOCKET %s: %w", r.socket, err)
	}
	return nil
}
