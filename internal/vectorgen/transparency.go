package main

import (
	"crypto/sha512"
	"strings"

	commonpb "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	rekorpb "github.com/sigstore/protobuf-specs/gen/pb-go/rekor/v1"
	pb "github.com/sigstore/rekor-tiles/v2/pkg/generated/protobuf"

	"github.com/custody-toolkit/custody/manifest"
)

const transparencyRule = "bundle-format.md §6.1"

// transparency: format v4, the seal logged in a transparency log
// (vectorLog), trusted or not, its entry removed, added, altered after
// the seal, or wrong as the log answered it.
func (g *generator) transparency() {
	logged := g.p.export(g.dir("logged"), exportOptions{logs: []*vectorLog{newVectorLog(trustedLogKey)}})
	g.bundleVector("valid/logged", logged, passed(transparencyRule, "format v4: the seal logged at index 5 of a Rekor v2 log whose checkpoint the trusted log key signed; transparency 1 PASSED").trustingLog("log.note"))
	g.bundleVector("valid/logged-log-unchecked", logged, passed(transparencyRule, "the same bundle verified without --trust-log: transparency 1 is INFO (the entry and its proof are checked, the checkpoint's signature is not), the verdict PASSED"))
	ecdsa := g.p.export(g.dir("logged-ecdsa"), exportOptions{key: g.p.ecdsaSigner, logs: []*vectorLog{newVectorLog(trustedLogKey)}})
	g.bundleVector("valid/logged-ecdsa", ecdsa, passed(transparencyRule, "an ECDSA P-256 seal logged: the entry states SHA2_256 of manifest.json and manifest.sig itself").withSigner("ecdsa-signer.pub").trustingLog("log.note"))
	second := newVectorLog(trustedLogKey)
	second.url, second.index = second.url+"/mirror", logIndex+1
	twice := g.p.export(g.dir("logged-twice"), exportOptions{logs: []*vectorLog{newVectorLog(trustedLogKey), second}})
	g.bundleVector("valid/logged-twice", twice, passed(transparencyRule, "the seal submitted at two URLs (transparency_logs), stored as entries 1.json and 2.json; both answer for the same log (one origin, one key), at indexes 5 and 6").trustingLog("log.note"))
	uncommitted := logged.clone()
	uncommitted.sealEventWithLogs(nil)
	g.bundleVector("valid/logged-uncommitted", uncommitted, passed(transparencyRule, "custody event 1 without its transparency member (bundles sealed before it existed): the entry's own checks hold").trustingLog("log.note"))

	g.untrustedLog(logged)
	g.entriesAfterSeal(logged, twice, uncommitted)
	g.wrongAnswers(logged)
}

// untrustedLog: a checkpoint no trusted key signed is INDETERMINATE.
func (g *generator) untrustedLog(logged *bundle) {
	g.bundleVector("transparency/log-key-not-trusted", logged, indeterminate(transparencyRule, "--trust-log names another key than the one that signed the checkpoint: the log may be genuine, nothing the user trusts vouches for it", "transparency", "NO_CERTIFICATE_CHAIN_FOUND").withSigner("signer.pub").trustingLog("other-log.note").at(1))
	other := g.relogged(logged, func(l *vectorLog) { *l = *newVectorLog(otherLogKey) })
	g.bundleVector("transparency/log-signed-by-other-key", other, indeterminate(transparencyRule, "the checkpoint is signed by a key of the same origin that --trust-log does not name", "transparency", "NO_CERTIFICATE_CHAIN_FOUND").withSigner("signer.pub").trustingLog("log.note").at(1))
}

