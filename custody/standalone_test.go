package custody_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/custody-toolkit/custody/custody"
	"github.com/custody-toolkit/custody/internal/testbundle"
	"github.com/custody-toolkit/custody/tsa"
	"github.com/custody-toolkit/custody/verify"
)

// TestStandalonePDF: the PDF for the health record, from a real export,
// checked by custody-verify's logic and by qpdf and poppler.
func TestStandalonePDF(t *testing.T) {
	for _, alg := range []string{"ed25519", "ecdsa-p256"} {
		t.Run(alg, func(t *testing.T) {
			fx := testbundle.New(t, alg)
			srv := httptest.NewServer(tsa.Handler(fx.Authority))
			defer srv.Close()
			bundle := fx.Export(t, testbundle.Sample(), custody.Selection{Label: "urgente"})
			out := filepath.Join(t.TempDir(), "case.pdf")
			opts := custody.PDFOptions{Out: out, Signer: fx.Key, TSAURL: srv.URL, Time: time.Now()}
			if err := custody.WritePDF(bundle, opts); err != nil {
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
			if err := custody.WritePDF(bundle, opts); err == nil || !strings.Contains(err.Error(), "already exists") {
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
				o := opts
				o.Out, o.Signer = filepath.Join(t.TempDir(), "other.pdf"), other
				if err := custody.WritePDF(bundle, o); err != nil {
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
	for _, want := range []string{"Perdone la hora: me ha dado un dolor en el costado derecho", "Integrity and verification", "2 of 7 messages"} {
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
