package pdfseal

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"fmt"
	"io"
	"math/big"
	"time"

	"github.com/custody-toolkit/custody/manifest"
)

// selfIssuedValidity is long because the certificate only names the key: it
// is not what establishes trust (the key's fingerprint is, see package doc).
const selfIssuedValidity = 30 * 365 * 24 * time.Hour

// certificateFor returns cert after checking that it certifies signer's
// key, or, when cert is nil, a certificate the key issues to itself.
func certificateFor(signer crypto.Signer, cert *x509.Certificate, at time.Time) (*x509.Certificate, error) {
	pub := signer.Public()
	switch k := pub.(type) {
	case ed25519.PublicKey:
	case *ecdsa.PublicKey:
		if k.Curve != elliptic.P256() {
			return nil, fmt.Errorf("pdfseal: ECDSA key on %s; only P-256 is supported", k.Curve.Params().Name)
		}
	default:
		return nil, fmt.Errorf("pdfseal: %T keys are not supported; use Ed25519 or ECDSA P-256", pub)
	}
	if cert != nil {
		if !samePublicKey(cert.PublicKey, pub) {
			return nil, fmt.Errorf("pdfseal: the certificate %q is not for the signing key", cert.Subject)
		}
		return cert, nil
	}
	fp, err := manifest.Fingerprint(pub)
	if err != nil {
		return nil, fmt.Errorf("pdfseal: %w", err)
	}
	notBefore := at.UTC().Truncate(time.Second)
	// The serial is derived, not random, so that the same key and time give
	// the same certificate apart from an ECDSA signature's randomness.
	seed := sha256.Sum256([]byte(fp + notBefore.Format(time.RFC3339)))
	serial := new(big.Int).SetBytes(seed[:16])
	serial.SetBit(serial, 127, 0)
	keyID, _ := hex.DecodeString(fp[:40])
	tmpl := &x509.Certificate{
		SerialNumber:          serial.Add(serial, big.NewInt(1)), // positive, non-zero
		Subject:               pkix.Name{CommonName: fp[:16], Organization: []string{"custody signer"}},
		NotBefore:             notBefore,
		NotAfter:              notBefore.Add(selfIssuedValidity),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
		BasicConstraintsValid: true,
		SubjectKeyId:          keyID,
	}
	raw, err := x509.CreateCertificate(certRand(signer), tmpl, tmpl, pub, signer)
	if err != nil {
		return nil, fmt.Errorf("pdfseal: issuing the signer certificate: %w", err)
	}
	return x509.ParseCertificate(raw)
}

// certRand is nil, which asks for RFC 6979 deterministic ECDSA, for the
// in-memory keys whose Sign is known to accept it: the certificate's length
// then never varies, nor the signature placeholder pdfsign sizes from it,
// nor any byte of the PDF outside the signature. Other signers get
// crypto/rand, and two seals may then differ in length by a few bytes.
func certRand(s crypto.Signer) io.Reader {
	switch s.(type) {
	case *ecdsa.PrivateKey, ed25519.PrivateKey:
		return nil
	}
	return rand.Reader
}

func samePublicKey(a, b crypto.PublicKey) bool {
	x, err1 := x509.MarshalPKIXPublicKey(a)
	y, err2 := x509.MarshalPKIXPublicKey(b)
	return err1 == nil && err2 == nil && bytes.Equal(x, y)
}
