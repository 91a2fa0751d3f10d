// Package sigalg is the one table of the signature algorithms custody
// signs with (docs/bundle-format.md §5): for each, its name in the
// manifest and the custody log, the key that uses it, what is hashed
// before signing, the signature's encoding, and how a CMS signature (the
// standalone PDF's) names and digests it. The exporter, the custody log,
// the PDF signer and the verifier all ask this table instead of switching
// on key types, so that an algorithm is added, or refused, in one place.
//
// The key decides the algorithm, never a file: ForKey is how a signer
// picks it and how a verifier checks that a file's algorithm name fits
// the key. That is why RSA has one algorithm, RSASSA-PKCS1-v1_5 with
// SHA-256, and not RSASSA-PSS beside it: every card and HSM signs it
// (CKM_RSA_PKCS), and it is deterministic (docs/bundle-format.md §5
// says more). It also holds how the format names a key (Fingerprint) and
// stores one (MarshalPublicKeyPEM).
//
// It is a leaf of the module (it imports nothing of it but the OID
// table), so that manifest, keys and verify share it without importing
// each other.
package sigalg

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"

	"github.com/custody-toolkit/custody/internal/cms"
)

// Algorithm is one signature algorithm of the bundle format.
type Algorithm struct {
	// Name is the algorithm as manifest.json and custody events name it.
	Name string
	// Title names it in messages ("Ed25519", "ECDSA").
	Title string
	// KeyType is what `custody keygen --algorithm` calls its key.
	KeyType string
	// Hash is applied to the message before signing; zero when the
	// signature is over the message itself (pure Ed25519, RFC 8032).
	Hash crypto.Hash
	// Encoding is the signature's form, for documentation and messages.
	Encoding string
	// CMSDigest is the digest of a CMS signature's signed attributes:
	// SHA-512 for Ed25519 (RFC 8419 §3; OpenSSL refuses SHA-256 there).
	CMSDigest crypto.Hash
	// CMSSignature is the CMS signatureAlgorithm (RFC 8419, RFC 5758,
	// RFC 4055).
	CMSSignature asn1.ObjectIdentifier
	// SinceFormat is the first bundle format version that defines it
	// (custody.bundle/vN): a manifest signed with it has that format or a
	// later one, so that a verifier that predates the algorithm reads the
	// bundle as a format it does not know (INDETERMINATE), not as a known
	// format with an algorithm it never defined (FAILED).
	SinceFormat int

	fits   func(crypto.PublicKey) bool
	check  func(crypto.PublicKey) error // nil: every key that fits is accepted
	verify func(pub crypto.PublicKey, digestOrMsg, sig []byte) bool
}

// The algorithms, in the order they were introduced.
var (
	Ed25519 = &Algorithm{
		Name: "ed25519", Title: "Ed25519", KeyType: "ed25519",
		Encoding:  "64 bytes (RFC 8032), over the message itself",
		CMSDigest: crypto.SHA512, CMSSignature: cms.OIDEd25519, SinceFormat: 1,
		fits: func(k crypto.PublicKey) bool { _, ok := k.(ed25519.PublicKey); return ok },
		verify: func(k crypto.PublicKey, msg, sig []byte) bool {
			return ed25519.Verify(k.(ed25519.PublicKey), msg, sig)
		},
	}
	ECDSAP256SHA256 = &Algorithm{
		Name: "ecdsa-p256-sha256", Title: "ECDSA", KeyType: "ecdsa-p256",
		Hash:      crypto.SHA256,
		Encoding:  "ASN.1 DER (r, s), over the message's SHA-256",
		CMSDigest: crypto.SHA256, CMSSignature: cms.OIDECDSAWithSHA256, SinceFormat: 1,
		fits: func(k crypto.PublicKey) bool {
			e, ok := k.(*ecdsa.PublicKey)
			return ok && e.Curve == elliptic.P256()
		},
		verify: func(k crypto.PublicKey, digest, sig []byte) bool {
			return ecdsa.VerifyASN1(k.(*ecdsa.PublicKey), digest, sig)
		},
	}
	// RSAPKCS1SHA256 is the algorithm of the RSA keys doctors hold (PKCS#12
	// files, national ID and college cards): RSASSA-PKCS1-v1_5 (RFC 8017
	// §8.2) over SHA-256, with keys of RSAMinBits to RSAMaxBits (checkRSA).
	RSAPKCS1SHA256 = &Algorithm{
		Name: "rsa-pkcs1-sha256", Title: "RSA", KeyType: "rsa",
		Hash:      crypto.SHA256,
		Encoding:  "RSASSA-PKCS1-v1_5 (RFC 8017 §8.2), as many bytes as the modulus, over the message's SHA-256",
		CMSDigest: crypto.SHA256, CMSSignature: cms.OIDSHA256WithRSA, SinceFormat: 5,
		fits:  func(k crypto.PublicKey) bool { _, ok := k.(*rsa.PublicKey); return ok },
		check: checkRSA,
		verify: func(k crypto.PublicKey, digest, sig []byte) bool {
			return rsa.VerifyPKCS1v15(k.(*rsa.PublicKey), crypto.SHA256, digest, sig) == nil
		},
	}
)

