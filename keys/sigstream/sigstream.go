// Package sigstream signs a message too large to hold (a manifest of
// 200,000 messages is about 80 MB) from a reader that can be read more
// than once, as keys/sigalg's table says the format signs it: a digest
// algorithm hashes it in one pass; pure Ed25519 (RFC 8032 §5.1.6) hashes
// the whole message twice (once for the nonce, once for the challenge),
// which crypto/ed25519 does only over a slice. So the streamed form of
// that signature is written here, over filippo.io/edwards25519 (the curve
// arithmetic crypto/ed25519 itself is built on): the steps of RFC 8032
// with the two hashes fed from the reader. It gives the same bytes as
// ed25519.Sign (Ed25519 is deterministic; TestSignReaderEd25519 compares
// them).
//
// It is apart from sigalg so that only the exporter links the curve
// arithmetic: custody-verify, which signs only small custody events,
// does not.
package sigstream

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha512"
	"fmt"
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
