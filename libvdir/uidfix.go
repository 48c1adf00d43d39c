package vdir

import (
	"crypto/rand"
	"errors"
	"fmt"

	"github.com/pimsync-go/libvdir/item"
)

// ErrNotAnItem: UIDPlanner.Plan was given bytes with no VEVENT, VTODO, VJOURNAL or
// VCARD, which no UID can be given to.
var ErrNotAnItem = errors.New("not an item: no VEVENT, VTODO, VJOURNAL or VCARD")

// NewUID returns a random version 4 UUID, the kind of UID calendar and contact programs
// make themselves.
func NewUID() string {
	var b [16]byte
	rand.Read(b[:]) // never fails (crypto/rand since Go 1.24)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// UIDFix is a new UID for one item.
type UIDFix struct {
	Problem string // ProblemNoUID or ProblemDuplicateUID
	OldUID  string // "" for ProblemNoUID
	UID     string // the new UID
	// Kept is, for ProblemDuplicateUID, the name of the item that keeps OldUID.
	Kept string
	// Data is the item with the new UID: its bytes with only the UID lines changed
	// (item.SetUID).
	Data []byte
}

// UIDPlanner decides which items of a collection get a new UID: every item without a
// UID, and every item of a group that shares a UID but the first one given to Plan. It
// is the rule of vdirtool repair and of libsync/repair (davcli and pimsync repair).
//
// Give it the items in an order that is the same on every run (by file name, by href):
// then the first item keeps the shared UID on every run, so a dry run shows exactly
// what a run will do, and a run that failed halfway (an item edited meanwhile) keeps
// the same item the next time rather than renaming the one it kept before. Which copy
// is "right" cannot be told from the items themselves.
type UIDPlanner struct {
	// NewUID makes the new UIDs; nil means NewUID.
	NewUID func() string
	keeper map[string]string // UID → name of the first item with it
}

// Plan looks at the item called name. It returns its fix and true when it needs a new
// UID, and false when it keeps its UID. The error is ErrNotAnItem, or why item.SetUID
// could not give it the new UID; the item is then left alone.
func (p *UIDPlanner) Plan(name string, data []byte) (UIDFix, bool, error) {
	info, _ := item.Inspect(data)
	if info.Kind == "" {
		return UIDFix{}, false, ErrNotAnItem
	}
	if p.keeper == nil {
		p.keeper = map[string]string{}
	}
	f := UIDFix{OldUID: info.UID}
	switch kept, seen := p.keeper[info.UID]; {
	case info.UID == "":
		f.Problem = ProblemNoUID
	case seen:
		f.Problem, f.Kept = ProblemDuplicateUID, kept
	default:
		p.keeper[info.UID] = name
		return UIDFix{}, false, nil
	}
	newUID := p.NewUID
	if newUID == nil {
		newUID = NewUID
	}
	f.UID = newUID()
	data, err := item.SetUID(data, f.UID)
	if err != nil {
		return UIDFix{}, false, err
	}
	f.Data = data
	return f, true, nil
}
