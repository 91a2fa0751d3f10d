package custody

import (
	"context"
	"github.com/custody-toolkit/custody/internal/regfile"

	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"

	"github.com/custody-toolkit/custody/conversation"
	"github.com/custody-toolkit/custody/keys"
	"github.com/custody-toolkit/custody/manifest"
)

// Disclosure configures what a format v2 bundle proves about the messages
// it leaves out (docs/bundle-format.md §9).
type Disclosure struct {
	// SaltSecret is the practice's 32-byte secret from which every leaf
	// salt is derived (--salt-secret). Without it the signing key derives
	// one from a deterministic signature of Options.Signer: an Ed25519 or
	// RSA key wherever it is, an ECDSA key only when it is held in memory
	// (RFC 6979; a card, an HSM or a KMS randomises its ECDSA signatures).
	// When it cannot, the salts are random: no later export can be proven
	// consistent with this one.
	SaltSecret []byte
	// RevealWithheldTimes lists each withheld message's time.
	RevealWithheldTimes bool
	// Extends is an earlier bundle of the same conversation: the export
	// fails unless the conversation still begins with exactly the messages
	// that bundle sealed, and carries a consistency proof to it.
	Extends string
	// CheckExtends verifies Extends first (the exporter wires the
	// verifier here); nil skips it.
	CheckExtends func(path string) error
}

// Domain prefixes of the salt derivation, so that these HMAC inputs and
// the signature that keys them can never be mistaken for anything else.
const (
	saltKeyDomain        = "custody-salt-key-v2\x00"
	saltDomain           = "custody-salt-v2\x00"
	conversationIDDomain = "custody-conversation-id-v2\x00"
)

// salter derives each message's leaf salt:
// HMAC-SHA256(K, "custody-salt-v2" 0x00 || conversation id || 0x00 || message id).
// The same K gives the same salts in every export of the conversation,
// which is what lets a later export be proven consistent with an earlier
// one; K never leaves the exporter, so a withheld "OK" cannot be guessed.
type salter struct {
	key       [32]byte
	convID    string
	ephemeral bool // K is random: salts differ in every export
}

func newSalter(c *conversation.Conversation, opts Options) (*salter, error) {
	s := &salter{convID: c.ID}
	d := opts.Disclosure
	if d.SaltSecret != nil {
		if len(d.SaltSecret) != 32 {
			return nil, fmt.Errorf("salt secret: %d bytes, want 32", len(d.SaltSecret))
		}
		copy(s.key[:], d.SaltSecret)
		return s, nil
	}
	key, ok, err := signatureKey(opts, c.ID)
	if err != nil {
		return nil, err
	}
	if ok {
		s.key = key
		return s, nil
	}
	rand.Read(s.key[:])
	s.ephemeral = true
	return s, nil
}

// signatureKey derives K = SHA-256(signature over "custody-salt-key-v2"
// 0x00 || conversation id), made deterministically: pure Ed25519 through
// the Signer, RSASSA-PKCS1-v1_5 through the Signer, or ECDSA over the
// SHA-256 digest with the RFC 6979 nonce when the Signer's key is in memory
// (DER). It reports false when the key cannot sign so. Only a deterministic signer gives the same K twice, so the
// signature is made twice and compared: salts keyed by a signature no later
// export can reproduce would break every future --extends.
func signatureKey(opts Options, convID string) ([32]byte, bool, error) {
	msg := []byte(saltKeyDomain + convID)
	var sign func() ([]byte, error)
	switch opts.Signer.Public().(type) {
	case ed25519.PublicKey, *rsa.PublicKey:
		// Both are deterministic wherever the key is (RSASSA-PKCS1-v1_5:
		// a card's too). Called while the messages are written, which has
		// no context; an in-memory key does not block, a card's is open.
		sign = func() ([]byte, error) { return opts.Signer.SignMessage(context.Background(), msg) }
	case *ecdsa.PublicKey:
		key, ok := opts.Signer.Key().(*ecdsa.PrivateKey)
		if !ok {
			return [32]byte{}, false, nil
		}
		sign = func() ([]byte, error) { return keys.SignDeterministic(key, msg) }
	default:
		return [32]byte{}, false, nil
	}
	sig1, err := sign()
	if err != nil {
		return [32]byte{}, false, fmt.Errorf("deriving the salt key: %w", err)
	}
	sig2, err := sign()
	if err != nil {
		return [32]byte{}, false, fmt.Errorf("deriving the salt key: %w", err)
	}
	return sha256.Sum256(sig1), bytes.Equal(sig1, sig2), nil
}

