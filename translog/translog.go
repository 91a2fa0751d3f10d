// Package translog reads and checks, offline, the transparency log entry a
// custody.bundle/v4 bundle stores for its seal (docs/bundle-format.md
// §6.1): a Rekor v2 entry of kind hashedrekord, in the protobuf JSON of
// Sigstore's TransparencyLogEntry (dev.sigstore.rekor.v1), the form a
// Sigstore bundle stores in verificationMaterial.tlogEntries, so that
// Sigstore's own tools read it too.
//
// An entry proves that the log published "key K signed digest D" at its
// index: its inclusion proof leads from the entry's body to the root hash
// of a checkpoint, a signed note (C2SP tlog-checkpoint) by the log's key.
// Verify checks all three offline, with the merkle, formats and note
// libraries of transparency-dev and golang.org/x/mod; it does not use
// rekor-tiles' own pkg/verify, which cannot tell a checkpoint signed by
// an untrusted key (INDETERMINATE) from one whose signature is broken
// (FAILED), a difference the verdict depends on.
//
// Parse reads the stored entry with a reader of its own (entryjson.go),
// not with protojson and Sigstore's generated types: the proto3 JSON
// mapping of this one message is a page of strict code over the
// standard library's encoding/json/jsontext, while protobuf, its
// reflection and the generated packages were 39 of the 299 packages
// custody-verify linked. A test holds the reader to protojson's answers
// (TestReadEntryAgreesWithProtojson, FuzzReadEntry). The writing side,
// which talks to the log, keeps Sigstore's types (translog/rekor,
// rekor.Encode).
//
// The package has no network code: custody-verify links it.
package translog

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"errors"
	"fmt"
	"hash"
	"io"

	"github.com/custody-toolkit/custody/internal/verdict"
)

// Kind and version of the only entry type this version reads.
const (
	KindHashedRekord = "hashedrekord"
	VersionV002      = "0.0.2"
)

// Statement is what a seal submits to a log, and what its entry must
// state: the digest of manifest.json, a signature by the sealing key, and
// that key. Rekor v2 verifies a signature over the digest alone, so the
// algorithm follows the key:
//
//   - ECDSA P-256: SHA-256 of manifest.json, and manifest.sig itself (an
//     ECDSA signature over that digest);
//   - RSA (2048, 3072 or 4096 bits, the sizes Rekor v2 accepts): as
//     ECDSA, manifest.sig being RSASSA-PKCS1-v1_5 over that digest;
//   - Ed25519: SHA-512 of manifest.json, and an Ed25519ph signature
//     (RFC 8032 §5.1, prehashed with SHA-512) by the same key, made for
//     the log: manifest.sig is pure Ed25519, which no log can check
//     against a digest.
type Statement struct {
	HashAlgorithm string // SHA2_256 or SHA2_512 (Sigstore's HashAlgorithm names)
	Digest        []byte
	KeyDetails    string // PKIX_ECDSA_P256_SHA_256, PKIX_RSA_PKCS1V15_<bits>_SHA256 or PKIX_ED25519_PH
	PublicKey     []byte // DER SubjectPublicKeyInfo
	// Signature is manifest.sig for ECDSA; for Ed25519 the exporter fills
	// it (SignPrehashed) and the verifier checks it (checkSignature).
	Signature []byte
}

// NewStatement gives the statement of a seal: manifest is the bytes of
// manifest.json, sig those of manifest.sig.
func NewStatement(manifest, sig []byte, pub crypto.PublicKey) (*Statement, error) {
	return NewStatementFrom(bytes.NewReader(manifest), sig, pub)
}

// NewStatementFrom is NewStatement with manifest.json read from manifest,
// for an exporter that does not hold it.
func NewStatementFrom(manifest io.Reader, sig []byte, pub crypto.PublicKey) (*Statement, error) {
	st, h, err := NewStatementHash(sig, pub)
	if err != nil {
		return nil, err
	}
	if _, err := io.Copy(h, manifest); err != nil {
		return nil, fmt.Errorf("reading manifest.json: %w", err)
	}
	st.Digest = h.Sum(nil)
	return st, nil
}

