package verify_test

import (
	"bytes"
	"crypto/x509"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/custody-toolkit/custody/custody"
	"github.com/custody-toolkit/custody/internal/testbundle"
	"github.com/custody-toolkit/custody/internal/testpki"
	"github.com/custody-toolkit/custody/keys"
	"github.com/custody-toolkit/custody/pdfseal"
	"github.com/custody-toolkit/custody/verify"
)

// The standalone PDF's certificates and the X.509 parser
// (bundle-format.md §7.2, "Order"): whatever this verifier's parser makes
// of a certificate, the verdict is the one a verifier with a more lenient
// parser reaches. The tests build certificates with negative serial
// numbers, which Go's parser refuses.

// withNegativeSerialCert is a signing edit: the PDF signed by signer (nil:
// the sealing key) under a genuine self-issued certificate with a negative
// serial, properly signed, which it stores in *made.
func withNegativeSerialCert(t *testing.T, signer *keys.Signer, made **x509.Certificate) func(*pdfseal.Options) {
	return func(o *pdfseal.Options) {
		if signer == nil {
			signer = o.Signer
		}
		self := testpki.Issue(t, o.Time, testpki.Leaf("Dra. Negativa"), signer.Key(), nil)
		neg, err := testpki.WithNegativeSerial(self.Cert, signer.Key())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := x509.ParseCertificate(neg.Raw); err == nil {
			t.Fatal("Go parses the certificate with a negative serial")
		}
		*made = neg
		if o.Signer, err = signer.WithChain([]*x509.Certificate{neg}); err != nil {
			t.Fatal(err)
		}
	}
}

func pdfCheck(t *testing.T, rep *verify.Report, name string) verify.Check {
	t.Helper()
	c := findCheck(rep, name)
	if c == nil {
		t.Fatalf("no %s check: %+v", name, rep.Checks)
	}
	return *c
}

// TestPDFGenuineUnparsableCertificate: a PDF genuinely signed by the
// sealing key under a certificate Go cannot parse is INDETERMINATE: the
// signature is verified with the bundle's sealing key and the timestamp
// checked, but the path is not. The same certificate swapped for another
// unparsable one, or the PDF signed so by another key, is FAILED.
func TestPDFGenuineUnparsableCertificate(t *testing.T) {
	t.Parallel()
	rendering, sign, check := standaloneSignerAs(t, testbundle.Sample(), custody.Options{}, "")
	var cert *x509.Certificate
	genuine := sign(t, rendering, withNegativeSerialCert(t, nil, &cert))
	rep := check(t, genuine)
	if rep.Result != verify.Indeterminate {
		t.Fatalf("genuine: %s, want INDETERMINATE: %+v", rep.Result, rep.Checks)
	}
	c := pdfCheck(t, rep, verify.CheckPDFSignature)
	if c.Status != verify.Indeterminate || c.Sub != verify.CertificateChainGeneralFailure || !strings.Contains(c.Detail, "sealing key") {
		t.Errorf("pdf.signature: %+v, want INDETERMINATE CERTIFICATE_CHAIN_GENERAL_FAILURE after the sealing key's signature", c)
	}
	if c := pdfCheck(t, rep, verify.CheckPDFSigner); c.Status != verify.Passed {
		t.Errorf("pdf.signer: %+v", c)
	}
	if len(rep.Timestamps) == 0 || rep.Timestamps[len(rep.Timestamps)-1].File != "PDF signature" {
		t.Errorf("the signature timestamp was not checked: %+v", rep.Timestamps)
	}
	for _, c := range rep.Checks {
		if c.Status == verify.Failed {
			t.Errorf("FAILED %s: %s", c.Name, c.Detail)
		}
	}

	t.Run("swapped", func(t *testing.T) {
		other := bytes.Clone(cert.Raw)
		_, at, err := testpki.NegateSerial(other)
		if err != nil {
			t.Fatal(err)
		}
		other[at+1] ^= 0x01 // another serial, still negative
		swapped := replaceHex(t, genuine, cert.Raw, other)
		if rep := check(t, swapped); rep.Result != verify.Failed || pdfCheck(t, rep, verify.CheckPDFSignature).Status != verify.Failed {
			t.Errorf("swapped: %s, want FAILED pdf.signature: %+v", rep.Result, rep.Checks)
		}
	})
	t.Run("another key", func(t *testing.T) {
		other := testbundle.New(t, "ecdsa-p256").Signer
		rep := check(t, sign(t, rendering, withNegativeSerialCert(t, other, new(*x509.Certificate))))
		c := pdfCheck(t, rep, verify.CheckPDFSignature)
		if rep.Result != verify.Failed || c.Status != verify.Failed || !strings.Contains(c.Detail, "sealing key") {
			t.Errorf("another key: %s, pdf.signature %+v, want FAILED", rep.Result, c)
		}
	})
}