// conversationID is the id a v2 bundle gives the conversation:
// "c-" and 32 hex digits of HMAC-SHA256(K, "custody-conversation-id-v2"
// 0x00 || conversation id). The conversation's own id may say something
// of its content (an imported chat's is derived from its first line), and
// a reader must not be able to test guesses against it; keyed by K it is
// the same in every export that can be proven consistent with another.
func (s *salter) conversationID() string {
	mac := hmac.New(sha256.New, s.key[:])
	mac.Write([]byte(conversationIDDomain))
	mac.Write([]byte(s.convID))
	return "c-" + hex.EncodeToString(mac.Sum(nil)[:16])
}

func (s *salter) salt(messageID string) [32]byte {
	mac := hmac.New(sha256.New, s.key[:])
	mac.Write([]byte(saltDomain))
	mac.Write([]byte(s.convID))
	mac.Write([]byte{0})
	mac.Write([]byte(messageID))
	return [32]byte(mac.Sum(nil))
}

// writeMessages writes the picked messages and commits to all of them:
// the chain over the disclosed entries, the tree over every message, the
// withheld leaves, and the consistency proof to an earlier export. The
// manifest's messages and withheld leaves go to lists, the disclosed
// entries to entries, when set, for the rendering. The tree's root is
// folded as the leaves come; the leaves themselves (32 bytes a message)
// are held only for the consistency proof of --extends.
func writeMessages(zw *manifest.Writer, c conversation.Reader, picked []int, m *manifest.Manifest, lists *manifestLists, entries *spool[manifest.MessageEntry], opts Options) (bool, error) {
	salts, err := newSalter(c.Header(), opts)
	if err != nil {
		return false, err
	}
	m.Conversation.ID = salts.conversationID()
	keep := make([]bool, c.Len())
	for _, i := range picked {
		keep[i] = true
	}
	sources := stableSourceNames(c.Header())
	withheld := &hashOnly{}
	link := manifest.ChainStart
	var tree manifest.TreeBuilder
	var leaves [][32]byte
	err = c.Each(func(i int, cm *conversation.Message) error {
		sink := contentSink(zw)
		if !keep[i] {
			sink = withheld // the entry is built and hashed, never written
		}
		msg, entry, err := writeMessage(sink, c.Header().Dir, i, cm, sources)
		if err != nil {
			return err
		}
		opts.progress("messages", i+1, c.Len())
		salt := salts.salt(msg.ID)
		digest, _ := manifest.ParseDigest(msg.SHA256)
		leaf := manifest.LeafHash(salt, digest)
		tree.Append(leaf)
		if opts.Disclosure.Extends != "" {
			leaves = append(leaves, leaf)
		}
		if !keep[i] {
			w := manifest.Withheld{Position: i, Leaf: hex.EncodeToString(leaf[:])}
			if opts.Disclosure.RevealWithheldTimes {
				w.Time = entry.Time
			}
			return lists.addWithheld(&w)
		}
		if entries != nil {
			if err := entries.add(entry); err != nil {
				return err
			}
		}
		link = manifest.NextLink(link, digest)
		msg.Link = hex.EncodeToString(link[:])
		msg.Position, msg.Salt = &i, hex.EncodeToString(salt[:])
		return lists.addMessage(&msg)
	})
	if err != nil {
		return false, err
	}
	m.Chain = manifest.Chain{Algorithm: manifest.ChainAlgorithm, Length: lists.disclosed, Head: hex.EncodeToString(link[:])}
	root := tree.Root()
	m.Tree = &manifest.Tree{Algorithm: manifest.TreeAlgorithm, Size: c.Len(), Root: hex.EncodeToString(root[:])}
	if opts.Disclosure.Extends != "" {
		proof, err := extend(c, m.Conversation.ID, leaves, opts.Disclosure)
		if err != nil {
			return false, err
		}
		m.Consistency = []manifest.Consistency{proof}
	}
	return salts.ephemeral, nil
}

