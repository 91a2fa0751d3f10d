package cms

import (
	"crypto"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
)

// Signatures made by a certificate's key, including keys crypto/x509
// cannot use. EU-qualified CAs (D-Trust among them) issue RSA keys
// restricted to RSASSA-PSS: their SubjectPublicKeyInfo algorithm is
// id-RSASSA-PSS (RFC 4055 §1.2), whose key crypto/x509 leaves nil (Go
// issue 48314), so it can verify neither a token signed by such a key
// nor a certificate such a CA issued. No maintained Go library reads
// them, and the key is only an RSAPublicKey with optional restrictions:
// it is read here, and the restrictions are honoured (CheckKeyConstraints).

// ErrUnsupported marks a signature this package does not implement (an
// algorithm, a key type, a parameter crypto/rsa cannot express), as
// opposed to one that does not verify: the first proves nothing.
var ErrUnsupported = errors.New("not implemented")

// ErrKeyConstraint marks a signature its key's own parameters forbid
// (an RSASSA-PSS key used with another scheme, hash or shorter salt).
var ErrKeyConstraint = errors.New("forbidden by the key's parameters")

type subjectPublicKeyInfo struct {
	Algorithm pkix.AlgorithmIdentifier
	PublicKey asn1.BitString
}

// pssKey returns the SubjectPublicKeyInfo of c and whether its key is
// restricted to RSASSA-PSS.
func pssKey(c *x509.Certificate) (subjectPublicKeyInfo, bool, error) {
	var spki subjectPublicKeyInfo
	if err := unmarshalAll(c.RawSubjectPublicKeyInfo, &spki, "SubjectPublicKeyInfo"); err != nil {
		return spki, false, err
	}
	return spki, spki.Algorithm.Algorithm.Equal(oidRSAPSS), nil
}

// CertificateKey returns the public key of c: crypto/x509's, or the RSA
// key of an id-RSASSA-PSS SubjectPublicKeyInfo, which it does not read.
func CertificateKey(c *x509.Certificate) (crypto.PublicKey, error) {
	if c.PublicKey != nil {
		return c.PublicKey, nil
	}
	spki, pss, err := pssKey(c)
	if err != nil {
		return nil, err
	}
	if !pss {
		return nil, fmt.Errorf("%w: public key algorithm %v", ErrUnsupported, spki.Algorithm.Algorithm)
	}
	k, err := x509.ParsePKCS1PublicKey(spki.PublicKey.RightAlign())
	if err != nil {
		return nil, fmt.Errorf("the RSASSA-PSS public key: %w", err)
	}
	return k, nil
}

// CheckKeyConstraints applies RFC 4055 §3.3 to a signature of algorithm
// sigAlg by the key of c: a key restricted to RSASSA-PSS signs with
// RSASSA-PSS only and, when its parameters are present, with their hash
// and mask generation, and a salt at least as long as theirs.
func CheckKeyConstraints(c *x509.Certificate, sigAlg pkix.AlgorithmIdentifier) error {
	spki, pss, err := pssKey(c)
	if err != nil || !pss {
		return err
	}
	if !sigAlg.Algorithm.Equal(oidRSAPSS) {
		return fmt.Errorf("%w: the key of '%s' is restricted to RSASSA-PSS, the signature is %v", ErrKeyConstraint, c.Subject, sigAlg.Algorithm)
	}
	if len(spki.Algorithm.Parameters.FullBytes) == 0 {
		return nil // unrestricted beyond the scheme
	}
	var key, sig pssParams
	if err := unmarshalAll(spki.Algorithm.Parameters.FullBytes, &key, "RSASSA-PSS key parameters"); err != nil {
		return err
	}
	if err := unmarshalAll(sigAlg.Parameters.FullBytes, &sig, "RSASSA-PSS parameters"); err != nil {
		return err
	}
	switch {
	case !key.Hash.Algorithm.Equal(sig.Hash.Algorithm):
		return fmt.Errorf("%w: the key of '%s' signs with hash %v, the signature uses %v", ErrKeyConstraint, c.Subject, key.Hash.Algorithm, sig.Hash.Algorithm)
	case !key.MGF.Algorithm.Equal(sig.MGF.Algorithm) || string(key.MGF.Parameters.FullBytes) != string(sig.MGF.Parameters.FullBytes):
		return fmt.Errorf("%w: the key of '%s' and the signature use different mask generation functions", ErrKeyConstraint, c.Subject)
	case sig.SaltLength < key.SaltLength:
		return fmt.Errorf("%w: the key of '%s' requires a salt of %d bytes or more, the signature has %d", ErrKeyConstraint, c.Subject, key.SaltLength, sig.SaltLength)
	case sig.TrailerField != key.TrailerField:
		return fmt.Errorf("%w: the key of '%s' and the signature have different trailer fields", ErrKeyConstraint, c.Subject)
	}
	return nil
}

// VerifyByCertificate is VerifySignature with the key of c, under that
// key's constraints.
func VerifyByCertificate(c *x509.Certificate, sigAlg pkix.AlgorithmIdentifier, digest crypto.Hash, signed, sig []byte) (string, error) {
	pub, err := CertificateKey(c)
	if err != nil {
		return "", err
	}
	if err := CheckKeyConstraints(c, sigAlg); err != nil {
		return "", err
	}
	return VerifySignature(pub, sigAlg, digest, signed, sig)
}

// CheckIssuedBy verifies the signature of c with the key of issuer, for
// every signature VerifySignature implements: RSASSA-PSS with any salt
// and by keys restricted to it, which crypto/x509 refuses. It checks
// nothing else (names, basic constraints, validity: the caller's).
func CheckIssuedBy(c, issuer *x509.Certificate) error {
	var outer struct {
		TBS    asn1.RawValue
		SigAlg pkix.AlgorithmIdentifier
		Sig    asn1.BitString
	}
	if err := unmarshalAll(c.Raw, &outer, "Certificate"); err != nil {
		return err
	}
	_, err := VerifyByCertificate(issuer, outer.SigAlg, 0, c.RawTBSCertificate, outer.Sig.RightAlign())
	return err
}
