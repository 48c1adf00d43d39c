// Package libsync holds everything a sync needs beyond one vdir (see
// docs/architecture.md): scfg and config read pimsync.conf; storage defines the Storage
// interface its adapters (memstore, vdirstore) implement; status is the per-pair status
// database; plan decides, purely, what a sync does; syncer carries a pair's sync out;
// pair builds a ready syncer.Pair from the configuration. cli is the command-line
// plumbing the tools share, and testserver runs tests against real servers. The
// CalDAV/CardDAV item layer and discovery arrive with their issue.
package libsync
