package cms

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"

	_ "crypto/sha1"   // register SHA-1, for ESSCertID v1 only
	_ "crypto/sha256" // register SHA-256 for crypto.Hash
	_ "crypto/sha512" // register SHA-384 and SHA-512
)

// ErrWeakHash marks a hash refused for security reasons (SHA-1, MD5,
// SHA-224) as opposed to one merely unknown.
var ErrWeakHash = errors.New("hash algorithm refused")

// Hash maps a digest AlgorithmIdentifier to SHA-256, SHA-384 or SHA-512,
// the only ones accepted for imprints and signatures.
func Hash(alg asn1.ObjectIdentifier) (crypto.Hash, error) {
	switch {
	case alg.Equal(OIDSHA256):
		return crypto.SHA256, nil
	case alg.Equal(OIDSHA384):
		return crypto.SHA384, nil
	case alg.Equal(OIDSHA512):
		return crypto.SHA512, nil
	case alg.Equal(oidSHA1):
		return 0, fmt.Errorf("%w: SHA-1 (broken collision resistance)", ErrWeakHash)
	case alg.Equal(oidMD5):
		return 0, fmt.Errorf("%w: MD5 (broken)", ErrWeakHash)
	case alg.Equal(oidSHA224):
		return 0, fmt.Errorf("%w: SHA-224 (only SHA-256, SHA-384 and SHA-512 are accepted)", ErrWeakHash)
	}
	return 0, fmt.Errorf("%w: hash algorithm %v", ErrUnsupported, alg)
}

// CertIDHash maps the hash of an ESS certificate identifier. SHA-1 is
// allowed here: in ESSCertID (v1) it is the only hash RFC 2634 defines and
// it serves to name a certificate the verifier already holds, where only
// second-preimage resistance matters, which SHA-1 still has.
func CertIDHash(alg asn1.ObjectIdentifier) (crypto.Hash, error) {
	if alg.Equal(oidSHA1) {
		return crypto.SHA1, nil
	}
	return Hash(alg)
}

// VerifySignature checks sig over signed with pub, for the SignerInfo
// signature algorithm sigAlg and digest algorithm digest (used when sigAlg
// names no hash, as with rsaEncryption). It refuses SHA-1 and MD5, and
// names the algorithm it verified, e.g. "RSASSA-PSS SHA-256 (MGF1 SHA-256,
// salt 32 bytes)".
func VerifySignature(pub crypto.PublicKey, sigAlg pkix.AlgorithmIdentifier, digest crypto.Hash, signed, sig []byte) (string, error) {
	a := sigAlg.Algorithm
	switch {
	case a.Equal(oidSHA1WithRSA), a.Equal(oidECDSAWithSHA1):
		return "", fmt.Errorf("%w: signature algorithm %v uses SHA-1", ErrWeakHash, a)
	case a.Equal(oidMD5WithRSA):
		return "", fmt.Errorf("%w: signature algorithm %v uses MD5", ErrWeakHash, a)
	case a.Equal(oidRSA):
		return verifyPKCS1(pub, digest, signed, sig)
	case a.Equal(OIDSHA256WithRSA):
		return verifyPKCS1(pub, crypto.SHA256, signed, sig)
	case a.Equal(oidSHA384RSA):
		return verifyPKCS1(pub, crypto.SHA384, signed, sig)
	case a.Equal(oidSHA512RSA):
		return verifyPKCS1(pub, crypto.SHA512, signed, sig)
	case a.Equal(oidRSAPSS):
		return verifyPSS(pub, sigAlg.Parameters, signed, sig)
	case a.Equal(oidECPublicKey):
		return verifyECDSA(pub, digest, signed, sig)
	case a.Equal(OIDECDSAWithSHA256):
		return verifyECDSA(pub, crypto.SHA256, signed, sig)
	case a.Equal(oidECDSASHA384):
		return verifyECDSA(pub, crypto.SHA384, signed, sig)
	case a.Equal(oidECDSASHA512):
		return verifyECDSA(pub, crypto.SHA512, signed, sig)
	case a.Equal(OIDEd25519):
		k, ok := pub.(ed25519.PublicKey)
		if !ok {
			return "", fmt.Errorf("Ed25519 signature but the certificate key is %T", pub)
		}
		if !ed25519.Verify(k, signed, sig) {
			return "", errors.New("Ed25519 signature does not verify")
		}
		return "Ed25519", nil
	}
	return "", fmt.Errorf("%w: signature algorithm %v", ErrUnsupported, a)
}

