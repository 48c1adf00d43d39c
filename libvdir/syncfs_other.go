//go:build !linux

package vdir

// Without syncfs (Linux only), each file is fsynced by its writer and directories
// are fsynced on their own; the groups still share the directory fsyncs.
var (
	dataSyncs = newGroups(fsyncEach)
	dirSyncs  = newGroups(fsyncDir)
)

// flushKey is dir: fsyncs serve one directory.
func flushKey(dir string) string { return dir }
