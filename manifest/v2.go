package manifest

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// Format v2 (docs/bundle-format.md §9) seals a selection of a conversation
// together with a Merkle tree over ALL its messages: each disclosed message
// carries its position and the salt of its leaf, each withheld one appears
// only as its position and leaf hash. A reader recomputes the tree root from
// the disclosed entries and the withheld leaves, and so learns exactly where
// messages were left out, and nothing else about them.

// Tree is the head of the Merkle tree over every message of the
// conversation, one leaf per message in order (LeafHash).
type Tree struct {
	Algorithm string `json:"algorithm"` // TreeAlgorithm
	Root      string `json:"root"`      // hex
	Size      int    `json:"size"`      // = selection.total
}

// Withheld is a message of the conversation that the bundle does not
// disclose: its position (0-based) and leaf hash; its time only when the
// exporter chose to reveal it.
type Withheld struct {
	Leaf     string `json:"leaf"`
	Position int    `json:"position"`
	Time     string `json:"time,omitempty"`
}

// Consistency proves that the tree of this bundle extends the tree (size,
// root) sealed by an earlier export: an RFC 6962 consistency proof.
type Consistency struct {
	Proof []string `json:"proof"`
	Root  string   `json:"root"`
	Size  int      `json:"size"`
}

// Range is a run of consecutive positions, From to To inclusive (0-based).
type Range struct {
	From int `json:"from"`
	To   int `json:"to"`
}

// Count is the number of positions in r.
func (r Range) Count() int { return r.To - r.From + 1 }

// EntryIndex is the number NNNNNN-1 of the i-th message's entry name: its
// place in the bundle in v1, its place in the whole conversation in v2 (so
// that a message's entry, attachment names included, is the same in every
// export of the conversation and its leaf stays the same).
func (m *Manifest) EntryIndex(i int) int { return m.EntryIndexOf(i, &m.Messages[i]) }

// EntryIndexOf is EntryIndex for msg, the i-th message (as EachMessage
// gives it).
func (m *Manifest) EntryIndexOf(i int, msg *Message) int {
	if m.HasTree() && msg.Position != nil {
		return *msg.Position
	}
	return i
}

// checkVersionMembers refuses members of another version: a v1 manifest
// with a tree, or a v2 manifest without one, is not a valid document.
func (m *Manifest) checkVersionMembers() error {
	if m.HasTree() {
		return m.checkTree()
	}
	switch {
	case m.Tree != nil:
		return fmt.Errorf("field tree is not part of %s", m.Format)
	case m.withheldPresent():
		return fmt.Errorf("field withheld is not part of %s", m.Format)
	case m.Consistency != nil:
		return fmt.Errorf("field consistency is not part of %s", m.Format)
	}
	return m.EachMessage(func(i int, msg *Message) error {
		if msg.Position != nil || msg.Salt != "" {
			return fmt.Errorf("messages[%d] %q: position and salt are not part of %s", i, msg.ID, m.Format)
		}
		return nil
	})
}

// checkTree checks the v2 members: every position of the conversation
// exactly once, disclosed or withheld, in order.
func (m *Manifest) checkTree() error {
	t := m.Tree
	switch {
	case t == nil:
		return errors.New("field tree is missing")
	case t.Algorithm != TreeAlgorithm:
		return fmt.Errorf("field tree.algorithm: %q, want %q", t.Algorithm, TreeAlgorithm)
	case t.Size != m.Selection.Total:
		return fmt.Errorf("field tree.size %d differs from selection.total %d", t.Size, m.Selection.Total)
	case !isHex(t.Root, 64):
		return fmt.Errorf("field tree.root: %q is not a SHA-256 in lowercase hex", t.Root)
	case m.MessageCount()+m.WithheldCount() != t.Size:
		return fmt.Errorf("field tree.size %d, but %d messages are disclosed and %d withheld", t.Size, m.MessageCount(), m.WithheldCount())
	}
	// Both lists ascend; merged, they must count 0, 1, …, size-1.
	next, w := 0, 0
	err := m.EachMessage(func(i int, msg *Message) error {
		if msg.Position == nil || !isHex(msg.Salt, 64) {
			return fmt.Errorf("messages[%d] %q: a position and a salt (64 hex digits) are required", i, msg.ID)
		}
		for w < m.WithheldCount() && m.withheldPosition(w) == next {
			w, next = w+1, next+1
		}
		if *msg.Position != next {
			return fmt.Errorf("messages[%d] %q: position %d, expected %d (positions must cover the conversation once each, in order)", i, msg.ID, *msg.Position, next)
		}
		if want := MessageEntryName(next); msg.Entry != want {
			return fmt.Errorf("messages[%d] %q: entry %s, expected %s for position %d", i, msg.ID, msg.Entry, want, next)
		}
		next++
		return nil
	})
	if err != nil {
		return err
	}
	for ; w < m.WithheldCount(); w, next = w+1, next+1 {
		if m.withheldPosition(w) != next {
			return fmt.Errorf("withheld[%d]: position %d, expected %d (positions must cover the conversation once each, in order)", w, m.withheldPosition(w), next)
		}
	}
	for i := range m.WithheldCount() {
		wh := m.withheldAt(i)
		if !isHex(wh.Leaf, 64) {
			return fmt.Errorf("withheld[%d] (position %d): leaf %q is not 64 lowercase hex digits", i, wh.Position, wh.Leaf)
		}
		if _, err := time.Parse(time.RFC3339Nano, wh.Time); wh.Time != "" && err != nil {
			return fmt.Errorf("withheld[%d] (position %d): time %q is not RFC 3339", i, wh.Position, wh.Time)
		}
	}
	return m.checkConsistencyMembers()
}

