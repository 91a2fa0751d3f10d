package main

import (
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"strings"

	"github.com/custody-toolkit/custody/manifest"
)

func sum(data []byte) string {
	s := sha256.Sum256(data)
	return hex.EncodeToString(s[:])
}

// recompute makes every digest of m agree with the bundle's entries again
// after a vector changed an entry: files, the messages' digests and
// attachment digests, the chain and the tree. What the vector broke is
// then only the rule it broke, not a digest.
func (b *bundle) recompute(m *manifest.Manifest) {
	m.Files = m.Files[:0]
	for _, e := range b.entries {
		if isContent(e.name) {
			m.Files = append(m.Files, manifest.File{Path: e.name, SHA256: sum(e.data), Size: int64(len(e.data))})
		}
	}
	sort.Slice(m.Files, func(i, j int) bool { return m.Files[i].Path < m.Files[j].Path })
	var link [32]byte
	for i := range m.Messages {
		msg := &m.Messages[i]
		data := b.entries[b.find(msg.Entry)].data
		msg.SHA256 = sum(data)
		if e, err := manifest.ParseMessageEntry(data); err == nil {
			msg.Attachments = []string{}
			for _, a := range e.Attachments {
				if !a.Missing && b.find(a.Path) >= 0 {
					msg.Attachments = append(msg.Attachments, sum(b.get(a.Path)))
				}
			}
		}
		link = manifest.NextLink(link, sha256.Sum256(data))
		msg.Link = hex.EncodeToString(link[:])
	}
	m.Chain.Head = hex.EncodeToString(link[:])
	if m.Tree != nil {
		m.Tree.Root = hex.EncodeToString(treeRoot(m))
	}
}

// treeRoot is the Merkle root of m's leaves: computed for the disclosed
// messages, as listed for the withheld ones.
func treeRoot(m *manifest.Manifest) []byte {
	leaves := make([][32]byte, m.Tree.Size)
	for _, msg := range m.Messages {
		if msg.Position == nil || *msg.Position >= len(leaves) {
			continue
		}
		salt, _ := manifest.ParseDigest(msg.Salt)
		d, _ := manifest.ParseDigest(msg.SHA256)
		leaves[*msg.Position] = manifest.LeafHash(salt, d)
	}
	for _, w := range m.Withheld {
		if w.Position < len(leaves) {
			leaves[w.Position], _ = manifest.ParseDigest(w.Leaf)
		}
	}
	r := manifest.TreeRoot(leaves)
	return r[:]
}

func isContent(name string) bool {
	return name != "mimetype" && name != manifest.ManifestName && !strings.HasPrefix(name, "META-INF/")
}

// withEntry replaces (or adds, before manifest.json) a content entry,
// recomputes the manifest's digests and seals the bundle again.
func (g *generator) withEntries(from *bundle, edit func(b *bundle, m *manifest.Manifest)) *bundle {
	b := from.clone()
	m := b.manifest()
	edit(b, m)
	b.recompute(m)
	b.reseal(m)
	return b
}

// sum32 is the raw SHA-256 of s.
func sum32(s string) []byte {
	d := sha256.Sum256([]byte(s))
	return d[:]
}
