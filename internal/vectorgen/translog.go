package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"fmt"

	"github.com/cyberphone/json-canonicalization/go/src/webpki.org/jsoncanonicalizer"
	commonpb "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	rekorpb "github.com/sigstore/protobuf-specs/gen/pb-go/rekor/v1"
	pb "github.com/sigstore/rekor-tiles/v2/pkg/generated/protobuf"
	"github.com/transparency-dev/formats/log"
	"github.com/transparency-dev/merkle/rfc6962"
	"github.com/transparency-dev/merkle/testonly"
	"golang.org/x/mod/sumdb/note"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/custody-toolkit/custody/manifest"
	"github.com/custody-toolkit/custody/translog"
	"github.com/custody-toolkit/custody/translog/rekor"
)

// vectorLog is a Rekor v2 log in-process, deterministic: the vectors need
// a log whose answer does not depend on the day or on what others
// logged, so it answers as rekor-tiles v2.3.0 does (internal/server's
// CreateEntry, internal/tessera's Add: the hashedrekord Entry in protobuf
// JSON made RFC 8785, the leaf at a fixed index among fixed leaves of
// other seals, its inclusion proof, and a checkpoint signed by a fixed
// Ed25519 note key), with nothing kept between calls. The Merkle tree is
// transparency-dev's reference tree (merkle/testonly), the one its proof
// library is tested against.
//
// The edit hooks make a log that answers wrongly: the signer then seals
// the wrong answer (event 1 commits to it), so that the vector tests the
// entry's own checks, not the commitment.
type vectorLog struct {
	url    string
	origin string
	signer note.Signer
	public ed25519.PublicKey
	index  int // of the seal's entry, in a tree of logSize
	// body edits the entry before it is logged (another seal's, another
	// kind); entry edits the answer after the proof was made; raw edits
	// its stored bytes.
	body  func(*pb.Entry)
	entry func(*rekorpb.TransparencyLogEntry)
	raw   func([]byte) []byte
}

// The vectors' log, its tree's size and where the seal's entry goes.
const (
	logOrigin = "log.vectors.example"
	logURL    = "https://" + logOrigin
	logIndex  = 5
	logSize   = 8
)

// The vectors' log keys, by the name of their seed: the one
// keys/log.note names, and another of the same origin (keys/other-log.note),
// which --trust-log names or a log signs with in the vectors of an
// untrusted checkpoint.
const (
	trustedLogKey = "transparency log"
	otherLogKey   = "another transparency log"
)

// logVerifierFile is the --trust-log file of the log key keyName.
func logVerifierFile(keyName string) []byte {
	_, vkey := logKey(keyName)
	return []byte(vkey + "\n")
}

// newVectorLog is the vectors' log, signing with the key of keyName.
func newVectorLog(keyName string) *vectorLog {
	skey, _ := logKey(keyName)
	s, err := note.NewSigner(skey)
	must(err)
	return &vectorLog{url: logURL, origin: logOrigin, signer: s, public: ed25519Key(keyName).Public().(ed25519.PublicKey), index: logIndex}
}

// logKey is the note signer and verifier key of keyName for the log's
// origin: the Ed25519 key ed25519Key(keyName), whose seed GenerateKey
// reads.
func logKey(keyName string) (skey, vkey string) {
	skey, vkey, err := note.GenerateKey(bytes.NewReader(seed(keyName)), logOrigin)
	must(err)
	return skey, vkey
}

func (l *vectorLog) LogURL() string { return l.url }

func (l *vectorLog) Submit(_ context.Context, st *translog.Statement) ([]byte, error) {
	body := l.canonicalBody(st)
	tree := testonly.New(rfc6962.DefaultHasher)
	for i := range logSize {
		leaf := []byte(fmt.Sprintf("another seal's entry %d", i))
		if i == l.index {
			leaf = body
		}
		tree.AppendData(leaf)
	}
	hashes, err := tree.InclusionProof(uint64(l.index), logSize)
	must(err)
	cp := log.Checkpoint{Origin: l.origin, Size: logSize, Hash: tree.Hash()}
	signed, err := note.Sign(&note.Note{Text: string(cp.Marshal())}, l.signer)
	must(err)
	entry := &rekorpb.TransparencyLogEntry{
		LogIndex:    int64(l.index),
		LogId:       &commonpb.LogId{KeyId: l.logID()},
		KindVersion: &rekorpb.KindVersion{Kind: translog.KindHashedRekord, Version: translog.VersionV002},
		InclusionProof: &rekorpb.InclusionProof{
			LogIndex: int64(l.index), RootHash: cp.Hash, TreeSize: logSize, Hashes: hashes,
			Checkpoint: &rekorpb.Checkpoint{Envelope: string(signed)},
		},
		CanonicalizedBody: body,
	}
	if l.entry != nil {
		l.entry(entry)
	}
	data, err := rekor.Encode(entry)
	must(err)
	if l.raw != nil {
		data = l.raw(data)
	}
	return data, nil
}

// canonicalBody is the hashedrekord entry the log stores for st, as
// rekor-tiles' hashedrekord.ToLogEntry and CreateEntry write it.
func (l *vectorLog) canonicalBody(st *translog.Statement) []byte {
	req := rekor.Request(st)
	e := &pb.Entry{
		Kind: translog.KindHashedRekord, ApiVersion: translog.VersionV002,
		Spec: &pb.Spec{Spec: &pb.Spec_HashedRekordV002{HashedRekordV002: &pb.HashedRekordLogEntryV002{
			Signature: req.Signature,
			Data:      &commonpb.HashOutput{Digest: req.Digest, Algorithm: commonpb.HashAlgorithm(commonpb.HashAlgorithm_value[st.HashAlgorithm])},
		}}},
	}
	if l.body != nil {
		l.body(e)
	}
	raw, err := protojson.Marshal(e)
	must(err)
	body, err := jsoncanonicalizer.Transform(raw)
	must(err)
	return body
}

// logID is Rekor v2's log id: the SHA-256 of the note key's name, a
// newline, its type byte (1, Ed25519) and the public key (rekor-tiles
// pkg/note), which the checkpoint's 4-byte key hash truncates.
func (l *vectorLog) logID() []byte {
	id := sha256.Sum256(append([]byte(l.origin+"\n\x01"), l.public...))
	return id[:]
}

// editedEntry is a stored entry with its content edited, stored again in
// its canonical encoding: what a forger who knows the format would do.
func editedEntry(data []byte, edit func(e *rekorpb.TransparencyLogEntry)) []byte {
	var e rekorpb.TransparencyLogEntry
	must(protojson.Unmarshal(data, &e))
	edit(&e)
	out, err := rekor.Encode(&e)
	must(err)
	return out
}

// sealEventWithLogs signs custody event 1 again, committing to logged as
// the transparency log entries (none: no transparency member, as before
// event 1 had one).
func (b *bundle) sealEventWithLogs(logged [][]byte) {
	b.dropEventsFrom(1)
	b.sealEvent(b.get(manifest.SignatureName), b.storedTokens(), logged)
}

func publicDER(pub any) []byte {
	der, err := x509.MarshalPKIXPublicKey(pub)
	must(err)
	return der
}

func base64Std(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
