package testpki

import (
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"math/big"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// NegateSerial is der, a certificate, with its serial number made
// negative by setting the high bit of its first byte, and nothing else
// changed (its length neither): Go's X.509 parser refuses it, as it
// refuses every negative serial, while more lenient parsers read it. Its
// signature no longer holds: it is a certificate altered, as an attacker
// would swap one in. It returns the serial number's offset in der too.
func NegateSerial(der []byte) ([]byte, int, error) {
	in := cryptobyte.String(der)
	var cert, tbs cryptobyte.String
	if !in.ReadASN1(&cert, cbasn1.SEQUENCE) || !cert.ReadASN1(&tbs, cbasn1.SEQUENCE) ||
		!tbs.SkipOptionalASN1(cbasn1.Tag(0).Constructed().ContextSpecific()) {
		return nil, 0, errors.New("testpki: not a certificate")
	}
	var serial cryptobyte.String
	if !tbs.ReadASN1(&serial, cbasn1.INTEGER) || len(serial) == 0 {
		return nil, 0, errors.New("testpki: no serial number")
	}
	// What follows the serial's content: the rest of the TBSCertificate,
	// of the Certificate, of der.
	at := len(der) - len(in) - len(cert) - len(tbs) - len(serial)
	out := append([]byte(nil), der...)
	out[at] |= 0x80
	return out, at, nil
}

// WithNegativeSerial is c issued again with a negative serial number
// (NegateSerial) and signed again by issuerKey (ECDSA with SHA-256, as
// Issue signs with P-256 keys, or Ed25519), deterministically, so that
// test vectors are reproducible: a genuine certificate, which Go's X.509
// parser refuses (RFC 5280 §4.1.2.2 forbids negative serials; real CAs
// have issued them). Go cannot parse it, so it is returned as c's fields
// with the new DER in Raw and RawTBSCertificate, the new Signature and
// SerialNumber: code that writes certificates from an x509.Certificate
// (pdfseal, cms) then writes the new one.
func WithNegativeSerial(c *x509.Certificate, issuerKey crypto.Signer) (*x509.Certificate, error) {
	negated, at, err := NegateSerial(c.Raw)
	if err != nil {
		return nil, err
	}
	in := cryptobyte.String(negated)
	var cert, tbs, sigAlg cryptobyte.String
	if !in.ReadASN1(&cert, cbasn1.SEQUENCE) || !cert.ReadASN1Element(&tbs, cbasn1.SEQUENCE) || !cert.ReadASN1Element(&sigAlg, cbasn1.SEQUENCE) {
		return nil, errors.New("testpki: not a certificate")
	}
	sig, err := signTBS(c.SignatureAlgorithm, issuerKey, tbs)
	if err != nil {
		return nil, err
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddBytes(tbs)
		b.AddBytes(sigAlg)
		b.AddASN1BitString(sig)
	})
	raw, err := b.Bytes()
	if err != nil {
		return nil, err
	}
	n := int(negated[at-1]) // a serial is at most 20 bytes: a short-form length
	negative := new(big.Int).SetBytes(negated[at : at+n])
	negative.Sub(negative, new(big.Int).Lsh(big.NewInt(1), uint(8*n)))
	out := *c
	out.Raw, out.RawTBSCertificate, out.Signature, out.SerialNumber = raw, []byte(tbs), sig, negative
	return &out, nil
}

// signTBS signs a TBSCertificate as alg says, deterministically: Ed25519
// is, and ECDSA is with a nil random source (RFC 6979).
func signTBS(alg x509.SignatureAlgorithm, key crypto.Signer, tbs []byte) ([]byte, error) {
	switch alg {
	case x509.PureEd25519:
		return key.Sign(nil, tbs, crypto.Hash(0))
	case x509.ECDSAWithSHA256:
		digest := sha256.Sum256(tbs)
		return key.Sign(nil, digest[:], crypto.SHA256)
	}
	return nil, errors.New("testpki: WithNegativeSerial signs with ECDSA SHA-256 or Ed25519 only")
}