func (m *Manifest) checkConsistencyMembers() error {
	for i, c := range m.Consistency {
		if c.Size < 1 || c.Size > m.Tree.Size || (i > 0 && c.Size <= m.Consistency[i-1].Size) {
			return fmt.Errorf("consistency[%d]: size %d must be 1…%d, ascending", i, c.Size, m.Tree.Size)
		}
		if !isHex(c.Root, 64) {
			return fmt.Errorf("consistency[%d]: root %q is not 64 lowercase hex digits", i, c.Root)
		}
		for j, p := range c.Proof {
			if !isHex(p, 64) {
				return fmt.Errorf("consistency[%d].proof[%d]: %q is not 64 lowercase hex digits", i, j, p)
			}
		}
	}
	return nil
}

// Leaves returns the leaf hash of every message of the conversation, by
// position: computed from salt and entry digest for a disclosed message,
// as listed for a withheld one. m must be a checked v2 manifest (Parse).
func (m *Manifest) Leaves() ([][32]byte, error) {
	if !m.HasTree() || m.Tree == nil {
		return nil, fmt.Errorf("a %s bundle commits to no Merkle tree", m.Format)
	}
	leaves := make([][32]byte, m.Tree.Size)
	err := m.EachMessage(func(_ int, msg *Message) error {
		leaf, ok := messageLeaf(msg)
		if !ok || *msg.Position >= len(leaves) {
			return noMessageLeaf(msg)
		}
		leaves[*msg.Position] = leaf
		return nil
	})
	if err != nil {
		return nil, err
	}
	for i := range m.WithheldCount() {
		leaf, ok := m.withheldLeaf(i)
		p := m.withheldPosition(i)
		if !ok || p >= len(leaves) {
			return nil, noWithheldLeaf(p)
		}
		leaves[p] = leaf
	}
	return leaves, nil
}

// EachLeaf calls yield with the leaves Leaves returns, in order, without
// holding them: the withheld leaves merged, as they come, with the
// messages read one at a time. m must be a checked v2 manifest (Parse),
// whose positions cover the conversation once each, in order.
func (m *Manifest) EachLeaf(yield func(leaf [32]byte)) error {
	if !m.HasTree() || m.Tree == nil {
		return fmt.Errorf("a %s bundle commits to no Merkle tree", m.Format)
	}
	w := 0
	withheldBefore := func(position int) error {
		for ; w < m.WithheldCount() && m.withheldPosition(w) < position; w++ {
			leaf, ok := m.withheldLeaf(w)
			if !ok {
				return noWithheldLeaf(m.withheldPosition(w))
			}
			yield(leaf)
		}
		return nil
	}
	err := m.EachMessage(func(_ int, msg *Message) error {
		leaf, ok := messageLeaf(msg)
		if !ok {
			return noMessageLeaf(msg)
		}
		if err := withheldBefore(*msg.Position); err != nil {
			return err
		}
		yield(leaf)
		return nil
	})
	if err != nil {
		return err
	}
	return withheldBefore(math.MaxInt)
}

// messageLeaf is the leaf of a disclosed message; false when it has no
// position, or no valid salt or digest.
func messageLeaf(msg *Message) ([32]byte, bool) {
	salt, ok1 := ParseDigest(msg.Salt)
	digest, ok2 := ParseDigest(msg.SHA256)
	if msg.Position == nil || !ok1 || !ok2 {
		return [32]byte{}, false
	}
	return LeafHash(salt, digest), true
}

func noMessageLeaf(msg *Message) error {
	return fmt.Errorf("message %q: no valid position, salt or digest", msg.ID)
}

func noWithheldLeaf(position int) error {
	return fmt.Errorf("withheld position %d: no valid leaf", position)
}

// WithheldRanges groups the withheld positions into runs of consecutive
// positions, in order.
func (m *Manifest) WithheldRanges() []Range {
	var out []Range
	for i := range m.WithheldCount() {
		out = AppendPosition(out, m.withheldPosition(i))
	}
	return out
}

// AppendPosition adds position p, greater than every position in ranges,
// to ranges: to the last run when it follows it, else as a new one.
func AppendPosition(ranges []Range, p int) []Range {
	if n := len(ranges); n > 0 && ranges[n-1].To == p-1 {
		ranges[n-1].To = p
		return ranges
	}
	return append(ranges, Range{From: p, To: p})
}

// DecodeProof returns the root and proof hashes of a checked Consistency.
func (c Consistency) DecodeProof() (root [32]byte, p [][32]byte) {
	root, _ = ParseDigest(c.Root)
	for _, s := range c.Proof {
		h, _ := ParseDigest(s)
		p = append(p, h)
	}
	return root, p
}
