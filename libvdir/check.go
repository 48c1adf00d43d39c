package vdir

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/pimsync-go/libvdir/item"
)

// Problem codes, shared by Check and List and printed by vdirtool check.
const (
	ProblemNoUID          = "no-uid"          // an item (or one of its components) has no UID
	ProblemDuplicateUID   = "duplicate-uid"   // several items of a collection share a UID
	ProblemMultipleUIDs   = "multiple-uids"   // one file holds components with different UIDs
	ProblemParseError     = "parse-error"     // not a well-formed iCalendar or vCard object
	ProblemTempFile       = "temp-file"       // a .tmp file, left over from an interrupted write
	ProblemUnsafeFilename = "unsafe-filename" // a name that is awkward in shells and URLs
	ProblemSymlinkOutside = "symlink-outside" // a symbolic link leading out of the storage
	ProblemBadMetadata    = "bad-metadata"    // a metadata file with an invalid value
	ProblemNotAFile       = "not-a-file"      // an item name taken by a directory, pipe or device
	ProblemUnreadable     = "unreadable"      // an item that cannot be read (permissions, size)
)

// Problem is one thing wrong in a vdir.
type Problem struct {
	Path   string // the file concerned
	Code   string // one of the Problem… codes
	Detail string // a sentence for people
}

// Check examines every file of the collection and returns the problems found, sorted
// by path. It reads every item; it changes nothing.
func (c *Collection) Check(ctx context.Context) ([]Problem, error) {
	var problems []Problem
	add := func(path, code, format string, args ...any) {
		problems = append(problems, Problem{Path: path, Code: code, Detail: fmt.Sprintf(format, args...)})
	}
	entries, err := os.ReadDir(c.path)
	if err != nil {
		return nil, fmt.Errorf("vdir: check %s: %w", c.path, err)
	}
	byUID := map[string][]string{}
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		name := e.Name()
		path := filepath.Join(c.path, name)
		switch {
		case strings.HasSuffix(name, ".tmp"):
			detail := "left over from an interrupted write; remove it once no program is writing here"
			if fi, err := e.Info(); err == nil {
				detail = fmt.Sprintf("%d bytes, modified %s: %s", fi.Size(), fi.ModTime().UTC().Format(time.RFC3339), detail)
			}
			add(path, ProblemTempFile, "%s", detail)
		case isMetaName(name):
			v, err := c.readMeta(MetaKey(name))
			switch {
			case errors.Is(err, ErrSymlinkOutside):
				add(path, ProblemSymlinkOutside, "%v", errors.Unwrap(err))
			case err != nil:
				add(path, ProblemBadMetadata, "%v", err)
			case v != "":
				if err := ValidateMeta(MetaKey(name), v); err != nil {
					add(path, ProblemBadMetadata, "%v; readers ignore it", err)
				}
			}
		case c.isItemName(name):
			if reason := NameProblem(name, c.ext); reason != "" {
				add(path, ProblemUnsafeFilename, "%s", reason)
			}
			target, _, err := resolve(path, c.allowed)
			if p, ok := unsafeEntry(path, e, err); ok {
				problems = append(problems, p)
				continue
			}
			if errors.Is(err, ErrNotFound) {
				continue // removed since ReadDir
			}
			var data []byte
			if err == nil {
				data, _, err = readFile(target, MaxItemSize)
			}
			if err != nil {
				add(path, ProblemUnreadable, "%v", err)
				continue
			}
			info, err := item.Inspect(data)
			switch {
			case err != nil:
				add(path, ProblemParseError, "%v", err)
			case info.UID == "":
				add(path, ProblemNoUID, "no %s has a UID property", info.Kind)
			case info.MissingUID > 0:
				add(path, ProblemNoUID, "%d of %d components have no UID property", info.MissingUID, info.Components)
			}
			if len(info.UIDs) > 1 {
				add(path, ProblemMultipleUIDs, "components with different UIDs %s: a file must hold one item", quoteAll(info.UIDs))
			}
			for _, uid := range info.UIDs {
				byUID[uid] = append(byUID[uid], path)
			}
		}
	}
	for uid, paths := range byUID {
		if len(paths) < 2 {
			continue
		}
		for _, p := range paths {
			var others []string
			for _, o := range paths {
				if o != p {
					others = append(others, filepath.Base(o))
				}
			}
			sort.Strings(others)
			add(p, ProblemDuplicateUID, "UID %q is also used by %s", uid, strings.Join(others, ", "))
		}
	}
	sort.SliceStable(problems, func(i, j int) bool {
		if problems[i].Path != problems[j].Path {
			return problems[i].Path < problems[j].Path
		}
		return problems[i].Code < problems[j].Code
	})
	return problems, nil
}

// Check examines every collection of the storage.
func (s *Storage) Check(ctx context.Context) ([]Problem, error) {
	cols, err := s.Collections(ctx)
	if err != nil {
		return nil, err
	}
	var problems []Problem
	for _, c := range cols {
		p, err := c.Check(ctx)
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if err != nil {
			// One unreadable collection must not hide the others' problems.
			p = []Problem{{Path: c.path, Code: ProblemUnreadable, Detail: err.Error()}}
		}
		problems = append(problems, p...)
	}
	return problems, nil
}

func quoteAll(list []string) string {
	q := make([]string, len(list))
	for i, s := range list {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}
