package manifest

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"

	"github.com/custody-toolkit/custody/keys/sigalg"
)

// The signer's key travels in META-INF/signer.pem and is named in the
// manifest by its fingerprint; these functions are that part of the format.

// Fingerprint is the lowercase hex SHA-256 of the DER (PKIX) encoding of pub:
// the same value as `openssl pkey -pubin -outform DER | sha256sum`
// (sigalg.Fingerprint, which keys shares).
func Fingerprint(pub crypto.PublicKey) (string, error) { return sigalg.Fingerprint(pub) }

// MarshalPublicKeyPEM encodes pub as a PKIX "PUBLIC KEY" PEM block
// (sigalg.MarshalPublicKeyPEM).
func MarshalPublicKeyPEM(pub crypto.PublicKey) ([]byte, error) {
	return sigalg.MarshalPublicKeyPEM(pub)
}

// IsCanonicalPublicKeyPEM reports whether pemBytes is exactly what
// MarshalPublicKeyPEM writes for pub: one PUBLIC KEY block, no headers,
// 64-column base64, LF line ends, nothing before or after. The key's
// fingerprint pins only its DER; this pins every byte of the file
// (signer.pem, a custody event's .pem), which writers MUST produce so.
func IsCanonicalPublicKeyPEM(pemBytes []byte, pub crypto.PublicKey) bool {
	canon, err := MarshalPublicKeyPEM(pub)
	return err == nil && bytes.Equal(canon, pemBytes)
}

// RSA bounds: below 2048 bits is breakable; above 8192 only costs the
// verifier time, and no signer we support makes such keys.
const (
	minRSABits = 2048
	maxRSABits = 8192
)

// UnsupportedKeyError is a well-formed public key of a type or size this
// reader does not implement or accept: a key that cannot be checked, not
// a damaged one. Fingerprint is its fingerprint all the same (computed
// from its encoding), so that a verifier can tell whether it is the key a
// manifest names.
type UnsupportedKeyError struct {
	Fingerprint string
	Reason      string
	// Key is the key when it could be decoded (a type this reader knows,
	// of a size or curve it refuses), so that a verifier can say which
	// constraint refuses it; nil otherwise.
	Key crypto.PublicKey
}

func (e *UnsupportedKeyError) Error() string { return "public key: " + e.Reason }

// ParsePublicKey reads the first PEM block of pemBytes: a PKIX "PUBLIC KEY",
// or a "CERTIFICATE" (the first of a chain), whose public key it returns.
// Only Ed25519, ECDSA P-256 and P-384, and RSA keys of 2048 to 8192 bits are
// accepted; a well-formed key of another type or size is an
// *UnsupportedKeyError.
func ParsePublicKey(pemBytes []byte) (crypto.PublicKey, error) {
	block, _ := pem.Decode(pemBytes)
	if block == nil {
		return nil, errors.New("public key: no PEM block found")
	}
	var spki []byte
	switch block.Type {
	case "PUBLIC KEY":
		spki = block.Bytes
	case "CERTIFICATE":
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("public key: certificate: %w", err)
		}
		spki = cert.RawSubjectPublicKeyInfo
	default:
		return nil, fmt.Errorf("public key: PEM block is %q, want \"PUBLIC KEY\" or \"CERTIFICATE\"", block.Type)
	}
	sum := sha256.Sum256(spki)
	unsupported := func(reason string) error {
		return &UnsupportedKeyError{Fingerprint: hex.EncodeToString(sum[:]), Reason: reason}
	}
	if oid, ok := spkiAlgorithm(spki); !ok {
		return nil, errors.New("public key: not a DER SubjectPublicKeyInfo")
	} else if !knownKeyAlgorithms[oid.String()] {
		return nil, unsupported(fmt.Sprintf("key algorithm %s not accepted (this reader implements Ed25519, ECDSA and RSA keys)", oid))
	}
	pub, err := x509.ParsePKIXPublicKey(spki)
	if err != nil {
		return nil, fmt.Errorf("public key: %w", err)
	}
	if err := checkPublicKey(pub); err != nil {
		return nil, &UnsupportedKeyError{Fingerprint: hex.EncodeToString(sum[:]), Reason: err.Error(), Key: pub}
	}
	return pub, nil
}

// knownKeyAlgorithms are the SubjectPublicKeyInfo algorithms ParsePublicKey
// reads: Ed25519, EC public key, RSA encryption.
var knownKeyAlgorithms = map[string]bool{"1.3.101.112": true, "1.2.840.10045.2.1": true, "1.2.840.113549.1.1.1": true}

// spkiAlgorithm reads the algorithm OID of a DER SubjectPublicKeyInfo.
func spkiAlgorithm(spki []byte) (asn1.ObjectIdentifier, bool) {
	var info struct {
		Algorithm pkix.AlgorithmIdentifier
		PublicKey asn1.BitString
	}
	rest, err := asn1.Unmarshal(spki, &info)
	if err != nil || len(rest) != 0 {
		return nil, false
	}
	return info.Algorithm.Algorithm, true
}

// checkPublicKey refuses the key types and sizes custody does not trust.
func checkPublicKey(pub crypto.PublicKey) error {
	switch k := pub.(type) {
	case ed25519.PublicKey:
		return nil
	case *ecdsa.PublicKey:
		if k.Curve == elliptic.P256() || k.Curve == elliptic.P384() {
			return nil
		}
		return fmt.Errorf("ECDSA curve %s not accepted (want P-256 or P-384)", k.Curve.Params().Name)
	case *rsa.PublicKey:
		if n := k.N.BitLen(); n < minRSABits || n > maxRSABits {
			return fmt.Errorf("RSA key of %d bits not accepted (want %d to %d bits)", n, minRSABits, maxRSABits)
		}
		return nil
	}
	return fmt.Errorf("key type %T not accepted (want Ed25519, ECDSA P-256/P-384 or RSA)", pub)
}
