package verify

import (
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/custody-toolkit/custody/internal/verdict"
	"github.com/custody-toolkit/custody/manifest"
)

// Disclosure says which messages of the conversation a format v2 bundle
// discloses and where it withheld the others (Report.Disclosure).
type Disclosure struct {
	Disclosed int `json:"disclosed"`
	Total     int `json:"total"`
	// Withheld lists runs of consecutive withheld positions, 0-based as in
	// the manifest, From to To inclusive.
	Withheld []WithheldRange `json:"withheld"`
	Root     string          `json:"tree_root"` // the recomputed Merkle tree root, hex
}

// WithheldRange is a run of withheld messages.
type WithheldRange struct {
	From  int `json:"from"`
	To    int `json:"to"`
	Count int `json:"count"`
}

// String reads "5 of 7 messages disclosed; withheld (positions counted
// from 1): 2–3 (2), 7 (1)": positions for people count from 1.
func (d *Disclosure) String() string {
	s := fmt.Sprintf("%d of %d messages disclosed", d.Disclosed, d.Total)
	if len(d.Withheld) == 0 {
		return s + "; none withheld"
	}
	var runs []string
	for _, r := range d.Withheld {
		if r.From == r.To {
			runs = append(runs, fmt.Sprintf("%d (1)", r.From+1))
		} else {
			runs = append(runs, fmt.Sprintf("%d–%d (%d)", r.From+1, r.To+1, r.Count))
		}
	}
	return s + "; withheld (positions counted from 1): " + strings.Join(runs, ", ")
}

// DisclosureOf describes what a v2 manifest discloses, as sealed (nil for
// v1): the verifier reports it once the tree root is proven.
func DisclosureOf(m *manifest.Manifest) *Disclosure {
	return DisclosureOfRanges(m.Tree, m.MessageCount(), m.WithheldRanges())
}

// DisclosureOfRanges is DisclosureOf from the tree, the number of
// disclosed messages and the withheld runs, for an exporter that does not
// hold the manifest's lists (custody.Result).
func DisclosureOfRanges(tree *manifest.Tree, disclosed int, withheld []manifest.Range) *Disclosure {
	if tree == nil {
		return nil
	}
	d := &Disclosure{Disclosed: disclosed, Total: tree.Size, Withheld: []WithheldRange{}, Root: tree.Root}
	for _, r := range withheld {
		d.Withheld = append(d.Withheld, WithheldRange{From: r.From, To: r.To, Count: r.Count()})
	}
	return d
}

// checkDisclosure proves every disclosed message against the sealed tree
// root: the root recomputed from the disclosed entries (salt and digest)
// and the withheld leaves, each at its position, must be the sealed one.
// A disclosed message edited, added, removed or moved, or a withheld leaf
// changed, gives another root. Version 1 bundles have no tree.
func (v *bundleVerifier) checkDisclosure(m *manifest.Manifest) {
	if !m.HasTree() {
		return
	}
	// The leaves are not held (32 bytes a message), but for Consistent,
	// which compares two bundles' leaves once both are verified.
	var tree manifest.TreeBuilder
	var kept [][32]byte
	if v.opts.keepLeaves {
		kept = make([][32]byte, 0, m.Tree.Size)
	}
	err := m.EachLeaf(func(leaf [32]byte) {
		tree.Append(leaf)
		if kept != nil {
			kept = append(kept, leaf)
		}
	})
	if err != nil {
		v.failWalk(verdict.CheckID{ID: "disclosure"}, err)
		return
	}
	v.rep.leaves = kept
	root := tree.Root()
	got := hex.EncodeToString(root[:])
	if got != m.Tree.Root {
		v.fail("disclosure", "the %d disclosed messages and %d withheld leaves give tree root %s, but the manifest seals %s: a disclosed message was edited, added, removed or moved, or a withheld leaf was changed",
			m.MessageCount(), m.WithheldCount(), got, m.Tree.Root)
		return
	}
	for i, c := range m.Consistency {
		oldRoot, proof := c.DecodeProof()
		if err := manifest.VerifyConsistency(c.Size, m.Tree.Size, oldRoot, root, proof); err != nil {
			v.fail("disclosure", "consistency[%d]: the proof that this tree extends the earlier one of %d messages (root %s) does not verify: %v", i, c.Size, c.Root, err)
			return
		}
	}
	d := DisclosureOf(m)
	v.rep.Disclosure = d
	detail := d.String() + "; every disclosed message is proven against the sealed Merkle tree root " + got
	if n := len(m.Consistency); n > 0 {
		detail += fmt.Sprintf("; carries a verified consistency proof to an earlier export of %d messages", m.Consistency[n-1].Size)
	}
	v.pass("disclosure", "%s", detail)
}
