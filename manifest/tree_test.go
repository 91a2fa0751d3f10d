package manifest_test

import (
	"crypto/sha256"
	"encoding/binary"
	"strings"
	"testing"

	"github.com/custody-toolkit/custody/manifest"
)

// The RFC 6962 §2.1 definitions written out directly (recursive MTH and
// SUBPROOF), to check the library-based code against the text of the RFC.

func rfcLeafHash(data []byte) [32]byte { return sha256.Sum256(append([]byte{0}, data...)) }

func rfcNode(l, r [32]byte) [32]byte {
	return sha256.Sum256(append(append([]byte{1}, l[:]...), r[:]...))
}

// splitPoint is the largest power of two smaller than n (n > 1).
func splitPoint(n int) int {
	k := 1
	for k<<1 < n {
		k <<= 1
	}
	return k
}

func rfcMTH(leaves [][32]byte) [32]byte {
	switch len(leaves) {
	case 0:
		return sha256.Sum256(nil)
	case 1:
		return leaves[0]
	}
	k := splitPoint(len(leaves))
	return rfcNode(rfcMTH(leaves[:k]), rfcMTH(leaves[k:]))
}

// rfcSubproof is SUBPROOF(m, D[n], b) of RFC 6962 §2.1.2.
func rfcSubproof(m int, d [][32]byte, b bool) [][32]byte {
	n := len(d)
	if m == n {
		if b {
			return nil
		}
		return [][32]byte{rfcMTH(d)}
	}
	k := splitPoint(n)
	if m <= k {
		return append(rfcSubproof(m, d[:k], b), rfcMTH(d[k:]))
	}
	return append(rfcSubproof(m-k, d[k:], false), rfcMTH(d[:k]))
}

func testLeaves(n int) [][32]byte {
	out := make([][32]byte, n)
	for i := range out {
		var data [8]byte
		binary.BigEndian.PutUint64(data[:], uint64(i))
		out[i] = rfcLeafHash(data[:])
	}
	return out
}

func TestLeafHash(t *testing.T) {
	var salt, digest [32]byte
	for i := range salt {
		salt[i], digest[i] = byte(i), byte(255-i)
	}
	data := append(append([]byte("custody-leaf-v2\x00"), salt[:]...), digest[:]...)
	if got, want := manifest.LeafHash(salt, digest), rfcLeafHash(data); got != want {
		t.Fatalf("LeafHash %x, want %x", got, want)
	}
	if string(manifest.LeafData(salt, digest)) != string(data) {
		t.Fatal("LeafData differs from the spec")
	}
}

func TestTreeAgainstRFC(t *testing.T) {
	for n := 0; n <= 70; n++ {
		leaves := testLeaves(n)
		if got, want := manifest.TreeRoot(leaves), rfcMTH(leaves); got != want {
			t.Fatalf("size %d: root %x, RFC 6962 gives %x", n, got, want)
		}
		for m := 1; m <= n; m++ {
			proof, err := manifest.ConsistencyProof(leaves, m)
			if err != nil {
				t.Fatal(err)
			}
			want := rfcSubproof(m, leaves, true)
			if len(proof) != len(want) {
				t.Fatalf("%d→%d: proof of %d hashes, RFC 6962 gives %d", m, n, len(proof), len(want))
			}
			for i := range want {
				if proof[i] != want[i] {
					t.Fatalf("%d→%d: proof[%d] differs from RFC 6962", m, n, i)
				}
			}
			oldRoot, newRoot := rfcMTH(leaves[:m]), rfcMTH(leaves)
			if err := manifest.VerifyConsistency(m, n, oldRoot, newRoot, proof); err != nil {
				t.Fatalf("%d→%d: %v", m, n, err)
			}
			// Every proof hash matters, and so does each root.
			for i := range proof {
				bad := append([][32]byte(nil), proof...)
				bad[i][0] ^= 1
				if manifest.VerifyConsistency(m, n, oldRoot, newRoot, bad) == nil {
					t.Fatalf("%d→%d: proof with hash %d flipped verifies", m, n, i)
				}
			}
			if m < n {
				other := append([][32]byte(nil), leaves...)
				other[m-1][0] ^= 1 // the older tree's last leaf changed
				if manifest.VerifyConsistency(m, n, rfcMTH(other[:m]), newRoot, proof) == nil {
					t.Fatalf("%d→%d: a different older tree verifies", m, n)
				}
			}
		}
	}
}

// TestVersionMembers: a v1 manifest must not carry v2 members, a v2
// manifest must carry them.
func TestVersionMembers(t *testing.T) {
	v2 := []byte(readVectorManifest(t))
	m, err := manifest.Parse(v2)
	if err != nil {
		t.Fatal(err)
	}
	asV1 := strings.Replace(string(v2), manifest.FormatV2, manifest.FormatV1, 1)
	if _, err := manifest.Parse([]byte(asV1)); err == nil || !strings.Contains(err.Error(), "not part of custody.bundle/v1") {
		t.Errorf("v1 with a tree: %v", err)
	}
	m.Tree = nil
	data, _ := m.Marshal()
	if _, err := manifest.Parse(data); err == nil || !strings.Contains(err.Error(), "tree is missing") {
		t.Errorf("v2 without a tree: %v", err)
	}
}

// BenchmarkTree: the root and a consistency proof of a 100,000-message
// conversation.
func BenchmarkTree(b *testing.B) {
	leaves := testLeaves(100_000)
	for b.Loop() {
		manifest.TreeRoot(leaves)
		if _, err := manifest.ConsistencyProof(leaves, 60_000); err != nil {
			b.Fatal(err)
		}
	}
}
