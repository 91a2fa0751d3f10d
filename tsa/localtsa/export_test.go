package localtsa

import (
	"crypto"
	"crypto/x509"
)

// What the external tests (package localtsa_test) read of the package's
// insides. They are external because they create authorities with
// tsatest.NewAuthority, which imports this package.
var (
	PolicyOID      = policyOID
	MaxRequestSize = maxRequestSize
	PEMBlock       = pemBlock
	ReadPEM        = readPEM
)

// AuthorityOf is an authority with cert and key, unchecked: one that
// LoadAuthority would refuse.
func AuthorityOf(cert *x509.Certificate, key crypto.Signer) *Authority {
	return &Authority{cert: cert, key: key}
}

// Cert and Key are what LoadAuthority loaded.
func (a *Authority) Cert() *x509.Certificate { return a.cert }
func (a *Authority) Key() crypto.Signer      { return a.key }
