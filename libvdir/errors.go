package vdir

import "errors"

// Errors that callers branch on. They are wrapped with the operation and the path, so
// test them with errors.Is.
var (
	// ErrNotFound means the item, collection or storage does not exist.
	ErrNotFound = errors.New("not found")
	// ErrExists means Create found the name already taken.
	ErrExists = errors.New("already exists")
	// ErrEtagMismatch means the item changed since the caller read its etag.
	ErrEtagMismatch = errors.New("etag does not match: the item changed meanwhile")
	// ErrSymlinkOutside means a file is a symbolic link that leads out of the storage.
	ErrSymlinkOutside = errors.New("symbolic link leads outside the storage")
	// ErrNotRegular means a name is taken by something other than a regular file, such
	// as a directory, a named pipe or a device.
	ErrNotRegular = errors.New("not a regular file")
	// ErrInvalidName means a name cannot be used for an item or a collection.
	ErrInvalidName = errors.New("invalid name")
	// ErrTooLarge means an item is larger than its storage's ItemLimit (MaxItemSize).
	ErrTooLarge = errors.New("item too large")
	// ErrNotEmpty means a collection still holds files and is not deleted.
	ErrNotEmpty = errors.New("collection is not empty")
)
