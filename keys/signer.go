package keys

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"

	"github.com/custody-toolkit/custody/keys/sigalg"
)

// Signer is a signing key wherever it is kept, with what names it: the one
// shape the exporter (manifest.sig), the custody log writer (each event's
// signature) and the PDF signer (the CMS signature) take. It holds
//
//   - the key, a crypto.Signer: in memory (a custody key file, a PKCS#12
//     file) or behind a device that may take its time (a card);
//   - its algorithm, which the key decides (keys/sigalg), never a file;
//   - optionally its certificate chain: the signer's certificate first,
//     then its issuers, as a CA issued them (a PKCS#12 file carries one).
//     A bundle then carries the chain, and the PDF signature names the
//     person instead of a fingerprint.
//
// Make one with NewSigner, or Load for a key file.
type Signer struct {
	key   crypto.Signer
	alg   *sigalg.Algorithm
	chain []*x509.Certificate
}

// NewSigner wraps key, of an algorithm of the table (sigalg), with its
// certificate chain (nil for none; chain[0] must certify key).
func NewSigner(key crypto.Signer, chain []*x509.Certificate) (*Signer, error) {
	if key == nil {
		return nil, errors.New("no signing key")
	}
	if err := checkSigningKey(key); err != nil {
		return nil, err
	}
	alg, ok := sigalg.ForKey(key.Public())
	if !ok {
		return nil, fmt.Errorf("a %T key is not supported (want Ed25519, ECDSA P-256 or RSA)", key.Public())
	}
	s := &Signer{key: key, alg: alg}
	return s, s.setChain(chain)
}

// WithChain is s with the certificate chain chain instead of its own.
func (s *Signer) WithChain(chain []*x509.Certificate) (*Signer, error) {
	c := *s
	return &c, c.setChain(chain)
}

func (s *Signer) setChain(chain []*x509.Certificate) error {
	if len(chain) > 0 && !SamePublicKey(chain[0].PublicKey, s.key.Public()) {
		return fmt.Errorf("the certificate for %q is not for the signing key", chain[0].Subject)
	}
	s.chain = chain
	return nil
}

// Public is the signer's public key.
func (s *Signer) Public() crypto.PublicKey { return s.key.Public() }

// Algorithm is what the signer signs with.
func (s *Signer) Algorithm() *sigalg.Algorithm { return s.alg }

// Chain is the signer's certificate, then its issuers; nil without one.
func (s *Signer) Chain() []*x509.Certificate { return s.chain }

// Key is the underlying crypto.Signer, for what must sign a digest itself
// (a CMS signature) or know the key's type (deterministic salts,
// SignDeterministic).
func (s *Signer) Key() crypto.Signer { return s.key }

// Fingerprint is how the bundle format names the key (sigalg.Fingerprint).
func (s *Signer) Fingerprint() (string, error) { return sigalg.Fingerprint(s.Public()) }

// SignMessage signs msg as the bundle format signs (docs/bundle-format.md
// §5). A key on a device may block (a card waiting for its PIN): ctx
// ends the wait, though the device itself cannot be interrupted.
func (s *Signer) SignMessage(ctx context.Context, msg []byte) ([]byte, error) {
	return s.await(ctx, func() ([]byte, error) { return s.alg.Sign(s.key, msg) })
}

// await runs sign, returning early when ctx ends.
func (s *Signer) await(ctx context.Context, sign func() ([]byte, error)) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	type result struct {
		sig []byte
		err error
	}
	done := make(chan result, 1)
	go func() {
		sig, err := sign()
		done <- result{sig, err}
	}()
	select {
	case r := <-done:
		return r.sig, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// SamePublicKey reports whether a and b are the same key (their PKIX
// encodings are equal).
func SamePublicKey(a, b crypto.PublicKey) bool {
	x, err1 := x509.MarshalPKIXPublicKey(a)
	y, err2 := x509.MarshalPKIXPublicKey(b)
	return err1 == nil && err2 == nil && bytes.Equal(x, y)
}

// SignWith runs sign with the signer's algorithm and key, as SignMessage
// runs its signature (returning when ctx ends): for a message signed in
// another form than a slice (keys/sigstream, which custody-verify does
// not link).
func (s *Signer) SignWith(ctx context.Context, sign func(alg *sigalg.Algorithm, key crypto.Signer) ([]byte, error)) ([]byte, error) {
	return s.await(ctx, func() ([]byte, error) { return sign(s.alg, s.key) })
}
