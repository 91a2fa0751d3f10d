package custody_test

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/custody-toolkit/custody/custody"
	"github.com/custody-toolkit/custody/internal/testbundle"
	"github.com/custody-toolkit/custody/keys"
	"github.com/custody-toolkit/custody/manifest"
	"github.com/custody-toolkit/custody/tsa"
	"github.com/custody-toolkit/custody/tsa/localtsa"
	"github.com/custody-toolkit/custody/verify"
)

// TestStandalonePDF: the PDF for the health record, from a real export,
// checked by custody-verify's logic and by qpdf and poppler.
func TestStandalonePDF(t *testing.T) {
	t.Parallel()
	for _, alg := range []string{"ed25519", "ecdsa-p256"} {
		t.Run(alg, func(t *testing.T) {
			fx := testbundle.New(t, alg)
			srv := httptest.NewServer(localtsa.Handler(fx.Authority))
			defer srv.Close()
			bundle := fx.Export(t, testbundle.Sample(), custody.Selection{Label: "urgente"})
			// Named otherwise than the old default, which the PDF printed
			// whatever the attachment's name.
			renamed := filepath.Join(filepath.Dir(bundle), "consulta-ana.custody")
			if err := os.Rename(bundle, renamed); err != nil {
				t.Fatal(err)
			}
			bundle = renamed
			out := filepath.Join(t.TempDir(), "case.pdf")
			opts := custody.PDFOptions{Out: out, Signer: fx.Signer, Timestamper: &tsa.Client{URL: srv.URL}, Time: time.Now()}
			if err := custody.WritePDF(t.Context(), bundle, opts); err != nil {
				t.Fatal(err)
			}
			rep, err := verify.File(out, verify.Options{Trust: fx.Roots})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Result != verify.Passed {
				t.Fatalf("result %s: %+v", rep.Result, rep.Checks)
			}
			for _, name := range []string{verify.CheckPDFEmbeddedBundle, verify.CheckPDFSigner, verify.CheckPDFRendering, "pdf.byte-range", "signature", "disclosure"} {
				if !hasCheck(rep, name, verify.Passed) {
					t.Errorf("no PASSED %s check", name)
				}
			}
			if err := custody.WritePDF(t.Context(), bundle, opts); err == nil || !strings.Contains(err.Error(), "already exists") {
				t.Errorf("second write: %v, want already exists", err)
			}
			externalPDFTools(t, out, bundle, alg)

			data, _ := os.ReadFile(out)
			t.Run("a byte flipped on the pages", func(t *testing.T) {
				i := bytes.Index(data, []byte("/MediaBox"))
				bad := bytes.Clone(data)
				bad[i+1] ^= 0x20
				if rep := verifyBytes(t, bad, fx); rep.Result != verify.Failed {
					t.Errorf("result %s, want FAILED", rep.Result)
				}
			})
			t.Run("bytes appended after signing", func(t *testing.T) {
				if rep := verifyBytes(t, append(bytes.Clone(data), "%%EOF\n"...), fx); rep.Result != verify.Failed {
					t.Errorf("result %s, want FAILED", rep.Result)
				}
			})
			t.Run("signed by another key", func(t *testing.T) {
				other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
				otherSigner, _ := keys.NewSigner(other, nil)
				o := opts
				o.Out, o.Signer = filepath.Join(t.TempDir(), "other.pdf"), otherSigner
				if err := custody.WritePDF(t.Context(), bundle, o); err != nil {
					t.Fatal(err)
				}
				rep, _ := verify.File(o.Out, verify.Options{Trust: fx.Roots})
				if rep.Result != verify.Failed || !hasCheck(rep, verify.CheckPDFSigner, verify.Failed) {
					t.Errorf("result %s, want FAILED at %s", rep.Result, verify.CheckPDFSigner)
				}
			})
		})
	}
}

