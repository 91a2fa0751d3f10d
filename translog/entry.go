package translog

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/cyberphone/json-canonicalization/go/src/webpki.org/jsoncanonicalizer"
	"github.com/transparency-dev/formats/log"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
	"golang.org/x/mod/sumdb/note"

	"github.com/custody-toolkit/custody/internal/verdict"
)

// MaxEntrySize bounds a stored entry: a hashedrekord body, a proof of at
// most 64 hashes and a checkpoint with a few signatures take a few KiB.
const MaxEntrySize = 1 << 20

// Parse reads a stored entry. An entry that cannot be read is FAILED
// FORMAT_FAILURE (AsProblem); one that can, in another encoding than
// Encode's, INDETERMINATE: its content may be intact, but no signature
// of ours fixes its bytes, so a difference cannot be told from a change.
func Parse(data []byte) (*Entry, error) {
	if len(data) > MaxEntrySize {
		return nil, fmt.Errorf("%d bytes, more than a log entry takes (%d)", len(data), MaxEntrySize)
	}
	entry, err := readEntry(data)
	if err != nil {
		return nil, fmt.Errorf("not a Sigstore TransparencyLogEntry in protobuf JSON: %w", err)
	}
	// RFC 8785 of the bytes themselves, not of a re-encoding: what a
	// protobuf library writes may change between versions, and the
	// verdict must not. (Spellings protobuf JSON accepts for one value,
	// a number as a string or not, stay possible: bundle-format.md §6.1.)
	if canonical, err := jsoncanonicalizer.Transform(data); err != nil || !bytes.Equal(canonical, data) {
		return nil, problem(verdict.Indeterminate, verdict.FormatFailure, "the entry is not in its canonical encoding (RFC 8785 JSON): unsealed bytes that differ from what the exporter writes")
	}
	return entry, nil
}

// Where gives the index and the log (the checkpoint's origin) of a
// stored entry, unverified: for the exporter's summary.
func Where(data []byte) (index int64, origin string, err error) {
	entry, err := Parse(data)
	if err != nil {
		return 0, "", err
	}
	origin, _, _ = strings.Cut(entry.InclusionProof.Checkpoint, "\n")
	return entry.LogIndex, origin, nil
}

// Proof is what an entry proves: the seal was logged at Index in the log
// Origin, included in the tree of TreeSize entries whose checkpoint was
// signed by the key KeyName (empty when no trusted key signed it).
type Proof struct {
	Index    int64
	Origin   string
	TreeSize uint64
	KeyName  string
	// Unsigned lists the key names of the checkpoint's signatures when
	// none is trusted, for the report.
	Unsigned []string
}

// Verify checks entry against the seal's statement st and the trusted log
// keys: the body states st, the inclusion proof leads from the body to
// the checkpoint's root, and a trusted key signed the checkpoint. Without
// trusted keys the proof is still checked; the result then has no
// KeyName, and the caller decides what an unchecked log means. A
// checkpoint whose keys are all untrusted is INDETERMINATE
// NO_CERTIFICATE_CHAIN_FOUND.
func Verify(entry *Entry, st *Statement, trusted []note.Verifier) (*Proof, error) {
	if err := checkBody(entry, st); err != nil {
		return nil, err
	}
	cp, n, err := openCheckpoint(entry, trusted)
	if err != nil {
		return nil, err
	}
	if err := checkInclusion(entry, cp); err != nil {
		return nil, err
	}
	p := &Proof{Index: entry.LogIndex, Origin: cp.Origin, TreeSize: cp.Size}
	for _, s := range n.Sigs {
		p.KeyName = s.Name
	}
	for _, s := range n.UnverifiedSigs {
		p.Unsigned = append(p.Unsigned, s.Name)
	}
	if len(n.Sigs) == 0 && len(trusted) > 0 {
		return p, problem(verdict.Indeterminate, verdict.NoCertificateChainFound,
			"logged at index %d in %s, but its checkpoint is signed by no trusted log key (signed by %v)", p.Index, p.Origin, p.Unsigned)
	}
	return p, nil
}

// checkBody: the entry is a hashedrekord v0.0.2 stating this seal.
func checkBody(entry *Entry, st *Statement) error {
	kv := entry.KindVersion
	if kv.Kind != KindHashedRekord || kv.Version != VersionV002 {
		return problem(verdict.Indeterminate, verdict.FormatNotImplemented, "an entry of kind %q version %q, which this verifier does not read", kv.Kind, kv.Version)
	}
	body, err := parseBody(entry.CanonicalizedBody)
	if err != nil {
		return problem(verdict.Failed, verdict.FormatFailure, "the entry's body is not a hashedrekord: %v", err)
	}
	if body.Kind != kv.Kind || body.APIVersion != kv.Version {
		return problem(verdict.Failed, verdict.FormatFailure, "the entry's body is a %s %s, its kind_version says %s %s", body.Kind, body.APIVersion, kv.Kind, kv.Version)
	}
	spec := body.Spec.HashedRekordV002
	v := spec.Signature.Verifier
	switch {
	case v.PublicKey == nil:
		return problem(verdict.Indeterminate, verdict.FormatNotImplemented, "the entry names the signer by a certificate; custody logs public keys")
	case !bytes.Equal(v.PublicKey.RawBytes, st.PublicKey):
		return problem(verdict.Failed, verdict.HashFailure, "the entry is another key's: not this bundle's signer")
	case spec.Data.Algorithm != st.HashAlgorithm || v.KeyDetails != st.KeyDetails:
		return problem(verdict.Failed, verdict.HashFailure, "the entry states %s with %s, want %s with %s for this key", spec.Data.Algorithm, v.KeyDetails, st.HashAlgorithm, st.KeyDetails)
	case !bytes.Equal(spec.Data.Digest, st.Digest):
		return problem(verdict.Failed, verdict.HashFailure, "the entry's digest is not this manifest's: the entry is another seal's")
	}
	return st.checkSignature(spec.Signature.Content)
}