func sum(h crypto.Hash, b []byte) []byte {
	w := h.New()
	w.Write(b)
	return w.Sum(nil)
}

func verifyPKCS1(pub crypto.PublicKey, h crypto.Hash, signed, sig []byte) (string, error) {
	if h == 0 {
		return "", errors.New("RSA signature without a usable digest algorithm")
	}
	k, ok := pub.(*rsa.PublicKey)
	if !ok {
		return "", fmt.Errorf("RSA signature but the certificate key is %T", pub)
	}
	if err := rsa.VerifyPKCS1v15(k, h, sum(h, signed), sig); err != nil {
		return "", fmt.Errorf("RSA PKCS#1 v1.5 %s signature does not verify: %w", h, err)
	}
	return "RSA PKCS#1 v1.5 " + h.String(), nil
}

func verifyECDSA(pub crypto.PublicKey, h crypto.Hash, signed, sig []byte) (string, error) {
	if h == 0 {
		return "", errors.New("ECDSA signature without a usable digest algorithm")
	}
	k, ok := pub.(*ecdsa.PublicKey)
	if !ok {
		return "", fmt.Errorf("ECDSA signature but the certificate key is %T", pub)
	}
	if !ecdsa.VerifyASN1(k, sum(h, signed), sig) {
		return "", fmt.Errorf("ECDSA %s signature does not verify", h)
	}
	return "ECDSA " + h.String(), nil
}

// pssParams is RSASSA-PSS-params (RFC 4055 §3.1). Every field has a
// SHA-1 default, so an absent field means SHA-1 and is refused.
type pssParams struct {
	Hash         pkix.AlgorithmIdentifier `asn1:"optional,explicit,tag:0"`
	MGF          pkix.AlgorithmIdentifier `asn1:"optional,explicit,tag:1"`
	SaltLength   int                      `asn1:"optional,explicit,tag:2,default:20"`
	TrailerField int                      `asn1:"optional,explicit,tag:3,default:1"`
}

func verifyPSS(pub crypto.PublicKey, params asn1.RawValue, signed, sig []byte) (string, error) {
	var p pssParams
	if err := unmarshalAll(params.FullBytes, &p, "RSASSA-PSS parameters"); err != nil {
		return "", err
	}
	if len(p.Hash.Algorithm) == 0 {
		return "", fmt.Errorf("%w: RSASSA-PSS parameters omit hashAlgorithm, which defaults to SHA-1", ErrWeakHash)
	}
	h, err := Hash(p.Hash.Algorithm)
	if err != nil {
		return "", fmt.Errorf("RSASSA-PSS hashAlgorithm: %w", err)
	}
	if !p.MGF.Algorithm.Equal(oidMGF1) {
		return "", fmt.Errorf("%w: RSASSA-PSS maskGenAlgorithm %v is not MGF1 (absent means MGF1 with SHA-1)", ErrUnsupported, p.MGF.Algorithm)
	}
	var mgfHash pkix.AlgorithmIdentifier
	if err := unmarshalAll(p.MGF.Parameters.FullBytes, &mgfHash, "RSASSA-PSS MGF1 parameters"); err != nil {
		return "", err
	}
	mh, err := Hash(mgfHash.Algorithm)
	if err != nil {
		return "", fmt.Errorf("RSASSA-PSS MGF1 hash: %w", err)
	}
	if mh != h {
		// crypto/rsa uses one hash for both; such tokens are not in use.
		return "", fmt.Errorf("%w: RSASSA-PSS MGF1 hash %s that differs from the hash %s", ErrUnsupported, mh, h)
	}
	if p.TrailerField != 1 {
		return "", fmt.Errorf("RSASSA-PSS trailerField %d, want 1", p.TrailerField)
	}
	if p.SaltLength < 0 {
		return "", fmt.Errorf("RSASSA-PSS saltLength %d is negative", p.SaltLength)
	}
	k, ok := pub.(*rsa.PublicKey)
	if !ok {
		return "", fmt.Errorf("RSASSA-PSS signature but the certificate key is %T", pub)
	}
	// saltLength 0 is a legal, deterministic PSS; crypto/rsa spells it
	// PSSSaltLengthEqualsHash only for hLen, so 0 cannot be expressed as
	// "exactly 0": rsa.PSSSaltLengthAuto (0) would accept any salt.
	if p.SaltLength == 0 {
		return "", fmt.Errorf("%w: RSASSA-PSS saltLength 0", ErrUnsupported)
	}
	opts := &rsa.PSSOptions{SaltLength: p.SaltLength, Hash: h}
	if err := rsa.VerifyPSS(k, h, sum(h, signed), sig, opts); err != nil {
		return "", fmt.Errorf("RSASSA-PSS %s (salt %d) signature does not verify: %w", h, p.SaltLength, err)
	}
	return fmt.Sprintf("RSASSA-PSS %s (MGF1 %s, salt %d bytes)", h, mh, p.SaltLength), nil
}

