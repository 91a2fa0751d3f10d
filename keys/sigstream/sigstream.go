// Package sigstream signs and verifies a message too large to hold (a
// manifest of 200,000 messages is about 80 MB) as keys/sigalg's table
// says the format signs it, reading the message as it streams. A digest
// algorithm (ECDSA, RSA) hashes it in one pass, and crypto/ecdsa and
// crypto/rsa take the digest. Pure Ed25519 (RFC 8032 §5.1.6, §5.1.7)
// hashes the message itself: twice to sign (once for the nonce, once for
// the challenge), once to verify (SHA-512 of R ‖ A ‖ M), which
// crypto/ed25519 does only over a slice. So the streamed forms of that
// signature are written here, over filippo.io/edwards25519 (the curve
// arithmetic crypto/ed25519 itself is built on, kept by its author): the
// steps of RFC 8032 with the hashes fed from the reader. Signing gives
// the same bytes as ed25519.Sign (Ed25519 is deterministic;
// TestSignReaderEd25519), and Verifier's answer is ed25519.Verify's on
// every input, non-canonical encodings and small-order points included
// (TestVerifierAgreesEd25519, FuzzVerifierEd25519, the RFC 8032 vectors):
// a verdict must not depend on which of the two checked it.
//
// It is apart from sigalg so that only what reads or writes a manifest
// links the curve arithmetic.
package sigstream

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha512"
	"crypto/subtle"
	"fmt"
	"hash"
	"io"

	"filippo.io/edwards25519"

	"github.com/custody-toolkit/custody/keys/sigalg"
)

// SignReader signs the message that open returns, as a.Sign signs it,
// without holding it: open is called once for a digest algorithm and
// twice for Ed25519; each reader must give the same bytes. An Ed25519
// key that is not held in memory (a card) signs only a slice: the message
// is then read whole.
func SignReader(a *sigalg.Algorithm, key crypto.Signer, open func() (io.Reader, error)) ([]byte, error) {
	if err := a.CheckKey(key.Public()); err != nil {
		return nil, fmt.Errorf("signing %s: %w", a.Name, err)
	}
	if a.Hash != 0 {
		h := a.Hash.New()
		if err := copyFrom(h, open); err != nil {
			return nil, err
		}
		return key.Sign(rand.Reader, h.Sum(nil), a.Hash)
	}
	if priv, ok := key.(ed25519.PrivateKey); ok {
		return signEd25519Reader(priv, open)
	}
	r, err := open()
	if err != nil {
		return nil, err
	}
	msg, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	return a.Sign(key, msg)
}

// signEd25519Reader is RFC 8032 §5.1.6 with M read from open, twice.
func signEd25519Reader(priv ed25519.PrivateKey, open func() (io.Reader, error)) ([]byte, error) {
	expanded := sha512.Sum512(priv.Seed())
	s, err := edwards25519.NewScalar().SetBytesWithClamping(expanded[:32])
	if err != nil {
		return nil, err
	}
	nonce := sha512.New() // r = SHA-512(prefix || M)
	nonce.Write(expanded[32:])
	if err := copyFrom(nonce, open); err != nil {
		return nil, err
	}
	r, err := edwards25519.NewScalar().SetUniformBytes(nonce.Sum(nil))
	if err != nil {
		return nil, err
	}
	R := new(edwards25519.Point).ScalarBaseMult(r).Bytes()
	challenge := sha512.New() // k = SHA-512(R || A || M)
	challenge.Write(R)
	challenge.Write(priv.Public().(ed25519.PublicKey))
	if err := copyFrom(challenge, open); err != nil {
		return nil, err
	}
	k, err := edwards25519.NewScalar().SetUniformBytes(challenge.Sum(nil))
	if err != nil {
		return nil, err
	}
	S := edwards25519.NewScalar().MultiplyAdd(k, s, r) // S = k·s + r
	return append(R, S.Bytes()...), nil
}

// copyFrom writes what a fresh reader from open gives into w.
func copyFrom(w io.Writer, open func() (io.Reader, error)) error {
	r, err := open()
	if err != nil {
		return err
	}
	_, err = io.Copy(w, r)
	return err
}

// Verifier checks a signature of a message written into it, as
// a.Verify(pub, msg, sig) checks it over the whole message: write the
// message, then call Verify. It holds a hash's state, never the message.
type Verifier struct {
	alg *sigalg.Algorithm
	pub crypto.PublicKey
	sig []byte
	h   hash.Hash // the algorithm's digest of M, or Ed25519's SHA-512(R ‖ A ‖ M)
}

// NewVerifier starts the verification of sig by pub under a.
func NewVerifier(a *sigalg.Algorithm, pub crypto.PublicKey, sig []byte) *Verifier {
	v := &Verifier{alg: a, pub: pub, sig: sig}
	if a.Hash != 0 {
		v.h = a.Hash.New()
		return v
	}
	v.h = sha512.New()
	if key, ok := pub.(ed25519.PublicKey); ok && len(sig) == ed25519.SignatureSize {
		v.h.Write(sig[:32]) // R
		v.h.Write(key)      // A, as encoded (RFC 8032 §5.1.7 step 2)
	}
	return v
}

// Write adds the next bytes of the message.
func (v *Verifier) Write(p []byte) (int, error) { return v.h.Write(p) }

// Verify reports whether the signature is valid for the message written.
func (v *Verifier) Verify() bool {
	if v.alg.Hash != 0 {
		return v.alg.VerifyDigest(v.pub, v.h.Sum(nil), v.sig)
	}
	key, ok := v.pub.(ed25519.PublicKey)
	if !ok || v.alg.CheckKey(key) != nil {
		return false
	}
	return verifyEd25519(key, v.sig, v.h.Sum(nil))
}

// verifyEd25519 is RFC 8032 §5.1.7 as crypto/ed25519.Verify makes it,
// given k's hash (SHA-512 of R ‖ A ‖ M): the same decoding (A's
// non-canonical encodings accepted, S's refused), and the cofactorless
// equation [S]B = R + [k]A compared on R's encoding.
func verifyEd25519(pub ed25519.PublicKey, sig, hram []byte) bool {
	if len(pub) != ed25519.PublicKeySize || len(sig) != ed25519.SignatureSize || sig[63]&224 != 0 {
		return false
	}
	A, err := new(edwards25519.Point).SetBytes(pub)
	if err != nil {
		return false
	}
	k, err := edwards25519.NewScalar().SetUniformBytes(hram)
	if err != nil {
		return false
	}
	S, err := edwards25519.NewScalar().SetCanonicalBytes(sig[32:])
	if err != nil {
		return false
	}
	minusA := new(edwards25519.Point).Negate(A)
	R := new(edwards25519.Point).VarTimeDoubleScalarBaseMult(k, minusA, S) // [k](-A) + [S]B
	return subtle.ConstantTimeCompare(sig[:32], R.Bytes()) == 1
}
