package verify_test

import (
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"encoding/pem"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/custody-toolkit/custody/custody"
	"github.com/custody-toolkit/custody/internal/testbundle"
	"github.com/custody-toolkit/custody/internal/testpki"
	"github.com/custody-toolkit/custody/manifest"
	"github.com/custody-toolkit/custody/verify"
)

// exportWithChain exports the sample with the fixture's key certified by a
// test CA (a qualified certificate, as EN 319 412-5 declares one) and
// returns the bundle's entries and the CA.
func exportWithChain(t *testing.T, fx *testbundle.Fixture) ([]testbundle.Entry, *testpki.Cert) {
	t.Helper()
	now := time.Now()
	root := testpki.Issue(t, now.Add(-time.Hour), testpki.CA("Colegio de Médicos"), testpki.P256Key(t), nil)
	tmpl := testpki.Leaf("Dra. María Núñez")
	tmpl.ExtraExtensions = []pkix.Extension{qcStatements(t)}
	leaf := testpki.Issue(t, now.Add(-time.Hour), tmpl, fx.Key, root)
	path := fx.ExportOptions(t, testbundle.Sample(), custody.Options{Signer: fx.SignerWith(t, []*x509.Certificate{leaf.Cert, root.Cert})})
	return testbundle.ReadEntries(t, path), root
}

// qcStatements declares QcCompliance, QcSSCD and QcType esign.
func qcStatements(t *testing.T) pkix.Extension {
	type stmt struct {
		ID   asn1.ObjectIdentifier
		Info asn1.RawValue `asn1:"optional"`
	}
	esign, _ := asn1.Marshal([]asn1.ObjectIdentifier{{0, 4, 0, 1862, 1, 6, 1}})
	der, err := asn1.Marshal([]stmt{
		{ID: asn1.ObjectIdentifier{0, 4, 0, 1862, 1, 1}},
		{ID: asn1.ObjectIdentifier{0, 4, 0, 1862, 1, 4}},
		{ID: asn1.ObjectIdentifier{0, 4, 0, 1862, 1, 6}, Info: asn1.RawValue{FullBytes: esign}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return pkix.Extension{Id: asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 1, 3}, Value: der}
}

// TestSignerCertificates: the chain names the signer; --trust-signers
// anchors it; qualified status is reported as declared.
func TestSignerCertificates(t *testing.T) {
	t.Parallel()
	fx := testbundle.New(t, "ecdsa-p256")
	entries, root := exportWithChain(t, fx)
	data := testbundle.WriteEntries(t, entries)

	rep := verifyBytes(t, data, verify.Options{Trust: fx.Roots})
	c := findCheck(rep, verify.CheckSignerCertificates)
	if rep.Result != verify.Passed || c == nil || c.Status != verify.Info {
		t.Fatalf("without --trust-signers: %s, check %+v, want PASSED with the identity INFO", rep.Result, c)
	}
	id := rep.Signer.Identity
	if id == nil || id.Subject != "CN=Dra. María Núñez" || id.Anchored {
		t.Fatalf("identity %+v", id)
	}
	if q := id.Qualified; q == nil || !q.Compliance || !q.SSCD || !slices.Equal(q.Types, []string{"esign"}) {
		t.Errorf("qualified %+v, want QcCompliance, QcSSCD, esign", q)
	}

	rep = verifyBytes(t, data, verify.Options{Trust: fx.Roots, TrustSigners: []*x509.Certificate{root.Cert}})
	if c := findCheck(rep, verify.CheckSignerCertificates); rep.Result != verify.Passed || c.Status != verify.Passed || !rep.Signer.Identity.Anchored {
		t.Fatalf("with --trust-signers: %s, %+v", rep.Result, c)
	}

	rep = verifyBytes(t, data, verify.Options{Trust: fx.Roots, TrustSigners: fx.Roots})
	if c := findCheck(rep, verify.CheckSignerCertificates); rep.Result != verify.Indeterminate || c.Sub != verify.NoCertificateChainFound {
		t.Fatalf("other anchors: %s, %+v, want INDETERMINATE NO_CERTIFICATE_CHAIN_FOUND", rep.Result, c)
	}
}

// TestSignerCertificatesTampered: the chain is sealed by the manifest:
// removed, altered, or added to a bundle sealed without one, it is
// FAILED; a chain for another key, sealed as such, names a signer that is
// not the sealing key: FAILED UNEXPECTED_SIGNER.
func TestSignerCertificatesTampered(t *testing.T) {
	t.Parallel()
	fx := testbundle.New(t, "ecdsa-p256")
	entries, _ := exportWithChain(t, fx)
	chainAt := testbundle.Find(entries, manifest.SignerChainName)
	if chainAt < 0 {
		t.Fatal("no signer-chain.pem in the bundle")
	}
	expectFailed := func(t *testing.T, es []testbundle.Entry, sub verify.SubIndication) {
		t.Helper()
		rep := verifyBytes(t, testbundle.WriteEntries(t, es), verify.Options{Trust: fx.Roots})
		c := findCheck(rep, verify.CheckSignerCertificates)
		if rep.Result != verify.Failed || c == nil || c.Status != verify.Failed || c.Sub != sub {
			t.Fatalf("%s, check %+v, want FAILED %s", rep.Result, c, sub)
		}
		t.Log(c.Detail)
	}
	t.Run("removed", func(t *testing.T) {
		expectFailed(t, slices.Delete(slices.Clone(entries), chainAt, chainAt+1), verify.HashFailure)
	})
	t.Run("altered", func(t *testing.T) {
		es := slices.Clone(entries)
		other := testpki.Issue(t, time.Now(), testpki.Leaf("Dr. Impostor"), fx.Key, nil)
		es[chainAt] = testbundle.Entry{Name: manifest.SignerChainName, Data: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: other.Cert.Raw})}
		expectFailed(t, es, verify.HashFailure)
	})
	t.Run("sealed, for another key", func(t *testing.T) {
		// A writer that seals a certificate for another key than its own
		// (keys.NewSigner refuses to): the bundle names a signer that did
		// not seal it.
		other := testpki.Issue(t, time.Now().Add(-time.Hour), testpki.Leaf("Dr. Impostor"), testpki.P256Key(t), nil)
		chain := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: other.Cert.Raw})
		var es []testbundle.Entry
		for _, e := range entries {
			if !strings.HasPrefix(e.Name, manifest.CustodyDir) {
				es = append(es, e)
			}
		}
		es[testbundle.Find(es, manifest.SignerChainName)].Data = chain
		m := testbundle.Manifest(t, es)
		sum := sha256.Sum256(chain)
		m.Signer.CertificatesSHA256 = hex.EncodeToString(sum[:])
		raw, err := m.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		es[testbundle.Find(es, manifest.ManifestName)].Data = raw
		data := resealAs(t, fx, es, fx.PublicKey, "ecdsa-p256-sha256", func(msg []byte) []byte {
			sig, err := fx.Signer.SignMessage(t.Context(), msg)
			if err != nil {
				t.Fatal(err)
			}
			return sig
		})
		expectFailed(t, testbundle.ReadEntries(t, writeTemp(t, data)), verify.UnexpectedSigner)
	})
	t.Run("added", func(t *testing.T) {
		plain := testbundle.ReadEntries(t, fx.ExportOptions(t, testbundle.Sample(), custody.Options{}))
		es := withEntry(plain, entries[chainAt], manifest.SignerName)
		expectFailed(t, es, verify.HashFailure)
	})
}
