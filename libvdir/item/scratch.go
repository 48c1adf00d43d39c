package item

import "sync"

// scratch is the memory that reading one item takes: its lines, the lines joined from
// several, and Hash's tree, properties, normalised lines and canonical form. A sync
// reads thousands of items one after another; handing the same memory from one to the
// next spares the garbage collector most of what reading them allocates. Nothing
// Hash or Inspect returns points into it.
type scratch struct {
	lines []Line
	arena []byte // lines joined from several (unfold)
	tree  []node
	stack []int
	props []prop
	norm  []byte // lines hash rewrote
	buf   []byte // a component's canonical form
}

var scratches = sync.Pool{New: func() any { return new(scratch) }}

// maxKept is the most memory a scratch keeps for the next item: one that read a
// vCard with a large photo gives its buffers back to the collector.
const maxKept = 256 << 10

func getScratch() *scratch { return scratches.Get().(*scratch) }

// unfold is Unfold into the scratch's memory.
func (sc *scratch) unfold(data []byte) []Line {
	sc.lines, sc.arena = unfold(data, sc.lines, sc.arena)
	return sc.lines
}

// put gives sc back for the next item, dropping what points into this one's bytes.
func (sc *scratch) put() {
	if cap(sc.arena)+cap(sc.norm)+cap(sc.buf) > maxKept || cap(sc.lines) > maxKept/32 {
		return
	}
	clear(sc.lines)
	clear(sc.tree)
	clear(sc.props)
	sc.lines, sc.arena, sc.tree, sc.stack = sc.lines[:0], sc.arena[:0], sc.tree[:0], sc.stack[:0]
	sc.props, sc.norm, sc.buf = sc.props[:0], sc.norm[:0], sc.buf[:0]
	scratches.Put(sc)
}