func externalPDFTools(t *testing.T, pdfPath, bundle, alg string) {
	for _, tool := range []string{"qpdf", "pdfsig", "pdftotext"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Logf("%s not installed: external checks skipped", tool)
			return
		}
	}
	if out, err := exec.Command("qpdf", "--check", pdfPath).CombinedOutput(); err != nil {
		t.Errorf("qpdf --check: %v\n%s", err, out)
	}
	list, _ := exec.Command("qpdf", "--list-attachments", pdfPath).Output()
	if !strings.Contains(string(list), filepath.Base(bundle)) {
		t.Errorf("qpdf --list-attachments: %s", list)
	}
	got, err := exec.Command("qpdf", "--show-attachment="+filepath.Base(bundle), pdfPath).Output()
	want, _ := os.ReadFile(bundle)
	if err != nil || !bytes.Equal(got, want) {
		t.Errorf("the attachment is not the bundle byte for byte (%v)", err)
	}
	sig, _ := exec.Command("pdfsig", pdfPath).CombinedOutput()
	if alg == "ecdsa-p256" && !strings.Contains(string(sig), "Signature is Valid.") {
		t.Errorf("pdfsig:\n%s", sig)
	}
	text, _ := exec.Command("pdftotext", pdfPath, "-").Output()
	for _, want := range []string{"Perdone la hora: me ha dado un dolor en el costado derecho", "Integrity and verification", "2 of 7 messages",
		// The TSA that stamped the bundle, by its certificate.
		"TSA certificate SHA-256",
		// The printed command extracts the attachment by its real name.
		"qpdf --show-attachment=" + filepath.Base(bundle) + " THIS.pdf > " + filepath.Base(bundle)} {
		if !strings.Contains(string(text), want) {
			t.Errorf("pdftotext lacks %q", want)
		}
	}
}

func verifyBytes(t *testing.T, data []byte, fx *testbundle.Fixture) *verify.Report {
	t.Helper()
	p := filepath.Join(t.TempDir(), "x.pdf")
	os.WriteFile(p, data, 0o644)
	rep, err := verify.File(p, verify.Options{Trust: fx.Roots})
	if err != nil {
		return &verify.Report{Result: verify.Failed}
	}
	return rep
}

func hasCheck(rep *verify.Report, name string, s verify.Status) bool {
	for _, c := range rep.Checks {
		if c.Name == name && c.Status == s {
			return true
		}
	}
	return false
}

// opensslChain makes, with openssl, a root CA (RSA 2048, self-signed) and
// a certificate from it for pub with the given subject, and returns the
// paths of the doctor's certificate and of the root.
func opensslChain(t *testing.T, pub crypto.PublicKey, subject string, extraArgs ...string) (leaf, root string) {
	t.Helper()
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl not installed")
	}
	dir := t.TempDir()
	pubPEM, err := manifest.MarshalPublicKeyPEM(pub)
	if err != nil {
		t.Fatal(err)
	}
	p := func(name string) string { return filepath.Join(dir, name) }
	os.WriteFile(p("doctor.pub"), pubPEM, 0o644)
	os.WriteFile(p("leaf.ext"), []byte("basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\n"), 0o644)
	for _, args := range [][]string{
		{"req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", p("root.key"), "-out", p("root.pem"), "-days", "3650",
			"-subj", "/CN=Test Medical Council Root", "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"},
		// The doctor's key stays in custody's own format: a request made
		// with a throwaway key carries the (UTF-8) subject, and
		// -force_pubkey puts the doctor's public key in the certificate.
		{"req", "-new", "-utf8", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", os.DevNull,
			"-subj", subject, "-out", p("leaf.csr")},
		append([]string{"x509", "-req", "-in", p("leaf.csr"), "-force_pubkey", p("doctor.pub"), "-CA", p("root.pem"), "-CAkey", p("root.key"),
			"-days", "365", "-extfile", p("leaf.ext"), "-out", p("leaf.pem")}, extraArgs...),
	} {
		if out, err := exec.Command("openssl", args...).CombinedOutput(); err != nil {
			t.Fatalf("openssl %s: %v\n%s", args[0], err, out)
		}
	}
	return p("leaf.pem"), p("root.pem")
}

// concat writes the given PEM files, in order, into one file.
func concat(t *testing.T, paths ...string) string {
	t.Helper()
	var all []byte
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, b...)
	}
	out := filepath.Join(t.TempDir(), "doctor-chain.pem")
	if err := os.WriteFile(out, all, 0o644); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestStandalonePDFCertificateChain: the doctor's own certificate (made by