// All lists every algorithm of the table.
var All = []*Algorithm{Ed25519, ECDSAP256SHA256, RSAPKCS1SHA256}

// The RSA keys the format admits. Under 2048 bits a key is within reach
// of a well-funded attacker (NIST SP 800-131A); above 4096 no card or
// HSM a doctor holds makes one, and each verification would cost more.
// The exponent is held to what FIPS 186-5 allows, odd and at least
// 65537 (what every card and CA uses), because Go's crypto/rsa refuses
// smaller ones in FIPS mode and accepts them otherwise: a verdict must
// not depend on how the verifier was built or run.
const (
	RSAMinBits = 2048
	RSAMaxBits = 4096
	rsaMinE    = 65537
)

// ErrConstraint marks a key of an algorithm of the table that the
// algorithm's constraints refuse (an RSA key of 1024 bits): a signature
// by it proves nothing, which a verifier reports as such
// (CRYPTO_CONSTRAINTS_FAILURE), not as forged.
var ErrConstraint = errors.New("key refused by the algorithm's constraints")

func checkRSA(k crypto.PublicKey) error {
	pub := k.(*rsa.PublicKey)
	if n := pub.N.BitLen(); n < RSAMinBits || n > RSAMaxBits {
		return fmt.Errorf("%w: an RSA key of %d bits (the format admits %d to %d)", ErrConstraint, n, RSAMinBits, RSAMaxBits)
	}
	if pub.E < rsaMinE || pub.E%2 == 0 {
		return fmt.Errorf("%w: an RSA key with public exponent %d (the format admits odd exponents of at least %d)", ErrConstraint, pub.E, rsaMinE)
	}
	return nil
}

// Names lists the names of the table's algorithms, for messages.
func Names() string {
	names := make([]string, len(All))
	for i, a := range All {
		names[i] = a.Name
	}
	return strings.Join(names, ", ")
}

// ForKey is the algorithm pub signs with; false for a key no algorithm of
// the table uses.
func ForKey(pub crypto.PublicKey) (*Algorithm, bool) {
	for _, a := range All {
		if a.fits(pub) {
			return a, true
		}
	}
	return nil, false
}

// ByName is the algorithm a file names; false for a name not in the table
// (a later version's, say).
func ByName(name string) (*Algorithm, bool) {
	for _, a := range All {
		if a.Name == name {
			return a, true
		}
	}
	return nil, false
}

// Fits reports whether pub is a key of this algorithm.
func (a *Algorithm) Fits(pub crypto.PublicKey) bool { return a.fits(pub) }

// CheckKey holds pub, a key that Fits, to the algorithm's constraints
// (an RSA key's size and exponent); the error wraps ErrConstraint.
func (a *Algorithm) CheckKey(pub crypto.PublicKey) error {
	if !a.fits(pub) {
		return fmt.Errorf("a %T key is not a %s key", pub, a.Name)
	}
	if a.check == nil {
		return nil
	}
	return a.check(pub)
}

// Sign signs msg with key as the bundle format signs: over the message
// itself, or over its Hash. A key the constraints refuse does not sign.
func (a *Algorithm) Sign(key crypto.Signer, msg []byte) ([]byte, error) {
	if err := a.CheckKey(key.Public()); err != nil {
		return nil, fmt.Errorf("signing %s: %w", a.Name, err)
	}
	return key.Sign(rand.Reader, a.digest(msg), a.Hash)
}

// Verify reports whether sig is this algorithm's signature of msg by pub,
// a key the constraints accept (CheckKey says why another is refused).
func (a *Algorithm) Verify(pub crypto.PublicKey, msg, sig []byte) bool {
	if a.CheckKey(pub) != nil {
		return false
	}
	return a.verify(pub, a.digest(msg), sig)
}

// VerifyDigest is Verify for an algorithm that signs a digest (Hash is not
// zero), given the message's digest: for a message read as it streams
// (keys/sigstream). False for pure Ed25519, which signs the message itself.
func (a *Algorithm) VerifyDigest(pub crypto.PublicKey, digest, sig []byte) bool {
	if a.Hash == 0 || a.CheckKey(pub) != nil {
		return false
	}
	return a.verify(pub, digest, sig)
}

// digest is what the signature covers: msg itself, or its Hash.
func (a *Algorithm) digest(msg []byte) []byte {
	if a.Hash == 0 {
		return msg
	}
	h := a.Hash.New()
	h.Write(msg)
	return h.Sum(nil)
}

// Fingerprint is the lowercase hex SHA-256 of the DER (PKIX) encoding of pub:
// the same value as `openssl pkey -pubin -outform DER | sha256sum`.
func Fingerprint(pub crypto.PublicKey) (string, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return "", fmt.Errorf("fingerprint: %w", err)
	}
	sum := sha256.Sum256(der)
	return hex.EncodeToString(sum[:]), nil
}

// MarshalPublicKeyPEM encodes pub as a PKIX "PUBLIC KEY" PEM block.
func MarshalPublicKeyPEM(pub crypto.PublicKey) ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, fmt.Errorf("encoding public key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), nil
}
