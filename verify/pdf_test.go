package verify

import (
	"archive/zip"
	"bytes"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/custody-toolkit/custody/internal/testpki"
	"github.com/custody-toolkit/custody/manifest"
)

// The sealed PDFs in testdata/pdf are written by package pdfseal
// (go test ./pdfseal -run WriteVerifyFixtures -update-verify-fixtures):
// package verify may not import the signer. Each embeds bundle.custody,
// is signed by signer-<alg>.pub.pem's key and timestamped by tsa.pem.

func pdfFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "pdf", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func pdfTrust(t testing.TB) Options {
	certs, err := ParseCertificates(pdfFixture(t, "tsa.pem"))
	if err != nil {
		t.Fatal(err)
	}
	return Options{Trust: certs}
}

func pdfNeed(t *testing.T, tool string) {
	t.Helper()
	if _, err := exec.LookPath(tool); err != nil {
		t.Skipf("%s not installed", tool)
	}
}

func pdfTemp(t *testing.T, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "case.pdf")
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func pdfCheck(checks []Check, name string) (Check, bool) {
	for _, c := range checks {
		if c.Name == name {
			return c, true
		}
	}
	return Check{}, false
}

func pdfVerify(t *testing.T, data []byte) (*PDFSignature, []Check) {
	t.Helper()
	sig, checks := VerifyPDFSignature(bytes.NewReader(data), int64(len(data)), pdfTrust(t))
	for _, c := range checks {
		t.Logf("%s %s: %s", c.Status, c.Name, c.Detail)
	}
	return sig, checks
}

func TestVerifyPDFSignature(t *testing.T) {
	t.Parallel()
	for _, alg := range []string{"ecdsa", "ed25519"} {
		t.Run(alg, func(t *testing.T) {
			data := pdfFixture(t, "sealed-"+alg+".pdf")
			sig, checks := pdfVerify(t, data)
			if v := Verdict(checks); v != Passed {
				t.Fatalf("verdict %s, want PASSED", v)
			}
			for _, name := range []string{CheckPDFByteRange, CheckPDFSignature, CheckPDFTimestamp + " " + CheckTokenChain} {
				if c, ok := pdfCheck(checks, name); !ok || c.Status != Passed {
					t.Errorf("check %s: %+v", name, c)
				}
			}
			pub, err := manifest.ParsePublicKey(pdfFixture(t, "signer-"+alg+".pub.pem"))
			if err != nil {
				t.Fatal(err)
			}
			want, _ := manifest.Fingerprint(pub)
			if sig.Fingerprint != want {
				t.Errorf("signer %s, want %s", sig.Fingerprint, want)
			}
			if sig.Timestamp == nil || !sig.Timestamp.Trusted ||
				!sig.Timestamp.Time.Equal(time.Date(2026, 11, 25, 10, 31, 0, 0, time.UTC)) {
				t.Errorf("timestamp %+v", sig.Timestamp)
			}
		})
	}
}

// TestPDFSignerFingerprintOpenSSL checks the fingerprint against
// openssl's DER encoding of the key and sha256sum.
func TestPDFSignerFingerprintOpenSSL(t *testing.T) {
	t.Parallel()
	pdfNeed(t, "openssl")
	pdfNeed(t, "sha256sum")
	sig, _ := pdfVerify(t, pdfFixture(t, "sealed-ecdsa.pdf"))
	key := filepath.Join("testdata", "pdf", "signer-ecdsa.pub.pem")
	out, err := exec.Command("sh", "-c", "openssl pkey -pubin -in "+key+" -outform DER | sha256sum").Output()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Fields(string(out))[0]; got != sig.Fingerprint {
		t.Errorf("openssl says %s, VerifyPDFSignature %s", got, sig.Fingerprint)
	}
}

