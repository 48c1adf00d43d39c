// Package vdir reads and writes vdirs, the directory format for calendars and address
// books that khal, khard, todoman and vdirsyncer share (vdir specification 1.1.0).
//
// # Layout
//
// A storage root is a directory whose sub-directories are collections (calendars or
// address books); sub-directories whose names start with a dot are ignored. A collection
// holds one file per item, every item file ending in the storage's extension (usually
// "ics" or "vcf"). Files ending in ".tmp" are never items: writers use them for atomic
// writes. Files without an extension are metadata: "displayname", "color", "description"
// and "order".
//
// # Etags
//
// An item's etag is made of its modification time in nanoseconds, its inode number and
// its size, so that every rewrite, including one by another program, changes it.
//
// # Writes
//
// Every write goes to a temporary file in the same directory that is synced to disk and
// then linked (create) or renamed (update) into place, after which the directory is
// synced. A crash at any moment leaves either the old or the new item, plus at worst a
// ".tmp" file; never a partial item. Create fails when the name is taken; Update and
// Delete fail when the item's etag is no longer the one the caller saw.
//
// # Symlinks
//
// An item or metadata file that is a symbolic link is followed only when it leads to a
// file inside the storage root (or inside its own collection). Anything else is neither
// read nor written, and listings report it, so that a planted link cannot make a sync
// upload a file from elsewhere on the machine.
//
// # Concurrency
//
// Storage and Collection values hold only paths and are safe for concurrent use. Other
// programs may write the same directories at any time; etags detect that.
package vdir