// CertID is one ESSCertID or ESSCertIDv2 (RFC 2634, RFC 5035).
type CertID struct {
	Hash     crypto.Hash
	CertHash []byte
	// Issuer and Serial come from the optional issuerSerial; Issuer holds
	// the raw DER Names of its directoryName entries.
	Issuers [][]byte
	Serial  *big.Int
}

type issuerSerial struct {
	Issuer []asn1.RawValue
	Serial *big.Int
}

// ParseSigningCertificate decodes the value of a signing-certificate (v1)
// or signing-certificate-v2 attribute into its certificate identifiers.
func ParseSigningCertificate(value []byte, v2 bool) ([]CertID, error) {
	var sc struct {
		Certs    []asn1.RawValue
		Policies asn1.RawValue `asn1:"optional"`
	}
	if err := unmarshalAll(value, &sc, "SigningCertificate"); err != nil {
		return nil, err
	}
	var ids []CertID
	for i, c := range sc.Certs {
		id, err := parseCertID(c.Bytes, v2)
		if err != nil {
			return nil, fmt.Errorf("SigningCertificate.certs[%d]: %w", i, err)
		}
		ids = append(ids, id)
	}
	if len(ids) == 0 {
		return nil, errors.New("SigningCertificate: no certificate identifier")
	}
	return ids, nil
}

// parseCertID decodes the body of an ESSCertID(v2) SEQUENCE by hand: in
// v2 the first field is an optional AlgorithmIdentifier defaulting to
// SHA-256, which encoding/asn1 cannot tell apart from the rest.
func parseCertID(b []byte, v2 bool) (CertID, error) {
	id := CertID{Hash: crypto.SHA1}
	if v2 {
		id.Hash = crypto.SHA256
	}
	var next asn1.RawValue
	rest, err := asn1.Unmarshal(b, &next)
	if err != nil {
		return id, err
	}
	if v2 && next.Class == asn1.ClassUniversal && next.Tag == asn1.TagSequence {
		var alg pkix.AlgorithmIdentifier
		if err := unmarshalAll(next.FullBytes, &alg, "hashAlgorithm"); err != nil {
			return id, err
		}
		if id.Hash, err = CertIDHash(alg.Algorithm); err != nil {
			return id, err
		}
		if rest, err = asn1.Unmarshal(rest, &next); err != nil {
			return id, err
		}
	}
	if next.Class != asn1.ClassUniversal || next.Tag != asn1.TagOctetString {
		return id, errors.New("certHash is not an OCTET STRING")
	}
	id.CertHash = next.Bytes
	if len(rest) == 0 {
		return id, nil
	}
	var is issuerSerial
	if err := unmarshalAll(rest, &is, "issuerSerial"); err != nil {
		return id, err
	}
	for _, gn := range is.Issuer {
		if gn.Class == asn1.ClassContextSpecific && gn.Tag == TagDirectoryName {
			id.Issuers = append(id.Issuers, gn.Bytes)
		}
	}
	id.Serial = is.Serial
	return id, nil
}