func TestExtractPDFBundle(t *testing.T) {
	t.Parallel()
	want := pdfFixture(t, "bundle.custody")
	for _, alg := range []string{"ecdsa", "ed25519"} {
		data := pdfFixture(t, "sealed-"+alg+".pdf")
		b, err := ExtractPDFBundle(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(b)
		if err != nil || !bytes.Equal(got, want) || b.Name != "case.custody" {
			t.Errorf("%s: %q, %d bytes, err %v, identical to bundle.custody: %v", alg, b.Name, len(got), err, bytes.Equal(got, want))
		}
		zr, err := zip.NewReader(b, b.Size())
		if err != nil || len(zr.File) == 0 || zr.File[0].Name != "mimetype" {
			t.Errorf("%s: the extracted bundle is not a bundle ZIP: %v", alg, err)
		}
	}
}

// TestExtractPDFBundleQPDF compares with what qpdf extracts.
func TestExtractPDFBundleQPDF(t *testing.T) {
	t.Parallel()
	pdfNeed(t, "qpdf")
	data := pdfFixture(t, "sealed-ecdsa.pdf")
	out, err := exec.Command("qpdf", "--show-attachment=case.custody", pdfTemp(t, data)).Output()
	if err != nil {
		t.Fatal(err)
	}
	b, err := ExtractPDFBundle(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(b)
	if !bytes.Equal(got, out) {
		t.Errorf("qpdf extracts %d bytes, ExtractPDFBundle %d, identical: %v", len(out), len(got), bytes.Equal(got, out))
	}
}

// TestPDFFlippedByte flips one byte in each region of the file; pdfsig
// must call the signature invalid and VerifyPDFSignature must fail.
func TestPDFFlippedByte(t *testing.T) {
	t.Parallel()
	data := pdfFixture(t, "sealed-ecdsa.pdf")
	br := pdfByteRange(t, data)
	for _, tc := range []struct {
		what   string
		at     int
		signed bool // outside /Contents: pdfsig must reject it too
		want   Status
	}{
		{"header", 10, true, Failed},
		{"bundle", bytes.Index(data, []byte("fixture payload")), true, Failed},
		{"signature dictionary", int(br[1]) - 30, true, Failed},
		{"final trailer", len(data) - 10, true, Failed},
		// Inside the CMS, in its certificate's inner signature algorithm:
		// pdfsig (NSS) does not check the certificate's own encoding and
		// still says valid, and Go's parser refuses the certificate; but
		// its bytes are no longer those the signer's ESS attribute names,
		// which no parser decides (bundle-format.md §7.2, "Order").
		{"CMS in /Contents", int(br[1]) + 200, false, Failed},
	} {
		t.Run(tc.what, func(t *testing.T) {
			bad := bytes.Clone(data)
			bad[tc.at] ^= 0x01
			if bad[tc.at] == '<' || bad[tc.at] == '>' || bad[tc.at] == '\n' {
				bad[tc.at] ^= 0x03
			}
			_, checks := pdfVerify(t, bad)
			if v := Verdict(checks); v != tc.want {
				t.Errorf("verdict %s, want %s", v, tc.want)
			}
			if _, err := exec.LookPath("pdfsig"); err == nil && tc.signed {
				out, _ := exec.Command("pdfsig", pdfTemp(t, bad)).CombinedOutput()
				if strings.Contains(string(out), "Signature is Valid.") {
					t.Errorf("pdfsig still says valid:\n%s", out)
				}
			}
		})
	}
}

// TestPDFUnparsableCertificate: the signer's certificate in the CMS
// swapped for one this verifier's X.509 parser refuses (here a negative
// serial number, which Go refuses and lenient parsers read) is FAILED,
// as a verifier whose parser reads it finds it: its bytes are not those
// the ESS attribute names, which is checked before anything is parsed
// (bundle-format.md §7.2, "Order"). A genuine certificate that cannot be
// parsed is INDETERMINATE (TestPDFGenuineUnparsableCertificate).
func TestPDFUnparsableCertificate(t *testing.T) {
	data := pdfFixture(t, "sealed-ecdsa.pdf")
	sig, _ := pdfVerify(t, data)
	raw := sig.Certificate.Raw
	at := bytes.Index(data, []byte(hex.EncodeToString(raw)))
	if at < 0 {
		t.Fatal("the signer's certificate is not in /Contents as lowercase hex")
	}
	bad, _, err := testpki.NegateSerial(raw)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := x509.ParseCertificate(bad); err == nil {
		t.Fatal("the altered certificate still parses")
	}
	altered := bytes.Clone(data)
	copy(altered[at:], hex.EncodeToString(bad))
	_, checks := pdfVerify(t, altered)
	if v := Verdict(checks); v != Failed {
		t.Fatalf("verdict %s, want FAILED", v)
	}
	if c := findCheck(t, checks, CheckPDFSignature); c.Status != Failed || !strings.Contains(c.Detail, "not the certificate the signer named") {
		t.Errorf("pdf.signature: %+v, want FAILED: the ESS attribute names other bytes", c)
	}
}

// pdfByteRange reads the /ByteRange with a regexp, independently of
// package pdfread.
func pdfByteRange(t testing.TB, data []byte) [4]int64 {
	m := regexp.MustCompile(`/ByteRange \[(\d+) (\d+) (\d+) (\d+)\]`).FindAllSubmatch(data, -1)
	if len(m) != 1 {
		t.Fatalf("%d /ByteRange in the fixture", len(m))
	}
	var br [4]int64
	for i := range br {
		br[i], _ = strconv.ParseInt(string(m[0][i+1]), 10, 64)
	}
	return br
}

func TestPDFPristineIsValidForPdfsig(t *testing.T) {
	t.Parallel()
	pdfNeed(t, "pdfsig")
	out, _ := exec.Command("pdfsig", pdfTemp(t, pdfFixture(t, "sealed-ecdsa.pdf"))).CombinedOutput()
	if !strings.Contains(string(out), "Signature is Valid.") {
		t.Errorf("pdfsig:\n%s", out)
	}
}

// pdfUpdate appends an incremental update to data: objects (number ->
// body) and a trailer whose /Root is root.
func pdfUpdate(t testing.TB, data []byte, root int, objects map[int]string) []byte {
	t.Helper()
	startxref := regexp.MustCompile(`startxref\s+(\d+)\s+%%EOF\s*$`).FindSubmatch(data)
	if startxref == nil {
		t.Fatal("no startxref")
	}
	var b bytes.Buffer
	b.Write(data)
	offsets := map[int]int{}
	max := 0
	for num, body := range objects {
		offsets[num] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", num, body)
		max = maxInt(max, num)
	}
	xref := b.Len()
	b.WriteString("xref\n")
	for num := range objects {
		fmt.Fprintf(&b, "%d 1\n%010d 00000 n \n", num, offsets[num])
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root %d 0 R /Prev %s >>\nstartxref\n%d\n%%%%EOF\n", max+1, root, startxref[1], xref)
	return b.Bytes()
}

func maxInt(a, b int) int {
	if a > b {
		return a
	}
	return b
}

// pdfRoot is the /Root object number of the newest trailer.
func pdfRoot(t testing.TB, data []byte) int {
	m := regexp.MustCompile(`/Root (\d+) 0 R`).FindAllSubmatch(data, -1)
	n, _ := strconv.Atoi(string(m[len(m)-1][1]))
	return n
}

func TestPDFAfterSigning(t *testing.T) {
	t.Parallel()
	data := pdfFixture(t, "sealed-ecdsa.pdf")
	root := pdfRoot(t, data)
	// The newest catalog and signature field: the updates may write more
	// than one.
	catalogs := regexp.MustCompile(`(?s)\n`+strconv.Itoa(root)+` 0 obj\n(<<.*?>>)\s*endobj`).FindAllSubmatch(data, -1)
	if catalogs == nil {
		t.Fatal("no catalog in the fixture")
	}
	catalog := catalogs[len(catalogs)-1]
	fields := regexp.MustCompile(`/Fields \[(\d+) 0 R\]`).FindAllSubmatch(catalog[1], -1)
	if fields == nil {
		t.Fatal("no /Fields in the fixture's catalog")
	}
	field := fields[0]
	twoFields := strings.Replace(string(catalog[1]), string(field[0]), "/Fields ["+string(field[1])+" 0 R "+string(field[1])+" 0 R]", 1)
	for _, tc := range []struct {
		what  string
		data  []byte
		check string
		want  string
	}{
		{"garbage appended", append(bytes.Clone(data), "% one more line\n"...), CheckPDFByteRange, "bytes are unsigned (added after signing"},
		{"incremental update appended", pdfUpdate(t, data, root, map[int]string{900: "(a comment added later)"}), CheckPDFByteRange, "bytes are unsigned (added after signing"},
		{"truncated", data[:len(data)-3], CheckPDFByteRange, "truncated"},
		{"second signature field", pdfUpdate(t, data, root, map[int]string{root: twoFields}), CheckPDFSignature, "2 signature fields"},
		{"signature removed", pdfUpdate(t, data, root, map[int]string{root: strings.Replace(string(catalog[1]), "/AcroForm", "/Removed", 1)}), CheckPDFSignature, "not signed"},
	} {
		t.Run(tc.what, func(t *testing.T) {
			_, checks := pdfVerify(t, tc.data)
			c, ok := pdfCheck(checks, tc.check)
			if !ok || c.Status != Failed || !strings.Contains(c.Detail, tc.want) {
				t.Errorf("want %s FAILED with %q, got %+v", tc.check, tc.want, c)
			}
			if tc.check == CheckPDFSignature && c.SubIndication() != FormatFailure {
				t.Errorf("%s: sub-indication %s, want FORMAT_FAILURE (not the one form: one signature field)", tc.check, c.SubIndication())
			}
			if Verdict(checks) != Failed {
				t.Errorf("verdict %s", Verdict(checks))
			}
		})
	}
}

func TestExtractPDFBundleRejects(t *testing.T) {
	t.Parallel()
	data := pdfFixture(t, "sealed-ecdsa.pdf")
	root := pdfRoot(t, data)
	spec := regexp.MustCompile(`/Names \[\(case.custody\) (\d+) 0 R\]`).FindSubmatch(data)
	names := regexp.MustCompile(`/Names (\d+) 0 R`).FindSubmatch(data)
	for _, tc := range []struct {
		what string
		data []byte
		want string
	}{
		{"not signed, no attachment", pdfFixture(t, "rendered.pdf"), "no embedded files"},
		{"two embedded files", pdfUpdate(t, data, root, map[int]string{
			atoi(names[1]): fmt.Sprintf("<< /EmbeddedFiles << /Names [(a.custody) %s 0 R (b.custody) %s 0 R] >> >>", spec[1], spec[1])}),
			"lists 2 files"},
		{"not text", []byte("%PDF-1.7\nhello, this is not a real PDF file at all\n"), "startxref"},
		{"empty", nil, "too short"},
	} {
		t.Run(tc.what, func(t *testing.T) {
			_, err := ExtractPDFBundle(bytes.NewReader(tc.data), int64(len(tc.data)))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one saying %q", err, tc.want)
			}
		})
	}
}

func atoi(b []byte) int {
	n, _ := strconv.Atoi(string(b))
	return n
}

// FuzzVerifyPDF runs the whole standalone-PDF verification (the embedded
// bundle, the signature, the rendering and its updates) on hostile bytes:
// never a panic, and without trust anchors never PASSED.
func FuzzVerifyPDF(f *testing.F) {
	f.Add(pdfFixture(f, "sealed-ecdsa.pdf"))
	f.Add(pdfFixture(f, "sealed-ed25519.pdf"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rep, err := PDF(bytes.NewReader(data), int64(len(data)), Options{})
		if err == nil && rep.Result == Passed {
			t.Fatalf("PASSED without a trust anchor: %+v", rep.Checks)
		}
	})
}

func FuzzExtractPDFBundle(f *testing.F) {
	for _, name := range []string{"sealed-ecdsa.pdf", "rendered.pdf"} {
		f.Add(pdfFixture(f, name))
	}
	f.Add([]byte("%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\nxref\n0 2\n0000000000 65535 f \n0000000009 00000 n \ntrailer\n<< /Size 2 /Root 1 0 R >>\nstartxref\n48\n%%EOF\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := ExtractPDFBundle(bytes.NewReader(data), int64(len(data)))
		if err == nil && (b.Size() < 0 || b.Size() > int64(len(data))) {
			t.Fatalf("bundle of %d bytes in a %d-byte file", b.Size(), len(data))
		}
	})
}

func FuzzVerifyPDFSignature(f *testing.F) {
	f.Add(pdfFixture(f, "sealed-ed25519.pdf"))
	f.Add(pdfFixture(f, "rendered.pdf"))
	f.Fuzz(func(t *testing.T, data []byte) {
		sig, checks := VerifyPDFSignature(bytes.NewReader(data), int64(len(data)), Options{})
		if len(checks) == 0 {
			t.Fatal("no checks")
		}
		if Verdict(checks) != Failed && (sig == nil || sig.Fingerprint == "") {
			t.Fatal("not failed, yet no signer")
		}
	})
}

func BenchmarkVerifyPDFSignature(b *testing.B) {
	data := pdfFixture(b, "sealed-ecdsa.pdf")
	opts := pdfTrust(b)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, checks := VerifyPDFSignature(bytes.NewReader(data), int64(len(data)), opts); Verdict(checks) != Passed {
			b.Fatal(checks)
		}
	}
}

// TestPDFReport covers PDF's own outcomes; a PDF embedding a real bundle
// is verified end to end in package pdfseal (TestSealRealBundle).
func TestPDFReport(t *testing.T) {
	t.Parallel()
	data := pdfFixture(t, "sealed-ecdsa.pdf")
	rep, err := PDF(bytes.NewReader(data), int64(len(data)), pdfTrust(t))
	if err != nil {
		t.Fatal(err)
	}
	// The fixture embeds a toy ZIP, not a sealed bundle.
	if c := rep.Checks[0]; rep.Result != Failed || c.Name != CheckPDFEmbeddedBundle || c.Status != Passed {
		t.Errorf("result %s, first check %+v", rep.Result, c)
	}
	if c, ok := pdfCheck(rep.Checks, CheckPDFSignature); !ok || c.Status != Passed {
		t.Errorf("the PDF signature is checked even when the bundle fails: %+v", c)
	}
	unsealed := pdfFixture(t, "rendered.pdf")
	if _, err = PDF(bytes.NewReader(unsealed), int64(len(unsealed)), Options{}); !errors.Is(err, ErrNotCustody) ||
		!strings.Contains(err.Error(), "a PDF without an embedded custody bundle") {
		t.Errorf("unsealed PDF: %v", err)
	}
	zipBytes := pdfFixture(t, "bundle.custody")
	if _, err := PDF(bytes.NewReader(zipBytes), int64(len(zipBytes)), Options{}); err == nil {
		t.Error("a ZIP taken for a PDF")
	}
}

// A PDF signature under an algorithm this verifier does not implement is
// not checked, which proves nothing: INDETERMINATE, never FAILED (nor
// PASSED).
func TestPDFSignatureAlgorithmNotImplemented(t *testing.T) {
	t.Parallel()
	data := pdfFixture(t, "sealed-ecdsa.pdf")
	br := pdfByteRange(t, data)
	contents := data[br[1]:br[2]]
	// ecdsa-with-SHA256 (1.2.840.10045.4.3.2) becomes 1.2.840.10045.4.3.9,
	// an arc no one assigned, in the SignerInfo's signatureAlgorithm: the
	// last occurrence before the signature timestamp's attribute
	// (id-aa-timeStampToken), the certificates coming before it.
	hexCMS := bytes.ToLower(contents)
	token := bytes.Index(hexCMS, []byte("060b2a864886f70d010910020e"))
	oid := []byte("06082a8648ce3d040302")
	i := bytes.LastIndex(hexCMS[:max(token, 0)], oid)
	if token < 0 || i < 0 {
		t.Fatal("no ecdsa-with-SHA256 before the timestamp token in the fixture's CMS")
	}
	bad := bytes.Clone(data)
	bad[int(br[1])+i+len(oid)-1] = '9'
	_, checks := pdfVerify(t, bad)
	c, ok := pdfCheck(checks, CheckPDFSignature)
	if !ok || c.Status != Indeterminate || c.SubIndication() != CryptoConstraintsFailure || !strings.Contains(c.Detail, "not implemented") {
		t.Errorf("%+v", checks)
	}
}

// TestPDFContentsOneForm: the /Contents hex string lies outside the
// signature's byte range; the case of its letters and whitespace in its
// padding could carry about 180 hidden bytes under a valid signature
// (issue 13, item 7). The exporter writes one form: lowercase, '0'
// padding.
func TestPDFContentsOneForm(t *testing.T) {
	t.Parallel()
	data := pdfFixture(t, "sealed-ecdsa.pdf")
	br := pdfByteRange(t, data)
	hexDigits := data[br[1]+1 : br[2]-1]
	letter := bytes.IndexAny(hexDigits, "abcdef")
	end := bytes.LastIndexFunc(hexDigits, func(r rune) bool { return r != '0' })
	for _, tc := range []struct {
		what string
		edit func(d []byte)
	}{
		{"an uppercase letter in the CMS", func(d []byte) { d[int(br[1])+1+letter] -= 'a' - 'A' }},
		{"whitespace in the padding", func(d []byte) { copy(d[int(br[1])+1+end+10:], "  \n\t") }},
	} {
		t.Run(tc.what, func(t *testing.T) {
			bad := bytes.Clone(data)
			tc.edit(bad)
			_, checks := pdfVerify(t, bad)
			c, _ := pdfCheck(checks, CheckPDFSignature)
			if Verdict(checks) != Failed || c.Status != Failed || c.Sub != FormatFailure {
				t.Fatalf("verdict %s, %+v", Verdict(checks), c)
			}
		})
	}
	if _, checks := pdfVerify(t, data); Verdict(checks) != Passed {
		t.Fatalf("the control: %s", Verdict(checks))
	}
}
