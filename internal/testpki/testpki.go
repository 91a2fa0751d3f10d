// Package testpki issues X.509 certificates for tests with crypto/x509:
// roots, intermediates and leaves, so that certificate chains (a doctor's
// certificate for the PDF signature, say) can be built in a few lines.
//
//	root := testpki.Issue(t, at, testpki.CA("Root"), rootKey, nil)
//	leaf := testpki.Issue(t, at, testpki.Leaf("Dra. Núñez"), key, root)
package testpki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"math/big"
	"testing"
	"time"
)

// Cert is an issued certificate and the key it certifies.
type Cert struct {
	Cert *x509.Certificate
	Key  crypto.Signer
}

// Issue makes a certificate for key from tmpl, signed by parent
// (self-signed when parent is nil). Unless tmpl says otherwise it gets a
// fresh serial and is valid from a year before at to five years after.
func Issue(t testing.TB, at time.Time, tmpl *x509.Certificate, key crypto.Signer, parent *Cert) *Cert {
	t.Helper()
	if tmpl.SerialNumber == nil {
		tmpl.SerialNumber = big.NewInt(time.Now().UnixNano())
	}
	if tmpl.NotBefore.IsZero() {
		tmpl.NotBefore, tmpl.NotAfter = at.AddDate(-1, 0, 0), at.AddDate(5, 0, 0)
	}
	issuer, issuerKey := tmpl, key
	if parent != nil {
		issuer, issuerKey = parent.Cert, parent.Key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, issuer, key.Public(), issuerKey)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &Cert{c, key}
}

// P256Key is a fresh ECDSA P-256 key.
func P256Key(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// CA is the template of a certification authority named name.
func CA(name string) *x509.Certificate {
	return &x509.Certificate{Subject: pkix.Name{CommonName: name}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign}
}

// Leaf is the template of a signer's certificate named name: allowed to
// sign documents (digitalSignature, contentCommitment), not certificates.
func Leaf(name string) *x509.Certificate {
	return &x509.Certificate{Subject: pkix.Name{CommonName: name}, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment}
}

// TSALeaf is the template of a time-stamping authority's certificate
// named name, valid from notBefore to notAfter: digitalSignature, and
// id-kp-timeStamping as its only extended key usage, critical (RFC 3161
// §2.3; Go's x509 would write it non-critical).
func TSALeaf(t testing.TB, name string, notBefore, notAfter time.Time) *x509.Certificate {
	t.Helper()
	// The OIDs are spelled here, not taken from internal/cms, whose tests
	// import this package.
	idKPTimeStamping, idCEExtKeyUsage := asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 8}, asn1.ObjectIdentifier{2, 5, 29, 37}
	eku, err := asn1.Marshal([]asn1.ObjectIdentifier{idKPTimeStamping})
	if err != nil {
		t.Fatal(err)
	}
	return &x509.Certificate{Subject: pkix.Name{CommonName: name}, NotBefore: notBefore, NotAfter: notAfter,
		KeyUsage: x509.KeyUsageDigitalSignature, BasicConstraintsValid: true,
		ExtraExtensions: []pkix.Extension{{Id: idCEExtKeyUsage, Critical: true, Value: eku}}}
}