// stableSourceNames names each source as the whole export carries it, in
// every export: a message's entry (its origin) must not depend on the
// selection, or its leaf would change between exports.
func stableSourceNames(c *conversation.Conversation) map[string]string {
	names := map[string]string{}
	for i, s := range c.Sources {
		names[s.Path] = manifest.SourceEntryName(i, s.Path)
	}
	return names
}

// contentSink receives a message's entry and attachments: the bundle
// writer for a disclosed message, hashOnly for a withheld one.
type contentSink interface {
	AddFile(name string, r io.Reader) (manifest.File, error)
	AddBytes(name string, data []byte) (manifest.File, error)
}

// hashOnly digests content without storing it anywhere; attachments are
// streamed through one reused buffer.
type hashOnly struct{ buf []byte }

func (w *hashOnly) AddFile(name string, r io.Reader) (manifest.File, error) {
	if w.buf == nil {
		w.buf = make([]byte, 1<<20)
	}
	h := sha256.New()
	n, err := io.CopyBuffer(h, r, w.buf)
	if err != nil {
		return manifest.File{}, err
	}
	return manifest.File{Path: name, SHA256: hex.EncodeToString(h.Sum(nil)), Size: n}, nil
}

func (w *hashOnly) AddBytes(name string, data []byte) (manifest.File, error) {
	sum := sha256.Sum256(data)
	return manifest.File{Path: name, SHA256: hex.EncodeToString(sum[:]), Size: int64(len(data))}, nil
}

// extend checks that the conversation begins with exactly the messages
// the earlier bundle sealed, and returns the consistency proof to it.
func extend(c conversation.Reader, keyedID string, leaves [][32]byte, d Disclosure) (manifest.Consistency, error) {
	fail := func(format string, args ...any) (manifest.Consistency, error) {
		return manifest.Consistency{}, fmt.Errorf("--extends %s: %s", d.Extends, fmt.Sprintf(format, args...))
	}
	if d.CheckExtends != nil {
		if err := d.CheckExtends(d.Extends); err != nil {
			return fail("%v", err)
		}
	}
	old, err := readManifest(d.Extends)
	if err != nil {
		return fail("%v", err)
	}
	oldLeaves, err := old.Leaves()
	if err != nil {
		return fail("%v", err)
	}
	oldRoot := manifest.TreeRoot(oldLeaves)
	switch {
	case old.Conversation.ID != keyedID && old.Conversation.ID != c.Header().ID: // bundles before 2026-12-03 carry the conversation's own id
		return fail("it seals another conversation (%q), or was exported with other salts (another key or --salt-secret)", old.Conversation.ID)
	case hex.EncodeToString(oldRoot[:]) != old.Tree.Root:
		return fail("its leaves do not give its tree root")
	}
	for i := range oldLeaves {
		if i >= len(leaves) {
			return fail("it seals %d messages, the conversation now has only %d: messages from position %d (counted from 1) on were removed", len(oldLeaves), len(leaves), i+1)
		}
		if oldLeaves[i] != leaves[i] {
			return fail("the message at position %d (counted from 1, id %q) differs from the one it sealed: edited, removed or inserted since (or that export used other salts: another key or --salt-secret)", i+1, messageID(c, i))
		}
	}
	proof, err := manifest.ConsistencyProof(leaves, len(oldLeaves))
	if err != nil {
		return fail("%v", err)
	}
	out := manifest.Consistency{Size: len(oldLeaves), Root: old.Tree.Root, Proof: []string{}}
	for _, h := range proof {
		out.Proof = append(out.Proof, hex.EncodeToString(h[:]))
	}
	return out, nil
}

// messageID is the id of the message at position i, for an error.
func messageID(c conversation.Reader, i int) string {
	var id string
	conversation.EachAt(c, []int{i}, func(_ int, m *conversation.Message) error {
		id = m.ID
		return nil
	})
	return id
}

// readManifest reads and parses the manifest of a bundle file.
func readManifest(path string) (*manifest.Manifest, error) {
	f, size, err := regfile.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := manifest.OpenBundle(f, size)
	if err != nil {
		return nil, err
	}
	data, err := b.ReadManifest()
	if err != nil {
		return nil, err
	}
	return manifest.Parse(data)
}
