package pdfseal

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"fmt"
	"io"
	"math/big"
	"time"

	"github.com/custody-toolkit/custody/internal/tokencheck"
	"github.com/custody-toolkit/custody/keys"
	"github.com/custody-toolkit/custody/keys/sigalg"
	"github.com/custody-toolkit/custody/manifest"
)

// selfIssuedValidity is long because the certificate only names the key: it
// is not what establishes trust (the key's fingerprint is, see package doc).
const selfIssuedValidity = 30 * 365 * 24 * time.Hour

// CheckSignerChain checks a certificate chain for signing a PDF with the
// key signer: chain must be one certification path, signer's certificate
// first, up to and including a self-issued root, each link verified
// (tokencheck.CheckCertificateChain: no SHA-1 or MD5, no RSA key under 2048
// bits, a first certificate allowed to sign); its first certificate must
// certify exactly signer, an Ed25519, ECDSA P-256 or RSA key; and every
// certificate must be valid at the time at, the export time: a
// certificate outside its validity period vouches for nothing.
func CheckSignerChain(signer crypto.PublicKey, chain []*x509.Certificate, at time.Time) error {
	if err := checkSignerKey(signer); err != nil {
		return err
	}
	if err := tokencheck.CheckCertificateChain(chain); err != nil {
		return err
	}
	if !keys.SamePublicKey(chain[0].PublicKey, signer) {
		return fmt.Errorf("certificate 1 ('%s') is not for the signing key", chain[0].Subject)
	}
	for i, c := range chain {
		if at.Before(c.NotBefore) || at.After(c.NotAfter) {
			return fmt.Errorf("certificate %d ('%s') is not valid at %s: it is valid from %s to %s", i+1, c.Subject,
				at.UTC().Format(time.RFC3339), c.NotBefore.UTC().Format(time.RFC3339), c.NotAfter.UTC().Format(time.RFC3339))
		}
	}
	return nil
}

// signerChain returns chain after checking it (CheckSignerChain), or, when
// chain is empty, a certificate the key issues to itself.
func signerChain(signer crypto.Signer, chain []*x509.Certificate, at time.Time) ([]*x509.Certificate, error) {
	if len(chain) == 0 {
		self, err := selfIssued(signer, at)
		if err != nil {
			return nil, err
		}
		chain = []*x509.Certificate{self}
	}
	if err := CheckSignerChain(signer.Public(), chain, at); err != nil {
		return nil, fmt.Errorf("pdfseal: the signer's certificates: %w", err)
	}
	return chain, nil
}

// checkSignerKey accepts the keys of the algorithm table (sigalg), and
// says why another is refused.
func checkSignerKey(pub crypto.PublicKey) error {
	if _, ok := sigalg.ForKey(pub); ok {
		return nil
	}
	if k, ok := pub.(*ecdsa.PublicKey); ok {
		return fmt.Errorf("ECDSA key on %s; only P-256 is supported", k.Curve.Params().Name)
	}
	return fmt.Errorf("%T keys are not supported; use Ed25519, ECDSA P-256 or RSA", pub)
}

// selfIssued makes the certificate the key issues to itself, valid from at.
func selfIssued(signer crypto.Signer, at time.Time) (*x509.Certificate, error) {
	pub := signer.Public()
	if err := checkSignerKey(pub); err != nil {
		return nil, fmt.Errorf("pdfseal: %w", err)
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
// then never varies, nor the /Contents room sized from it,
// nor any byte of the PDF outside the signature. Other signers get
// crypto/rand, and two seals may then differ in length by a few bytes.
func certRand(s crypto.Signer) io.Reader {
	switch s.(type) {
	case *ecdsa.PrivateKey, ed25519.PrivateKey:
		return nil
	}
	return rand.Reader
}
