package status

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// DaemonPath is the file a daemon holds locked while it runs the pair: the status file
// itself is locked only during each sync, so that pimsync status can read it between
// syncs, and this one tells status that a daemon keeps the pair in sync.
func DaemonPath(dir, pair string) string {
	return filepath.Join(dir, pair+".daemon")
}

// ErrDaemonRunning: another daemon already runs the pair.
var ErrDaemonRunning = errors.New("a daemon already runs this pair")

// Daemon marks the pair as run by this process until release is called; it fails with
// an error wrapping ErrDaemonRunning when another daemon runs it. The file holds the
// process ID.
func Daemon(dir, pair string) (release func(), err error) {
	if err := checkPair(pair); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create status directory: %w", err)
	}
	path := DaemonPath(dir, pair)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	if err := lockFile(f, true); err != nil {
		f.Close()
		if errors.Is(err, errWouldBlock) {
			pid := readPID(path)
			return nil, fmt.Errorf("pair %s: %w (process %s)", pair, ErrDaemonRunning, pid)
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	f.Truncate(0)
	f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	return func() {
		f.Truncate(0)
		unlockFile(f)
		f.Close()
	}, nil
}

// DaemonRunning reports whether a daemon runs the pair now, and its process ID.
func DaemonRunning(dir, pair string) (pid string, running bool) {
	path := DaemonPath(dir, pair)
	f, err := os.Open(path)
	if err != nil {
		return "", false
	}
	defer f.Close()
	if err := lockFile(f, false); err == nil {
		unlockFile(f)
		return "", false
	}
	return readPID(path), true
}

func readPID(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "?"
	}
	if s := strings.TrimSpace(string(b)); s != "" {
		return s
	}
	return "?"
}