// replaceHex replaces the lowercase hex of old by that of new, once.
func replaceHex(t *testing.T, pdf, old, new []byte) []byte {
	t.Helper()
	from, to := []byte(hex.EncodeToString(old)), []byte(hex.EncodeToString(new))
	if len(from) != len(to) || bytes.Count(pdf, from) != 1 {
		t.Fatalf("cannot replace the certificate: %d then %d hex digits, found %d times", len(from), len(to), bytes.Count(pdf, from))
	}
	return bytes.Replace(pdf, from, to, 1)
}

// TestPDFSealedChain: a bundle sealing the signer's chain
// (signer-chain.pem) holds the PDF's CMS certificates to it byte for
// byte: the same chain PASSES; a certificate of it swapped for one Go
// cannot parse, or another chain for the same key, is FAILED
// HASH_FAILURE, whatever the parser.
func TestPDFSealedChain(t *testing.T) {
	t.Parallel()
	fx := testbundle.New(t, "ecdsa-p256")
	now := time.Now()
	root := testpki.Issue(t, now.Add(-time.Hour), testpki.CA("Sealed Root"), testpki.P256Key(t), nil)
	leaf := testpki.Issue(t, now.Add(-time.Hour), testpki.Leaf("Dr. Sealed"), fx.Key, root)
	chain := []*x509.Certificate{leaf.Cert, root.Cert}
	pages, sign, check := standaloneSignerWith(t, fx, testbundle.Sample(), custody.Options{Signer: fx.SignerWith(t, chain)}, "")
	withChain := func(chain []*x509.Certificate) func(*pdfseal.Options) {
		return func(o *pdfseal.Options) { o.Signer = fx.SignerWith(t, chain) }
	}
	sealed := sign(t, pages, withChain(chain))
	if rep := check(t, sealed); rep.Result != verify.Passed {
		t.Fatalf("the sealed chain: %s: %+v", rep.Result, rep.Checks)
	}
	otherRoot := testpki.Issue(t, now.Add(-time.Hour), testpki.CA("Other Root"), testpki.P256Key(t), nil)
	otherLeaf := testpki.Issue(t, now.Add(-time.Hour), testpki.Leaf("Dr. Sealed"), fx.Key, otherRoot)
	negated, _, err := testpki.NegateSerial(root.Cert.Raw)
	if err != nil {
		t.Fatal(err)
	}
	for name, pdf := range map[string][]byte{
		"root unparsable": replaceHex(t, sealed, root.Cert.Raw, negated),
		"another chain":   sign(t, pages, withChain([]*x509.Certificate{otherLeaf.Cert, otherRoot.Cert})),
	} {
		rep := check(t, pdf)
		c := pdfCheck(t, rep, verify.CheckPDFSignature)
		if rep.Result != verify.Failed || c.Status != verify.Failed || c.Sub != verify.HashFailure {
			t.Errorf("%s: %s, pdf.signature %+v, want FAILED HASH_FAILURE", name, rep.Result, c)
		}
	}
}
