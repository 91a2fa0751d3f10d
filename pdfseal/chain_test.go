package pdfseal

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/custody-toolkit/custody/internal/testpki"
	"github.com/custody-toolkit/custody/keys"

	"github.com/custody-toolkit/custody/manifest"
	"github.com/custody-toolkit/custody/verify"
)

// testCert is a certificate and its key, for building test chains.

func doctorCert(name string) *x509.Certificate {
	return &x509.Certificate{Subject: pkix.Name{CommonName: name, Organization: []string{"Consulta 3"}},
		BasicConstraintsValid: true, KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment}
}

// testPKI is a root (RSA 2048) and an intermediate (ECDSA P-256) that
// issues the doctors' certificates.
type testPKI struct{ root, inter *testpki.Cert }

func newTestPKI(t testing.TB) testPKI {
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	root := testpki.Issue(t, exportTime, testpki.CA("Colegio de Médicos test root"), rsaKey, nil)
	inter, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	return testPKI{root, testpki.Issue(t, exportTime, testpki.CA("Colegio de Médicos signing CA"), inter, root)}
}

// chainFor is a doctor's certificate for key, then the intermediate and
// the root.
func (p testPKI) chainFor(t testing.TB, key crypto.Signer, tmpl *x509.Certificate) []*x509.Certificate {
	return []*x509.Certificate{testpki.Issue(t, exportTime, tmpl, key, p.inter).Cert, p.inter.Cert, p.root.Cert}
}

// signatureCMS is the DER CMS in the signature's /Contents, without its
// zero padding; it reads the file without package verify.
func signatureCMS(t *testing.T, signed []byte) []byte {
	t.Helper()
	span := contentsSpan(t, signed)
	der, err := hex.DecodeString(string(signed[span[0]+1 : span[1]-1]))
	if err != nil {
		t.Fatalf("/Contents is not hex: %v", err)
	}
	var v asn1.RawValue
	if _, err := asn1.Unmarshal(der, &v); err != nil {
		t.Fatalf("/Contents is not DER: %v", err)
	}
	return v.FullBytes
}

// TestSealCertificateChain signs with a doctor's certificate issued by an
// intermediate under a root: the CMS carries exactly the chain, leaf
// first, each once (read by openssl), OpenSSL verifies the CMS up to the
// root, poppler accepts the signature and shows the doctor's name, and the
// verifier reads the doctor's certificate.
func TestSealCertificateChain(t *testing.T) {
	pki := newTestPKI(t)
	tsaURL, tsaCert := testTSAWithCert(t, exportTime.Add(time.Minute))
	rendered := render(t, "chain")
	bndl := bundle(t, []byte("payload"))
	for name, key := range signers(t) {
		t.Run(name, func(t *testing.T) {
			chain := pki.chainFor(t, key, doctorCert("Dra. María Núñez"))
			signed := seal(t, rendered, bndl, Options{Signer: signerOf(t, key, chain), Timestamper: tsaClient(tsaURL), Time: exportTime})

			r := bytes.NewReader(signed)
			sig, checks := verify.VerifyPDFSignature(r, r.Size(), verify.Options{Trust: []*x509.Certificate{tsaCert}})
			for _, c := range checks {
				t.Logf("%s %s: %s", c.Status, c.Name, c.Detail)
			}
			if v := verify.Verdict(checks); v != verify.Passed {
				t.Errorf("verdict %s, want PASSED", v)
			}
			want, _ := manifest.Fingerprint(key.Public())
			if sig == nil || sig.Certificate == nil || !bytes.Equal(sig.Certificate.Raw, chain[0].Raw) || sig.Fingerprint != want {
				t.Fatalf("the verifier does not find the doctor's certificate as the signer: %+v", sig)
			}

			if _, err := exec.LookPath("openssl"); err != nil {
				t.Skip("openssl not installed")
			}
			dir := t.TempDir()
			cmsPath, rootPath := filepath.Join(dir, "sig.p7s"), filepath.Join(dir, "root.pem")
			os.WriteFile(cmsPath, signatureCMS(t, signed), 0o600)
			os.WriteFile(rootPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: pki.root.Cert.Raw}), 0o600)
			out, err := exec.Command("openssl", "pkcs7", "-inform", "DER", "-in", cmsPath, "-print_certs").Output()
			if err != nil {
				t.Fatalf("openssl pkcs7: %v", err)
			}
			got := pemCertificates(out)
			if len(got) != len(chain) {
				t.Fatalf("openssl finds %d certificates in the CMS, want the %d of the chain:\n%s", len(got), len(chain), out)
			}
			for i := range chain {
				if !bytes.Equal(got[i], chain[i].Raw) {
					t.Errorf("CMS certificate %d is not chain certificate %d", i+1, i+1)
				}
			}

			if name != "ECDSA-P256" {
				return // OpenSSL 3.0 and poppler cannot check Ed25519 CMS (see TestSealExternalTools)
			}
			span := contentsSpan(t, signed)
			content := filepath.Join(dir, "signed.bin")
			os.WriteFile(content, append(bytes.Clone(signed[:span[0]]), signed[span[1]:]...), 0o600)
			// The CMS's own certificates are the only intermediates:
			// OpenSSL builds the path from them to the root.
			if out, err := exec.Command("openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", cmsPath,
				"-content", content, "-CAfile", rootPath, "-purpose", "any", "-out", os.DevNull).CombinedOutput(); err != nil ||
				!strings.Contains(string(out), "Verification successful") {
				t.Errorf("openssl cms -verify with the root as the only trust anchor: %v\n%s", err, out)
			}
			p := write(t, signed)
			if _, err := exec.LookPath("pdfsig"); err == nil {
				out, _ := run(t, "pdfsig", p)
				if !strings.Contains(out, "Signature is Valid.") || !strings.Contains(out, "Dra. María Núñez") {
					t.Errorf("pdfsig:\n%s", out)
				}
			}
			if _, err := exec.LookPath("qpdf"); err == nil {
				if out, err := run(t, "qpdf", "--check", p); err != nil {
					t.Errorf("qpdf --check: %v\n%s", err, out)
				}
			}
		})
	}
}