// NewStatementHash is NewStatementFrom in two steps, for a reader that
// hashes manifest.json once for several checks: write manifest.json into
// the hash, then set the statement's Digest to its Sum.
func NewStatementHash(sig []byte, pub crypto.PublicKey) (*Statement, hash.Hash, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, nil, err
	}
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		return &Statement{HashAlgorithm: "SHA2_256", KeyDetails: "PKIX_ECDSA_P256_SHA_256", PublicKey: der, Signature: sig}, sha256.New(), nil
	case *rsa.PublicKey:
		bits := k.N.BitLen()
		if bits != 2048 && bits != 3072 && bits != 4096 {
			return nil, nil, fmt.Errorf("a transparency log entry for an RSA key of %d bits is not defined (Rekor v2 takes 2048, 3072 and 4096)", bits)
		}
		return &Statement{HashAlgorithm: "SHA2_256", KeyDetails: fmt.Sprintf("PKIX_RSA_PKCS1V15_%d_SHA256", bits), PublicKey: der, Signature: sig}, sha256.New(), nil
	case ed25519.PublicKey:
		return &Statement{HashAlgorithm: "SHA2_512", KeyDetails: "PKIX_ED25519_PH", PublicKey: der}, sha512.New(), nil
	}
	return nil, nil, fmt.Errorf("a transparency log entry for a %T key is not defined", pub)
}

// SignPrehashed makes the Ed25519ph signature of an Ed25519 statement;
// for ECDSA the statement already holds manifest.sig.
func (s *Statement) SignPrehashed(key crypto.Signer) error {
	if s.KeyDetails != "PKIX_ED25519_PH" {
		return nil
	}
	sig, err := key.Sign(nil, s.Digest, &ed25519.Options{Hash: crypto.SHA512})
	if err != nil {
		return fmt.Errorf("signing the seal's digest for the transparency log (Ed25519ph): %w", err)
	}
	s.Signature = sig
	return nil
}

// checkSignature: the entry's signature is the seal's (ECDSA), or an
// Ed25519ph signature by the sealing key over the manifest's digest.
func (s *Statement) checkSignature(sig []byte) error {
	if s.KeyDetails != "PKIX_ED25519_PH" {
		if !bytes.Equal(sig, s.Signature) {
			return problem(verdict.Failed, verdict.HashFailure, "the entry's signature is not this bundle's manifest.sig: the entry is another seal's")
		}
		return nil
	}
	pub, err := x509.ParsePKIXPublicKey(s.PublicKey)
	if err != nil {
		return err
	}
	if ed25519.VerifyWithOptions(pub.(ed25519.PublicKey), s.Digest, sig, &ed25519.Options{Hash: crypto.SHA512}) != nil {
		return problem(verdict.Failed, verdict.SigCryptoFailure, "the entry's Ed25519ph signature does not verify over this manifest's SHA-512 with the sealing key")
	}
	return nil
}

// Problem is why an entry does not verify, with the verdict it gives:
// FAILED when the entry is proven altered or not this seal's,
// INDETERMINATE when it cannot be checked (an untrusted log key, a kind
// this version does not read, bytes in another encoding).
type Problem struct {
	Status verdict.Status
	Sub    verdict.SubIndication
	Err    error
}

func (p *Problem) Error() string { return p.Err.Error() }

func problem(s verdict.Status, sub verdict.SubIndication, format string, args ...any) *Problem {
	return &Problem{Status: s, Sub: sub, Err: fmt.Errorf(format, args...)}
}

// AsProblem gives the problem err carries, or FAILED FORMAT_FAILURE for
// any other error: an entry this version cannot even read was not written
// by a conformant exporter.
func AsProblem(err error) *Problem {
	var p *Problem
	if errors.As(err, &p) {
		return p
	}
	return &Problem{Status: verdict.Failed, Sub: verdict.FormatFailure, Err: err}
}