// entriesAfterSeal: entries removed, added, swapped or changed after the
// seal; event 1's commitment (or the manifest's count) proves it.
func (g *generator) entriesAfterSeal(logged, twice, uncommitted *bundle) {
	entry1, entry2 := manifest.TransparencyEntryName(0), manifest.TransparencyEntryName(1)
	tamper := func(name string, from *bundle, desc string, index int, sub string, edit func(b *bundle)) {
		b := from.clone()
		edit(b)
		g.bundleVector("transparency/"+name, b, failed(transparencyRule, desc, "transparency", sub).withSigner("signer.pub").trustingLog("log.note").at(index))
	}
	tamper("entry-removed", logged, "the entry 1.json removed: the signed manifest declares one log", 1, "SIGNED_DATA_NOT_FOUND", func(b *bundle) { b.remove(entry1) })
	tamper("entry-added", logged, "a copy of the entry added as 2.json: the signed manifest declares one log", 2, "HASH_FAILURE", func(b *bundle) {
		b.insertBefore(entry1, entry{entry2, b.get(entry1)})
	})
	tamper("entries-swapped", twice, "the entries of the two logs swapped: each is another log's answer than custody event 1 seals at its place", 1, "HASH_FAILURE", func(b *bundle) {
		one, two := b.get(entry1), b.get(entry2)
		b.set(entry1, two)
		b.set(entry2, one)
	})
	tamper("entry-reencoded", logged, "a newline appended to the entry: the same content, not the bytes custody event 1 seals", 1, "HASH_FAILURE", func(b *bundle) { b.set(entry1, append(b.get(entry1), '\n')) })
	tamper("entry-proof-altered", logged, "one hash of the inclusion proof changed after the seal, stored again in RFC 8785 form: not the entry custody event 1 seals", 1, "HASH_FAILURE", func(b *bundle) {
		b.set(entry1, editedEntry(b.get(entry1), func(e *rekorpb.TransparencyLogEntry) { e.InclusionProof.Hashes[0][0] ^= 1 }))
	})
	tamper("event1-lists-two", logged, "custody event 1, signed, lists two entry digests; the signed manifest declares one log", 2, "HASH_FAILURE", func(b *bundle) {
		b.sealEventWithLogs([][]byte{b.get(entry1), b.get(entry1)})
	})
	tamper("uncommitted-proof-altered", uncommitted, "custody event 1 does not commit to the entries; one hash of the inclusion proof changed: it no longer leads to the checkpoint's root", 1, "HASH_FAILURE", func(b *bundle) {
		b.set(entry1, editedEntry(b.get(entry1), func(e *rekorpb.TransparencyLogEntry) { e.InclusionProof.Hashes[0][0] ^= 1 }))
	})
	b := uncommitted.clone()
	b.set(entry1, append(b.get(entry1), '\n'))
	g.bundleVector("transparency/uncommitted-reencoded", b, indeterminate(transparencyRule, "custody event 1 does not commit to the entries; a newline appended to the entry: its content may be intact, but no signature fixes its bytes", "transparency", "FORMAT_FAILURE").withSigner("signer.pub").trustingLog("log.note").at(1))
}

