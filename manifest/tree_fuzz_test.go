package manifest_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
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
		withheld := 0
		for _, r := range m.WithheldRanges() {
			withheld += r.Count()
		}
		if withheld != len(m.Withheld) || withheld+len(m.Messages) != m.Tree.Size {
			t.Fatalf("%d withheld in ranges, %d listed, %d disclosed, size %d", withheld, len(m.Withheld), len(m.Messages), m.Tree.Size)
		}
	})
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
