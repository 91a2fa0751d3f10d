package cms

import (
	"bytes"
	"crypto/x509"
	"encoding/asn1"
	"encoding/hex"
	"math/big"
	"testing"
	"time"

	"github.com/custody-toolkit/custody/internal/testpki"
)

// testCert is a self-issued certificate with the given serial.
func testCert(t *testing.T, serial int64) *x509.Certificate {
	tmpl := testpki.Leaf("signer")
	tmpl.SerialNumber = big.NewInt(serial)
	return testpki.Issue(t, time.Now(), tmpl, testpki.P256Key(t), nil).Cert
}

// What the builder writes, the strict parser reads back field for field.
func TestDetachedRoundTrip(t *testing.T) {
	leaf, root := testCert(t, 7), testCert(t, 1)
	digest := bytes.Repeat([]byte{0xd1}, 32)
	attrs, err := SignedAttributes(digest, time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC), leaf)
	if err != nil {
		t.Fatal(err)
	}
	token := []byte{0x30, 0x03, 0x02, 0x01, 0x05}
	d := &Detached{DigestAlgorithm: OIDSHA256, Chain: []*x509.Certificate{leaf, root}, SignedAttributes: attrs,
		SignatureAlgorithm: OIDECDSAWithSHA256, Signature: []byte("signature"), TimeStampToken: token}
	der, err := d.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	sd, err := ParseDetached(der, "test signature")
	if err != nil {
		t.Fatal(err)
	}
	if len(sd.Certificates) != 2 || !bytes.Equal(sd.Certificates[0], leaf.Raw) || !bytes.Equal(sd.Certificates[1], root.Raw) {
		t.Error("certificates not carried in order")
	}
	si := sd.SignerInfos[0]
	if !bytes.Equal(si.SignedAttrs, attrs) || !bytes.Equal(si.Signature, d.Signature) || si.Serial.Int64() != 7 ||
		!si.SignatureAlgorithm.Algorithm.Equal(OIDECDSAWithSHA256) || !si.DigestAlgorithm.Algorithm.Equal(OIDSHA256) {
		t.Errorf("signer info %+v", si)
	}
	if _, got, err := si.ContentAttributes(); err != nil || !bytes.Equal(got, digest) {
		t.Errorf("message digest %x, %v", got, err)
	}
	if len(si.Unsigned) != 1 || !si.Unsigned[0].Type.Equal(OIDSignatureTimeStampToken) || !bytes.Equal(si.Unsigned[0].Values[0].FullBytes, token) {
		t.Errorf("unsigned attributes %+v", si.Unsigned)
	}
}

// From 16 MiB on, a DER length takes four bytes: the hand-written builder
// pdfseal had wrote three, and a CMS that did not parse.
func TestDetachedLongLengths(t *testing.T) {
	leaf := testCert(t, 2)
	attrs, err := SignedAttributes(make([]byte, 32), time.Now(), leaf)
	if err != nil {
		t.Fatal(err)
	}
	long := make([]byte, 17<<20)
	d := &Detached{DigestAlgorithm: OIDSHA256, Chain: []*x509.Certificate{leaf}, SignedAttributes: attrs,
		SignatureAlgorithm: OIDECDSAWithSHA256, Signature: long}
	der, err := d.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	var v asn1.RawValue
	if rest, err := asn1.Unmarshal(der, &v); err != nil || len(rest) != 0 {
		t.Fatalf("%d bytes: %v, %d bytes left", len(der), err, len(rest))
	}
}

// TestAlgorithmIdentifierParameters: the exporter's AlgorithmIdentifiers
// have no parameters, except sha256WithRSAEncryption's NULL (RFC 4055 §5).
func TestAlgorithmIdentifierParameters(t *testing.T) {
	for _, tc := range []struct {
		alg  asn1.ObjectIdentifier
		want string
	}{
		{OIDSHA256, "300b0609608648016503040201"},
		{OIDECDSAWithSHA256, "300a06082a8648ce3d040302"},
		{OIDSHA256WithRSA, "300d06092a864886f70d01010b0500"},
	} {
		der, err := AlgorithmIdentifier(tc.alg)
		if err != nil || hex.EncodeToString(der) != tc.want {
			t.Errorf("%v: %x, %v; want %s", tc.alg, der, err, tc.want)
		}
	}
}
