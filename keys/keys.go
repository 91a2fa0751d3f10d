// Package keys creates, stores and loads the signing keys of custody bundles.
//
// A doctor's key is created once and kept encrypted under a passphrase:
//
//	key, err := keys.Generate(keys.DefaultAlgorithm) // ECDSA P-256
//	err = keys.WritePrivate("doctor.key", key, passphrase) // also writes doctor.key.pub
//	fp, err := sigalg.Fingerprint(key.Public())             // what the doctor publishes
//
// and loaded, decrypted, to sign:
//
//	signer, err := keys.Load("doctor.key", keys.LoadOptions{ // or doctor.p12
//		Passphrase: keys.PassphraseFromEnvOrTerminal("Passphrase for doctor.key: ", false),
//	})
//
// A Signer is a key wherever it is kept, with its algorithm and, when it
// has one, its certificate chain: a custody key file (no chain), or a
// PKCS#12 file a CA or a health service issued (the key and the
// doctor's certificate chain; Load reads it in the programs that import
// keys/p12 for its effect, as custody does). The exporter, the custody log writer and
// the PDF signer all take a Signer; package keys stays free of sigstore's
// signing stack, so that custody-verify --record can load a key. ECDSA
// P-256 keys (the default)
// sign the message's SHA-256 digest (ASN.1 DER signatures); Ed25519 keys
// sign the message itself (pure Ed25519, 64-byte signatures). P-256 is the
// default because PDF readers (poppler's pdfsig, Adobe Acrobat) validate
// ECDSA PDF signatures but not Ed25519 ones. What each algorithm is
// (name, key, hash, signature encoding, CMS identifiers) is one table,
// keys/sigalg, which the exporter, the custody log, the PDF signer and
// the verifier share.
//
// A key can also be written down as its algorithm's name and 24 BIP-39
// words (Mnemonic) and rebuilt from them (KeyFromMnemonic).
package keys

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"fmt"
)

// The algorithms Generate accepts.
const (
	Ed25519   = "ed25519"
	ECDSAP256 = "ecdsa-p256"
)

// DefaultAlgorithm is what Generate("") and `custody keygen` create.
const DefaultAlgorithm = ECDSAP256

// Generate creates a new private key. The algorithm is "ecdsa-p256" (also
// chosen by "") or "ed25519".
func Generate(algorithm string) (crypto.Signer, error) {
	if algorithm == "" {
		algorithm = DefaultAlgorithm
	}
	switch algorithm {
	case Ed25519:
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		return priv, err
	case ECDSAP256:
		// The private scalar is drawn uniformly from [1, n-1], so every
		// key has a Mnemonic.
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	}
	return nil, fmt.Errorf("unknown key algorithm %q (want %q or %q)", algorithm, Ed25519, ECDSAP256)
}
