// Package libsync holds everything a sync needs beyond one vdir: the Storage interface
// and its adapters, the CalDAV/CardDAV item layer, discovery, the pimsync.conf model, the
// status database, the planner and the executor (see docs/architecture.md). The packages
// arrive with the issues that need them; so far there are cli, the command-line plumbing
// the tools share, and testserver, for tests against real servers.
package libsync
