package manifest_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"slices"
	"testing"

	"github.com/custody-toolkit/custody/manifest"
)

// FuzzManifestParseV2: for v2 manifests Parse never panics, an accepted
// manifest is its own canonical encoding, and its positions cover the
// conversation exactly once, so Leaves and WithheldRanges agree with it.
func FuzzManifestParseV2(f *testing.F) {
	f.Add([]byte(readVectorManifest(f)))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := manifest.Parse(data)
		if err != nil || m.Format != manifest.FormatV2 {
			return
		}
		again, err := m.Marshal()
		if err != nil || !bytes.Equal(again, data) {
			t.Fatalf("accepted bytes are not the canonical encoding of the decoded manifest: %v", err)
		}
		leaves, err := m.Leaves()
		if err != nil || len(leaves) != m.Tree.Size {
			t.Fatalf("a parsed v2 manifest gives no leaves: %v", err)
		}
		eachLeafAgrees(t, m, leaves)
		withheld := 0
		for _, r := range m.WithheldRanges() {
			withheld += r.Count()
		}
		if withheld != len(m.Withheld) || withheld+len(m.Messages) != m.Tree.Size {
			t.Fatalf("%d withheld in ranges, %d listed, %d disclosed, size %d", withheld, len(m.Withheld), len(m.Messages), m.Tree.Size)
		}
	})
}

// eachLeafAgrees: EachLeaf gives Leaves' leaves, in order.
func eachLeafAgrees(t *testing.T, m *manifest.Manifest, leaves [][32]byte) {
	t.Helper()
	var each [][32]byte
	if err := m.EachLeaf(func(leaf [32]byte) { each = append(each, leaf) }); err != nil || !slices.Equal(each, leaves) {
		t.Fatalf("EachLeaf: %v, %d leaves; Leaves: %d", err, len(each), len(leaves))
	}
}

// TestEachLeafMerges: EachLeaf merges the withheld leaves with the
// disclosed messages' by position, before, between and after them.
func TestEachLeafMerges(t *testing.T) {
	digest := func(i int) string { return fmt.Sprintf("%064x", i) }
	m := &manifest.Manifest{Format: manifest.FormatV2, Tree: &manifest.Tree{Size: 7}}
	for _, p := range []int{1, 2, 4} {
		m.Messages = append(m.Messages, manifest.Message{ID: fmt.Sprint(p), Position: &p, Salt: digest(100 + p), SHA256: digest(p)})
	}
	for _, p := range []int{0, 3, 5, 6} {
		m.Withheld = append(m.Withheld, manifest.Withheld{Position: p, Leaf: digest(200 + p)})
	}
	leaves, err := m.Leaves()
	if err != nil {
		t.Fatal(err)
	}
	eachLeafAgrees(t, m, leaves)
}

// FuzzConsistency: for any tree sizes, the proof built from the leaves
// verifies, and a proof or root off by one bit does not.
func FuzzConsistency(f *testing.F) {
	f.Add(uint16(20), uint16(30), uint8(0), []byte("seed"))
	f.Add(uint16(1), uint16(1), uint8(0), []byte{})
	f.Add(uint16(8), uint16(9), uint8(2), []byte{1, 2, 3})
	f.Fuzz(func(t *testing.T, oldSize, newSize uint16, flip uint8, seed []byte) {
		n := int(newSize%300) + 1
		m := int(oldSize)%n + 1
		leaves := make([][32]byte, n)
		for i := range leaves {
			var idx [8]byte
			binary.BigEndian.PutUint64(idx[:], uint64(i))
			leaves[i] = sha256.Sum256(append(idx[:], seed...))
		}
		proof, err := manifest.ConsistencyProof(leaves, m)
		if err != nil {
			t.Fatal(err)
		}
		oldRoot, newRoot := manifest.TreeRoot(leaves[:m]), manifest.TreeRoot(leaves)
		if err := manifest.VerifyConsistency(m, n, oldRoot, newRoot, proof); err != nil {
			t.Fatalf("%d→%d: %v", m, n, err)
		}
		if len(proof) > 0 {
			proof[int(flip)%len(proof)][flip%32] ^= 1 << (flip % 8)
			if manifest.VerifyConsistency(m, n, oldRoot, newRoot, proof) == nil {
				t.Fatalf("%d→%d: a flipped proof verifies", m, n)
			}
		}
		oldRoot[flip%32] ^= 1
		if manifest.VerifyConsistency(m, n, oldRoot, newRoot, proof) == nil {
			t.Fatalf("%d→%d: a wrong older root verifies", m, n)
		}
	})
}