func parseBody(data []byte) (*hashedRekordBody, error) {
	var body hashedRekordBody
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil {
		return nil, err
	}
	return &body, nil
}

// Logged is what a log entry (a canonicalized body, as a monitor reads it
// from the log's tiles) says was signed, for a hashedrekord 0.0.2 by a
// public key.
type Logged struct {
	HashAlgorithm string // SHA2_256, SHA2_512
	Digest        []byte
	PublicKey     []byte // DER SubjectPublicKeyInfo
}

// ParseLogged reads a log entry; ok is false for another kind, version
// or a certificate verifier (entries of other clients of a shared log).
func ParseLogged(data []byte) (l Logged, ok bool) {
	body, err := parseBody(data)
	if err != nil || body.Kind != KindHashedRekord || body.APIVersion != VersionV002 {
		return Logged{}, false
	}
	spec := body.Spec.HashedRekordV002
	if spec.Signature.Verifier.PublicKey == nil {
		return Logged{}, false
	}
	return Logged{spec.Data.Algorithm, spec.Data.Digest, spec.Signature.Verifier.PublicKey.RawBytes}, true
}

// hashedRekordBody is the log's entry (the canonicalized body), in the
// JSON Rekor v2 writes (rekor-tiles' Entry message).
type hashedRekordBody struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Spec       struct {
		HashedRekordV002 struct {
			Data struct {
				Algorithm string `json:"algorithm"`
				Digest    []byte `json:"digest"`
			} `json:"data"`
			Signature struct {
				Content  []byte `json:"content"`
				Verifier struct {
					KeyDetails string `json:"keyDetails"`
					PublicKey  *struct {
						RawBytes []byte `json:"rawBytes"`
					} `json:"publicKey"`
					X509Certificate json.RawMessage `json:"x509Certificate"`
				} `json:"verifier"`
			} `json:"signature"`
		} `json:"hashedRekordV002"`
	} `json:"spec"`
}

// openCheckpoint reads the checkpoint the inclusion proof carries and
// verifies its signatures with the trusted keys. A signature by a
// trusted key that does not verify is FAILED: the checkpoint was altered.
func openCheckpoint(entry *Entry, trusted []note.Verifier) (*log.Checkpoint, *note.Note, error) {
	env := []byte(entry.InclusionProof.Checkpoint)
	n, err := note.Open(env, note.VerifierList(trusted...))
	var unverified *note.UnverifiedNoteError
	var invalid *note.InvalidSignatureError
	switch {
	case errors.As(err, &unverified):
		n = unverified.Note
	case errors.As(err, &invalid):
		return nil, nil, problem(verdict.Failed, verdict.SigCryptoFailure, "the checkpoint's signature by the trusted key %s does not verify: the checkpoint was altered", invalid.Name)
	case err != nil:
		return nil, nil, problem(verdict.Failed, verdict.FormatFailure, "the checkpoint is not a signed note: %v", err)
	}
	var cp log.Checkpoint
	if _, err := cp.Unmarshal([]byte(n.Text)); err != nil {
		return nil, nil, problem(verdict.Failed, verdict.FormatFailure, "the checkpoint: %v", err)
	}
	return &cp, n, nil
}

// checkInclusion: the proof leads from the entry's leaf, at its index, to
// the checkpoint's root; the copies of index, size and root the entry
// holds beside the checkpoint agree with it.
func checkInclusion(entry *Entry, cp *log.Checkpoint) error {
	ip := &entry.InclusionProof
	switch {
	case entry.LogIndex < 0 || ip.LogIndex != entry.LogIndex:
		return problem(verdict.Failed, verdict.HashFailure, "the entry's index %d and its proof's %d differ", entry.LogIndex, ip.LogIndex)
	case ip.TreeSize < 0 || uint64(ip.TreeSize) != cp.Size || !bytes.Equal(ip.RootHash, cp.Hash):
		return problem(verdict.Failed, verdict.HashFailure, "the inclusion proof is for a tree (size %d) other than its checkpoint's (size %d)", ip.TreeSize, cp.Size)
	}
	leaf := rfc6962.DefaultHasher.HashLeaf(entry.CanonicalizedBody)
	// The library's error spells both roots as byte lists: the report
	// says what it means instead.
	if proof.VerifyInclusion(rfc6962.DefaultHasher, uint64(entry.LogIndex), cp.Size, leaf, ip.Hashes, cp.Hash) != nil {
		return problem(verdict.Failed, verdict.HashFailure, "the inclusion proof does not lead from the entry (index %d) to the root of its checkpoint (size %d): the entry, its index or its proof was altered", entry.LogIndex, cp.Size)
	}
	return nil
}
