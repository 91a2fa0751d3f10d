package manifest

import (
	"encoding/hex"
	"encoding/json/jsontext"
	jsonv2 "encoding/json/v2"
)

// Withheld leaves held compactly.
//
// A v2 manifest lists a leaf for every withheld message: about 110 bytes
// each decoded (a Withheld, its leaf in hex), and up to about 700,000 of
// them fit the manifest's 64 MiB, since each takes about 90 bytes of JSON:
// the largest thing a verifier of a legal, if hostile, bundle would hold
// once the messages are not held (messages.go). A manifest from
// ParseStreamed keeps each as its leaf's 32 bytes and its position, and
// the few revealed times apart. The value is the same: Withheld is then
// nil, and WithheldCount, withheldAt and withheldLeaf read the compact
// form; the canonical comparison encodes it back (withheldInOrder; a leaf that is not
// lowercase hex, which Check refuses, takes parseWhole's path, so that
// nothing is lost).

// compactWithheld is the withheld list of a manifest from ParseStreamed.
type compactWithheld struct {
	leaves []withheldLeaf
	times  map[int]string // by index: the revealed times, which few have
}

type withheldLeaf struct {
	leaf     [32]byte
	position int
}

// WithheldCount is the number of withheld messages the manifest lists.
func (m *Manifest) WithheldCount() int {
	if m.withheld != nil {
		return len(m.withheld.leaves)
	}
	return len(m.Withheld)
}

// withheldPresent reports whether the manifest has the member withheld.
func (m *Manifest) withheldPresent() bool { return m.Withheld != nil || m.withheld != nil }

// withheldAt is the i-th withheld message as decoded.
func (m *Manifest) withheldAt(i int) Withheld {
	if m.withheld == nil {
		return m.Withheld[i]
	}
	l := m.withheld.leaves[i]
	return Withheld{Leaf: hex.EncodeToString(l.leaf[:]), Position: l.position, Time: m.withheld.times[i]}
}

// withheldPosition is the position of the i-th withheld message.
func (m *Manifest) withheldPosition(i int) int {
	if m.withheld == nil {
		return m.Withheld[i].Position
	}
	return m.withheld.leaves[i].position
}

// withheldLeaf is the leaf of the i-th withheld message; false when it
// is not 64 lowercase hex digits.
func (m *Manifest) withheldLeaf(i int) ([32]byte, bool) {
	if m.withheld == nil {
		return ParseDigest(m.Withheld[i].Leaf)
	}
	return m.withheld.leaves[i].leaf, true
}

// compactingWithheld decodes the withheld list of m into m.withheld,
// with room for n. Anything Check would refuse in a form the compact
// list cannot hold (not an array, an empty one, which is not canonical,
// a leaf not in lowercase hex) takes parseWhole's path.
func compactingWithheld(m *Manifest, n arrayLength) *jsonv2.Unmarshalers {
	return jsonv2.UnmarshalFromFunc(func(dec *jsontext.Decoder, _ *[]Withheld) error {
		c := &compactWithheld{leaves: make([]withheldLeaf, 0, min(int(n), MaxEntries))}
		err := decodeElements(dec, func(w *Withheld) error {
			leaf, ok := ParseDigest(w.Leaf)
			if !ok {
				return errDiffers
			}
			if w.Time != "" {
				if c.times == nil {
					c.times = map[int]string{}
				}
				c.times[len(c.leaves)] = w.Time
			}
			c.leaves = append(c.leaves, withheldLeaf{leaf: leaf, position: w.Position})
			return nil
		})
		if err == nil && len(c.leaves) == 0 {
			err = errDiffers
		}
		if err == nil {
			m.withheld = c
		}
		return err
	})
}

// withheldInOrder yields the withheld list as decoded.
func (m *Manifest) withheldInOrder(yield func(*Withheld) error) error {
	for i := range m.WithheldCount() {
		w := m.withheldAt(i)
		if err := yield(&w); err != nil {
			return err
		}
	}
	return nil
}
