package manifest

import (
	"iter"
	"math"
	"strings"
)

// nameTable is a bundle's entry names, held compactly: every name in one
// string, and where each ends. A bundle has up to MaxEntries entries, and
// a string each took its 16-byte header and an allocation of its own
// (about 45 bytes for "messages/000001.json"); here a name takes its
// bytes and 4 (docs/performance.md). It is the same for the file list of
// a manifest from ParseStreamed (files.go).
type nameTable struct {
	// all holds every name, one after the other: a Builder's String is
	// not a copy, and the names already taken from it stay valid as it
	// grows. A pointer, since a Builder must not be copied.
	all  *strings.Builder
	ends []uint32 // ends[i] is where the i-th name ends in all
}

// maxNameBytes is the most the names of a bundle may take together, so
// that ends fits 32 bits; the names of a canonical bundle (255 bytes at
// most, MaxEntries of them) take a hundredth of it.
const maxNameBytes = math.MaxUint32

// newNameTable is a table with room for n names of bytes in all.
func newNameTable(n int, bytes int64) nameTable {
	t := nameTable{all: new(strings.Builder), ends: make([]uint32, 0, n)}
	t.all.Grow(int(max(0, min(bytes, maxNameBytes))))
	return t
}

// add adds a name; fits tells beforehand whether it still fits.
func (t *nameTable) add(name string) {
	t.builder().WriteString(name)
	t.ends = append(t.ends, uint32(t.all.Len()))
}

// addBytes adds the name p holds, and returns it.
func (t *nameTable) addBytes(p []byte) string {
	t.builder().Write(p)
	t.ends = append(t.ends, uint32(t.all.Len()))
	return t.at(t.len() - 1)
}

func (t *nameTable) builder() *strings.Builder {
	if t.all == nil {
		t.all = new(strings.Builder)
	}
	return t.all
}

// fits reports whether a name of n bytes can still be added.
func (t *nameTable) fits(n int) bool {
	return t.all == nil || int64(t.all.Len())+int64(n) <= maxNameBytes
}

func (t *nameTable) len() int { return len(t.ends) }

// at is the i-th name, without a copy.
func (t *nameTable) at(i int) string {
	start := uint32(0)
	if i > 0 {
		start = t.ends[i-1]
	}
	return t.all.String()[start:t.ends[i]]
}

// values yields the names in order.
func (t *nameTable) values() iter.Seq[string] {
	return func(yield func(string) bool) {
		for i := range t.len() {
			if !yield(t.at(i)) {
				return
			}
		}
	}
}

// trim lets go of the room the string grew into beyond the names (up to
// as much again), once they are all added.
func (t *nameTable) trim() {
	if t.all == nil || t.all.Cap() <= t.all.Len()+t.all.Len()/8 {
		return
	}
	exact := new(strings.Builder)
	exact.Grow(t.all.Len())
	exact.WriteString(t.all.String())
	t.all = exact
}
