package kms

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"errors"
	"fmt"
	"io"
)

// checkedSigner is a KMS key as custody uses it: its public key read once,
// when the key was opened (the providers' Public re-reads it from the
// service every few minutes and returns nil on a network error), and each
// signature verified against it before it is returned. A provider signs
// with the algorithm the service chooses for the key; a signature that
// does not verify as the one the bundle format requires for the key type
// (RSASSA-PKCS1-v1_5 or ECDSA over the digest custody sent, Ed25519 over
// the message) is an error here, never a seal a verifier would call
// forged.
type checkedSigner struct {
	key crypto.Signer
	pub crypto.PublicKey
}

func newCheckedSigner(key crypto.Signer) (*checkedSigner, error) {
	pub := key.Public()
	if pub == nil {
		return nil, errors.New("the key service returned no public key")
	}
	return &checkedSigner{key: key, pub: pub}, nil
}

func (c *checkedSigner) Public() crypto.PublicKey { return c.pub }

func (c *checkedSigner) Sign(rand io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	if _, pss := opts.(*rsa.PSSOptions); pss {
		return nil, errors.New("custody signs no RSA-PSS signature with a KMS key")
	}
	sig, err := c.key.Sign(rand, digest, opts)
	if err != nil {
		return nil, err
	}
	if !verifies(c.pub, digest, sig, opts.HashFunc()) {
		return nil, fmt.Errorf("the key service returned a signature that does not verify as %s: "+
			"the key signs with another algorithm (docs/identity.md, \"Hospital KMS keys\")", expected(c.pub))
	}
	return sig, nil
}

// verifies reports whether sig is the signature custody asked for.
func verifies(pub crypto.PublicKey, digest, sig []byte, hash crypto.Hash) bool {
	switch pub := pub.(type) {
	case *rsa.PublicKey:
		return rsa.VerifyPKCS1v15(pub, hash, digest, sig) == nil
	case *ecdsa.PublicKey:
		return ecdsa.VerifyASN1(pub, digest, sig)
	case ed25519.PublicKey:
		return hash == 0 && ed25519.Verify(pub, digest, sig)
	}
	return false
}

func expected(pub crypto.PublicKey) string {
	switch pub.(type) {
	case *rsa.PublicKey:
		return "RSASSA-PKCS1-v1_5"
	case *ecdsa.PublicKey:
		return "ECDSA"
	}
	return "Ed25519"
}