// openssl, with its root) signs the PDF; custody-verify's logic, poppler
// and qpdf accept it, and poppler names the doctor.
func TestStandalonePDFCertificateChain(t *testing.T) {
	t.Parallel()
	fx := testbundle.New(t, "ecdsa-p256")
	leaf, root := opensslChain(t, fx.PublicKey, "/CN=Dra. María Núñez/O=Consulta 3")
	chainFile := concat(t, leaf, root)
	chain, err := custody.ReadCertificateChain(chainFile, fx.PublicKey, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(localtsa.Handler(fx.Authority))
	defer srv.Close()
	bundle := fx.Export(t, testbundle.Sample(), custody.Selection{Label: "urgente"})
	out := filepath.Join(t.TempDir(), "case.pdf")
	err = custody.WritePDF(t.Context(), bundle, custody.PDFOptions{Out: out, Signer: fx.SignerWith(t, chain), Timestamper: &tsa.Client{URL: srv.URL}, Time: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := verify.File(out, verify.Options{Trust: fx.Roots})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Result != verify.Passed {
		t.Errorf("result %s: %+v", rep.Result, rep.Checks)
	}
	f, _ := os.Open(out)
	defer f.Close()
	st, _ := f.Stat()
	sig, _ := verify.VerifyPDFSignature(f, st.Size(), verify.Options{Trust: fx.Roots})
	if sig == nil || sig.Certificate == nil || !bytes.Equal(sig.Certificate.Raw, chain[0].Raw) {
		t.Errorf("the PDF's signer certificate is not the doctor's: %+v", sig)
	}
	externalPDFTools(t, out, bundle, "ecdsa-p256")
	if _, err := exec.LookPath("pdfsig"); err == nil {
		if sig, _ := exec.Command("pdfsig", out).CombinedOutput(); !strings.Contains(string(sig), "Signer Certificate Common Name: Dra. María Núñez") {
			t.Errorf("pdfsig does not name the doctor:\n%s", sig)
		}
	}
}

// TestReadCertificateChainRefuses: every refusal names the file, and the
// certificate at fault when there is one.
func TestReadCertificateChainRefuses(t *testing.T) {
	t.Parallel()
	fx := testbundle.New(t, "ecdsa-p256")
	leaf, root := opensslChain(t, fx.PublicKey, "/CN=Dra. María Núñez")
	sha1Leaf, sha1Root := opensslChain(t, fx.PublicKey, "/CN=Dr. SHA-1", "-sha1")
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	otherLeaf, otherRoot := opensslChain(t, other.Public(), "/CN=Dr. Other")
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "notes.txt")
	os.WriteFile(notPEM, []byte("not a certificate"), 0o644)
	withKey := filepath.Join(dir, "with-key.pem")
	pubPEM, _ := manifest.MarshalPublicKeyPEM(fx.PublicKey)
	leafPEM, _ := os.ReadFile(leaf)
	os.WriteFile(withKey, append(leafPEM, pubPEM...), 0o644)
	huge := filepath.Join(dir, "huge.pem")
	os.WriteFile(huge, bytes.Repeat([]byte("A"), 2<<20), 0o644)
	for _, tc := range []struct {
		what, path, want string
	}{
		{"missing file", filepath.Join(dir, "nothere.pem"), "nothere.pem: no such file"},
		{"a folder", dir, "is not a regular file"},
		{"not PEM", notPEM, "notes.txt: neither PEM nor a DER certificate"},
		{"a public key block", withKey, `with-key.pem: PEM block 2 is "PUBLIC KEY", want CERTIFICATE`},
		{"too large", huge, "huge.pem: 2097152 bytes is too large"},
		{"root missing", concat(t, leaf), `doctor-chain.pem: certificate 1 ('CN=Dra. María Núñez') is not self-issued`},
		{"out of order", concat(t, root, leaf), "doctor-chain.pem: certificate 1 ('CN=Test Medical Council Root') is self-issued but not the last"},
		{"another key's certificate", concat(t, otherLeaf, otherRoot), "doctor-chain.pem: certificate 1 ('CN=Dr. Other') is not for the signing key"},
		{"SHA-1 signed leaf", concat(t, sha1Leaf, sha1Root), "doctor-chain.pem: certificate 1 ('CN=Dr. SHA-1') is signed with SHA1-RSA"},
	} {
		t.Run(tc.what, func(t *testing.T) {
			_, err := custody.ReadCertificateChain(tc.path, fx.PublicKey, time.Now())
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one saying %s", err, tc.want)
			}
		})
	}
	// Valid now, not at a time after the leaf expires.
	if _, err := custody.ReadCertificateChain(concat(t, leaf, root), fx.PublicKey, time.Now().AddDate(2, 0, 0)); err == nil ||
		!strings.Contains(err.Error(), "('CN=Dra. María Núñez') is not valid at") {
		t.Errorf("a leaf expired at the export time: %v", err)
	}
}

// TestWritePDFRefusesAlteredBundle: the exporter's own check (signature,
// files, tokens, with the primitives, not the verifier) refuses to make a
// PDF of a bundle altered after sealing, before asking the TSA anything.
func TestWritePDFRefusesAlteredBundle(t *testing.T) {
	t.Parallel()
	fx := testbundle.New(t, "ecdsa-p256")
	bundle := fx.Export(t, testbundle.Sample(), custody.Selection{})
	data, err := os.ReadFile(bundle)
	if err != nil {
		t.Fatal(err)
	}
	layout := testbundle.Map(t, data)
	sig := layout.Part(t, manifest.SignatureName)
	imprint := sha256.Sum256(data[sig.LocalEnd : sig.LocalEnd+sig.Size])
	tsr := layout.Part(t, manifest.TokenName)
	// In the token, a byte of its imprint: proven not a token over this
	// signature (a byte elsewhere may only make it unreadable or
	// INDETERMINATE, which the exporter leaves to the verifier).
	inToken := bytes.Index(data[tsr.LocalEnd:tsr.LocalEnd+tsr.Size], imprint[:])
	if inToken < 0 {
		t.Fatal("the token does not hold the signature's SHA-256 imprint")
	}
	for name, at := range map[string]int{manifest.SignatureName: -1, manifest.MessageEntryName(0): -1, manifest.TokenName: inToken} {
		t.Run(name, func(t *testing.T) {
			p := layout.Part(t, name)
			if at < 0 {
				at = p.Size / 2
			}
			altered := filepath.Join(t.TempDir(), "altered.custody")
			if err := os.WriteFile(altered, testbundle.FlipData(data, p, at, 0x01), 0o600); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(t.TempDir(), "case.pdf")
			opts := custody.PDFOptions{Out: out, Signer: fx.Signer, Timestamper: &tsa.Client{URL: "http://127.0.0.1:1"}, Time: time.Now()}
			err := custody.WritePDF(t.Context(), altered, opts)
			if err == nil || !strings.Contains(err.Error(), "does not verify") {
				t.Errorf("WritePDF: %v, want does not verify", err)
			}
			if _, err := os.Stat(out); err == nil {
				t.Error("a PDF was written")
			}
		})
	}
}

// TestStandalonePDFOneSignatureTimestamp: the bundle's timestamp tokens
// carry the TSA's certificates, which WritePDF puts in the PDF's document
// security store from the start: the signature is timestamped once, not
// signed again for them.
func TestStandalonePDFOneSignatureTimestamp(t *testing.T) {
	t.Parallel()
	fx := testbundle.New(t, "ecdsa-p256")
	var requests atomic.Int32
	handler := localtsa.Handler(fx.Authority)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		handler.ServeHTTP(w, r)
	}))
	defer srv.Close()
	bundle := fx.Export(t, testbundle.Sample(), custody.Selection{})
	out := filepath.Join(t.TempDir(), "case.pdf")
	if err := custody.WritePDF(t.Context(), bundle, custody.PDFOptions{Out: out, Signer: fx.Signer, Timestamper: &tsa.Client{URL: srv.URL}, Time: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if n := requests.Load(); n != 1 {
		t.Errorf("%d signature timestamps asked for, want 1", n)
	}
}
