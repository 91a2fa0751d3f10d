package verify

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"strings"
	"testing"
	"time"

	"github.com/custody-toolkit/custody/internal/cms"
	"github.com/custody-toolkit/custody/internal/testpki"
)

// TestCAdESBaseline: a signature whose /SubFilter claims PAdES is held to
// the baseline's signed attributes (no signing-time, signing-certificate-v2);
// one with /SubFilter adbe.pkcs7.detached (exports before issue 15) keeps
// its signing-time.
func TestCAdESBaseline(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	key := testpki.P256Key(t)
	leaf := testpki.Issue(t, now, testpki.Leaf("Dra. Núñez"), key, nil).Cert
	digest := sha256.Sum256([]byte("signed bytes"))
	signerInfo := func(signingTime time.Time) *cms.SignerInfo {
		attrs, err := cms.SignedAttributes(digest[:], signingTime, leaf)
		if err != nil {
			t.Fatal(err)
		}
		der, err := (&cms.Detached{DigestAlgorithm: cms.OIDSHA256, Chain: []*x509.Certificate{leaf}, SignedAttributes: attrs,
			SignatureAlgorithm: cms.OIDECDSAWithSHA256, Signature: []byte{1}}).Marshal()
		if err != nil {
			t.Fatal(err)
		}
		sd, err := cms.ParseDetached(der, "test")
		if err != nil {
			t.Fatal(err)
		}
		return &sd.SignerInfos[0]
	}
	tests := []struct {
		name        string
		signingTime time.Time
		subFilter   string
		want        string
	}{
		{"PAdES B-B", time.Time{}, subFilterPAdES, ""},
		{"PAdES with a signing-time", now, subFilterPAdES, "has a signing-time attribute"},
		{"adbe.pkcs7.detached with a signing-time", now, "adbe.pkcs7.detached", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkCAdESBaseline(signerInfo(tt.signingTime), tt.subFilter)
			if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
				t.Errorf("got %v, want %q", err, tt.want)
			}
		})
	}
}

// TestPDFBeforePAdES: a standalone PDF exported before issue 15 (the
// conformance vector valid/standalone.pdf of then, kept in testdata/pdf:
// /SubFilter adbe.pkcs7.detached, a CMS signing-time, no /DSS, the widget
// in no page's /Annots) keeps verifying, whole: bundle, signature, signer,
// pages and updates.
func TestPDFBeforePAdES(t *testing.T) {
	t.Parallel()
	data := pdfFixture(t, "standalone-adbe.pdf")
	roots, err := ParseCertificates(pdfFixture(t, "standalone-adbe.tsa-root.pem"))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := PDF(bytes.NewReader(data), int64(len(data)), Options{Trust: roots})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Result != Passed {
		t.Fatalf("%s: %+v", rep.Result, FirstFailed(rep.Checks))
	}
	if !bytes.Contains(data, []byte("/SubFilter /adbe.pkcs7.detached")) {
		t.Fatal("the fixture is not of the earlier form")
	}
}
