package kms

import (
	"crypto"

	"github.com/sigstore/sigstore/pkg/signature/kms/hashivault"
)

// loadVault opens a Vault transit key (hashivault://KEY). Vault signs RSA
// keys with PKCS#1 v1.5 (the provider asks for it), ECDSA P-256 over the
// SHA-256 digest custody sends, Ed25519 over the message itself.
func loadVault(uri string) (crypto.Signer, error) {
	// crypto.SHA256: ECDSA and RSA keys sign the digest custody computes
	// (sigalg); the provider itself signs Ed25519 over the message.
	return cryptoSigner(hashivault.LoadSignerVerifier(uri, crypto.SHA256))
}
