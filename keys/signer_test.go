package keys

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"strings"
	"testing"
	"time"
)

// TestNewSignerRefuses: a key no algorithm of the table signs with, one
// its algorithm's constraints refuse, or a certificate for another key, is refused when the signer is made, before
// anything is signed.
func TestNewSignerRefuses(t *testing.T) {
	t.Parallel()
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 1024)
	p256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Dr. Other"},
		NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, other.Public(), other)
	if err != nil {
		t.Fatal(err)
	}
	otherCert, _ := x509.ParseCertificate(der)
	for _, tc := range []struct {
		what string
		err  func() error
		want string
	}{
		{"P-384 key", func() error { _, err := NewSigner(p384, nil); return err }, "not supported"},
		{"RSA-1024 key", func() error { _, err := NewSigner(rsaKey, nil); return err }, "RSA key of 1024 bits"},
		{"certificate of another key", func() error { _, err := NewSigner(p256, []*x509.Certificate{otherCert}); return err }, "not for the signing key"},
	} {
		if err := tc.err(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one saying %q", tc.what, err, tc.want)
		}
	}
	if _, err := NewSigner(other, []*x509.Certificate{otherCert}); err != nil {
		t.Errorf("the key's own certificate: %v", err)
	}
}