// wrongAnswers: the log's answer itself is wrong, and the signer sealed it
// as it came (event 1 commits to it): the entry's own checks find it.
func (g *generator) wrongAnswers(logged *bundle) {
	type answer struct {
		name, desc, verdict, sub string
		edit                     func(l *vectorLog)
	}
	otherKey := publicDER(g.p.other.Public())
	for _, a := range []answer{
		{"body-other-digest", "the logged body states another manifest's SHA-512: another seal's entry", Failed, "HASH_FAILURE", bodyEdit(func(s *pb.HashedRekordLogEntryV002) {
			d := sha512.Sum512([]byte("another manifest"))
			s.Data.Digest = d[:]
		})},
		{"body-other-key", "the logged body names another clinician's key", Failed, "HASH_FAILURE", bodyEdit(func(s *pb.HashedRekordLogEntryV002) {
			s.Signature.Verifier.GetPublicKey().RawBytes = otherKey
		})},
		{"body-other-algorithm", "the logged body states SHA2_256 for an Ed25519 seal (PKIX_ED25519_PH takes SHA2_512)", Failed, "HASH_FAILURE", bodyEdit(func(s *pb.HashedRekordLogEntryV002) {
			s.Data.Algorithm = commonpb.HashAlgorithm_SHA2_256
		})},
		{"body-signature-wrong", "the logged Ed25519ph signature has one bit changed: it does not verify over the manifest's SHA-512", Failed, "SIG_CRYPTO_FAILURE", bodyEdit(func(s *pb.HashedRekordLogEntryV002) {
			s.Signature.Content[0] ^= 1
		})},
		{"body-certificate-verifier", "the logged body names the signer by an X.509 certificate, which custody does not log", Indeterminate, "FORMAT_NOT_IMPLEMENTED", bodyEdit(func(s *pb.HashedRekordLogEntryV002) {
			s.Signature.Verifier.Verifier = &pb.Verifier_X509Certificate{X509Certificate: &commonpb.X509Certificate{RawBytes: g.p.root.cert.Raw}}
		})},
		{"kind-version-unknown", "kindVersion and body: hashedrekord 0.0.3, a version this verifier does not read", Indeterminate, "FORMAT_NOT_IMPLEMENTED", func(l *vectorLog) {
			l.body = func(e *pb.Entry) { e.ApiVersion = "0.0.3" }
			l.entry = func(e *rekorpb.TransparencyLogEntry) { e.KindVersion.Version = "0.0.3" }
		}},
		{"kind-version-contradicted", "kindVersion says hashedrekord 0.0.2, the logged body 0.0.1", Failed, "FORMAT_FAILURE", func(l *vectorLog) {
			l.body = func(e *pb.Entry) { e.ApiVersion = "0.0.1" }
		}},
		{"proof-hash-wrong", "one hash of the inclusion proof wrong: it does not lead to the checkpoint's root", Failed, "HASH_FAILURE", entryEdit(func(e *rekorpb.TransparencyLogEntry) { e.InclusionProof.Hashes[1][3] ^= 1 })},
		{"proof-index-differs", "the entry's logIndex (4) is not its proof's (5)", Failed, "HASH_FAILURE", entryEdit(func(e *rekorpb.TransparencyLogEntry) { e.LogIndex-- })},
		{"proof-index-wrong", "the entry's and its proof's logIndex both 4: the proof leads from index 5", Failed, "HASH_FAILURE", entryEdit(func(e *rekorpb.TransparencyLogEntry) {
			e.LogIndex--
			e.InclusionProof.LogIndex--
		})},
		{"proof-tree-size-differs", "the proof's treeSize (9) is not its checkpoint's (8)", Failed, "HASH_FAILURE", entryEdit(func(e *rekorpb.TransparencyLogEntry) { e.InclusionProof.TreeSize++ })},
		{"checkpoint-root-altered", "the checkpoint's root hash changed under the trusted key's signature (and the proof's copy with it)", Failed, "SIG_CRYPTO_FAILURE", entryEdit(func(e *rekorpb.TransparencyLogEntry) {
			e.InclusionProof.RootHash[0] ^= 1
			lines := strings.SplitN(e.InclusionProof.Checkpoint.Envelope, "\n", 4)
			lines[2] = base64Std(e.InclusionProof.RootHash)
			e.InclusionProof.Checkpoint.Envelope = strings.Join(lines, "\n")
		})},
		{"checkpoint-not-a-note", "the checkpoint envelope is not a signed note", Failed, "FORMAT_FAILURE", entryEdit(func(e *rekorpb.TransparencyLogEntry) {
			e.InclusionProof.Checkpoint.Envelope = "log.vectors.example\n8\n"
		})},
		{"not-an-entry", "the stored entry is JSON but not a TransparencyLogEntry (an unknown member)", Failed, "FORMAT_FAILURE", func(l *vectorLog) {
			l.raw = func([]byte) []byte { return []byte(`{"logIndex":"5","notAMember":true}`) }
		}},
		{"not-canonical", "the entry as the log answered it, indented: protobuf JSON, not RFC 8785, and event 1 seals those bytes", Indeterminate, "FORMAT_FAILURE", func(l *vectorLog) {
			l.raw = func(b []byte) []byte { return []byte(strings.Replace(string(b), "{", "{ ", 1)) }
		}},
	} {
		g.bundleVector("transparency/"+a.name, g.relogged(logged, a.edit), expect(transparencyRule, a.desc, a.verdict, "transparency", a.sub).withSigner("signer.pub").trustingLog("log.note").at(1))
	}
}

// relogged is from sealed again with its first log edited.
func (g *generator) relogged(from *bundle, edit func(l *vectorLog)) *bundle {
	b := from.clone()
	l := *b.logs[0]
	edit(&l)
	b.logs[0] = &l
	b.reseal(b.manifest())
	return b
}

func bodyEdit(edit func(s *pb.HashedRekordLogEntryV002)) func(l *vectorLog) {
	return func(l *vectorLog) { l.body = func(e *pb.Entry) { edit(e.GetSpec().GetHashedRekordV002()) } }
}

func entryEdit(edit func(e *rekorpb.TransparencyLogEntry)) func(l *vectorLog) {
	return func(l *vectorLog) { l.entry = edit }
}