// pemCertificates returns the DER of each PEM certificate in out, in order.
func pemCertificates(out []byte) [][]byte {
	var ders [][]byte
	for {
		var b *pem.Block
		b, out = pem.Decode(out)
		if b == nil {
			return ders
		}
		if b.Type == "CERTIFICATE" {
			ders = append(ders, b.Bytes)
		}
	}
}

// TestSealCertificateChainRefused: Seal refuses a chain that is not the
// signing key's, not whole, not in order, weak, or not valid at the export
// time, and writes nothing.
func TestSealCertificateChainRefused(t *testing.T) {
	pki := newTestPKI(t)
	key := signers(t)["ECDSA-P256"]
	other := signers(t)["ECDSA-P256"]
	good := pki.chainFor(t, key, doctorCert("Dra. María Núñez"))
	sha1 := doctorCert("Dr. SHA-1")
	sha1.SignatureAlgorithm = x509.ECDSAWithSHA1
	expired := doctorCert("Dr. Expired")
	expired.NotBefore, expired.NotAfter = exportTime.AddDate(-3, 0, 0), exportTime.Add(-time.Second)
	notYet := doctorCert("Dr. Not Yet")
	notYet.NotBefore, notYet.NotAfter = exportTime.Add(time.Hour), exportTime.AddDate(1, 0, 0)
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)

	rendered := render(t, "refused")
	bndl := bundle(t, []byte("payload"))
	tsaURL := testTSA(t, exportTime)
	for _, tc := range []struct {
		what   string
		signer crypto.Signer
		chain  []*x509.Certificate
		want   string
	}{
		{"a chain for another key", key, pki.chainFor(t, other, doctorCert("Dr. Other")), `the certificate for "CN=Dr. Other,O=Consulta 3" is not for the signing key`},
		{"root missing", key, good[:2], `certificate 2 ('CN=Colegio de Médicos signing CA') is not self-issued`},
		{"out of order", key, []*x509.Certificate{good[0], good[2], good[1]}, "as its issuer, but the next certificate is"},
		{"the leaf alone", key, good[:1], "is not self-issued"},
		{"SHA-1 signed leaf", key, pki.chainFor(t, key, sha1), "is signed with ECDSA-SHA1"},
		{"expired leaf", key, pki.chainFor(t, key, expired), `certificate 1 ('CN=Dr. Expired,O=Consulta 3') is not valid at 2026-11-25T10:30:00Z`},
		{"leaf not yet valid", key, pki.chainFor(t, key, notYet), "is not valid at"},
		{"P-384 signer", p384, pki.chainFor(t, p384, doctorCert("Dr. P-384")), "not supported (want Ed25519, ECDSA P-256 or RSA)"},
	} {
		t.Run(tc.what, func(t *testing.T) {
			var out bytes.Buffer
			// The signer refuses a key or certificate it cannot sign with
			// (keys.NewSigner); Seal refuses the rest.
			signer, err := keys.NewSigner(tc.signer, tc.chain)
			if err == nil {
				err = Seal(t.Context(), &out, rendered, bytes.NewReader(bndl), int64(len(bndl)), Options{Signer: signer, Timestamper: tsaClient(tsaURL), Time: exportTime})
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one saying %s", err, tc.want)
			}
			t.Log(err)
			if out.Len() != 0 {
				t.Errorf("%d bytes written despite the error", out.Len())
			}
		})
	}
}
