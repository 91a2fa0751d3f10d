// Package kms lets keys.Load open a key a hospital keeps in a key
// management service, through sigstore's KMS providers: a program imports
// it for its effect, as custody does.
//
//	import _ "github.com/custody-toolkit/custody/keys/kms"
//
// Only HashiCorp Vault's (and OpenBao's) transit engine is wired:
// --key hashivault://KEY, with VAULT_ADDR and VAULT_TOKEN (or BAO_ADDR,
// BAO_TOKEN) in the environment, the transit mount in
// TRANSIT_SECRET_ENGINE_PATH (default "transit"). Its client adds about
// twenty modules to custody; the AWS, Google Cloud and Azure providers
// add the clouds' SDKs (docs/identity.md gives the numbers), so those
// keys are reached through the service's PKCS#11 library instead
// (keys/pkcs11).
//
// It is a package apart so that custody-verify links none of it (its
// dependency test). The key signs through Vault on every signature; Vault
// signs RSA keys with PKCS#1 v1.5 (what rsa-pkcs1-sha256 is), ECDSA P-256
// over the SHA-256 digest custody sends, Ed25519 over the message itself.
package kms

import (
	"context"
	"crypto"
	"fmt"

	"github.com/sigstore/sigstore/pkg/signature/kms/hashivault"

	"github.com/custody-toolkit/custody/keys"
)

func init() {
	keys.RegisterOpener("hashivault", Open)
}

// Open opens the Vault transit key uri names (hashivault://KEY), the
// keys.Opener for "hashivault". The key must be of an algorithm custody
// signs with (keys.NewSigner says which); it carries no certificate chain
// (--pdf-cert gives one).
func Open(uri string, _ keys.LoadOptions) (*keys.Signer, error) {
	// crypto.SHA256: ECDSA and RSA keys sign the digest custody computes
	// (sigalg); the provider itself signs Ed25519 over the message.
	sv, err := hashivault.LoadSignerVerifier(uri, crypto.SHA256)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", uri, err)
	}
	// CryptoSigner reads the key from Vault now, so that a server out of
	// reach or a wrong key name fails here rather than at the first
	// signature.
	signer, _, err := sv.CryptoSigner(context.Background(), nil)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", uri, err)
	}
	s, err := keys.NewSigner(signer, nil)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", uri, err)
	}
	return s, nil
}
