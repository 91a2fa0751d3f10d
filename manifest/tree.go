package manifest

import (
	"crypto/sha256"
	"fmt"

	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
)

// TreeAlgorithm names the Merkle tree of format v2: RFC 6962 (RFC 9162 §2.1)
// leaf and node hashing with SHA-256.
const TreeAlgorithm = "rfc6962-sha256"

// leafDomain separates message leaves from every other SHA-256 in a bundle.
const leafDomain = "custody-leaf-v2\x00"

// LeafData is what the tree's leaf for one message commits to:
// "custody-leaf-v2" 0x00 || salt || SHA-256(message entry). The secret salt
// keeps a withheld "OK" from being found by hashing guesses.
func LeafData(salt, entryDigest [32]byte) []byte {
	data := make([]byte, 0, len(leafDomain)+64)
	data = append(data, leafDomain...)
	data = append(data, salt[:]...)
	return append(data, entryDigest[:]...)
}

// LeafHash is the RFC 6962 leaf hash SHA-256(0x00 || LeafData(salt, entryDigest)).
func LeafHash(salt, entryDigest [32]byte) [32]byte {
	return [32]byte(rfc6962.DefaultHasher.HashLeaf(LeafData(salt, entryDigest)))
}

// TreeRoot is the RFC 6962 Merkle tree hash of the leaf hashes, in order
// (SHA-256 of the empty string for no leaves).
func TreeRoot(leaves [][32]byte) [32]byte {
	var t TreeBuilder
	for _, l := range leaves {
		t.Append(l)
	}
	return t.Root()
}

// TreeBuilder computes TreeRoot as the leaves come, holding only O(log n)
// hashes (a compact range) whatever their number: an exporter need not
// keep 32 bytes a message for the root. The zero value is an empty tree.
type TreeBuilder struct{ r *compact.Range }

// Append adds the next leaf hash.
func (t *TreeBuilder) Append(leaf [32]byte) {
	if t.r == nil {
		rf := compact.RangeFactory{Hash: rfc6962.DefaultHasher.HashChildren}
		t.r = rf.NewEmptyRange(0)
	}
	_ = t.r.Append(leaf[:], nil) // fails only for a range that does not start at 0
}

// Root is the tree hash of the leaves appended so far.
func (t *TreeBuilder) Root() [32]byte {
	if t.r == nil || t.r.End() == 0 {
		return sha256.Sum256(nil)
	}
	root, _ := t.r.GetRootHash(nil)
	return [32]byte(root)
}

// subtreeHash is the tree hash of a non-empty run of leaf hashes.
func subtreeHash(leaves [][32]byte) []byte {
	root := TreeRoot(leaves)
	return root[:]
}

// ConsistencyProof returns the RFC 6962 (RFC 9162 §2.1.4) consistency proof
// from the tree of the first oldSize leaves to the tree of all of them.
func ConsistencyProof(leaves [][32]byte, oldSize int) ([][32]byte, error) {
	if oldSize < 0 || oldSize > len(leaves) {
		return nil, fmt.Errorf("consistency proof from size %d: the tree has %d leaves", oldSize, len(leaves))
	}
	nodes, err := proof.Consistency(uint64(oldSize), uint64(len(leaves)))
	if err != nil {
		return nil, err
	}
	hashes := make([][]byte, len(nodes.IDs))
	for i, id := range nodes.IDs {
		begin, end := id.Coverage()
		hashes[i] = subtreeHash(leaves[begin:end])
	}
	hashes, err = nodes.Rehash(hashes, rfc6962.DefaultHasher.HashChildren)
	if err != nil {
		return nil, err
	}
	out := make([][32]byte, len(hashes))
	for i, h := range hashes {
		out[i] = [32]byte(h)
	}
	return out, nil
}

// VerifyConsistency checks a consistency proof: the tree of newSize leaves
// with root newRoot extends, unchanged, the tree of oldSize leaves with root
// oldRoot.
func VerifyConsistency(oldSize, newSize int, oldRoot, newRoot [32]byte, p [][32]byte) error {
	if oldSize < 1 || oldSize > newSize {
		return fmt.Errorf("no consistency proof from size %d to size %d", oldSize, newSize)
	}
	hashes := make([][]byte, len(p))
	for i := range p {
		hashes[i] = p[i][:]
	}
	return proof.VerifyConsistency(rfc6962.DefaultHasher, uint64(oldSize), uint64(newSize), hashes, oldRoot[:], newRoot[:])
}
