package verify_test

import (
	"bytes"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/custody-toolkit/custody/custody"
	"github.com/custody-toolkit/custody/internal/testbundle"
	"github.com/custody-toolkit/custody/pdfseal"
	"github.com/custody-toolkit/custody/tsa"
	"github.com/custody-toolkit/custody/tsa/localtsa"
	"github.com/custody-toolkit/custody/verify"
)

// renewalFixture is a standalone PDF sealed as the exporter seals it
// (signed), a renewal (renew: a document timestamp by fx's TSA, or by
// another given) and the verification of a PDF with fx's TSA trusted.
func renewalFixture(t *testing.T) (signed []byte, renew func(*testing.T, []byte, *testbundle.Fixture, ...[]byte) []byte, check func(*testing.T, []byte) *verify.Report) {
	fx := testbundle.New(t, "ecdsa-p256")
	bundle := readFile(t, fx.ExportOptions(t, testbundle.Sample(), custody.Options{}))
	rep, err := verify.Bundle(bytes.NewReader(bundle), int64(len(bundle)), verify.Options{Trust: fx.Roots})
	if err != nil || rep.Result != verify.Passed {
		t.Fatalf("%v %+v", err, rep)
	}
	sign, check := standaloneSignerFor(t, fx, bundle)
	signed = sign(t, standalonePages(t, bundle, rep, ""))
	renew = func(t *testing.T, pdf []byte, by *testbundle.Fixture, crls ...[]byte) []byte {
		if by == nil {
			by = fx
		}
		srv := httptest.NewServer(localtsa.Handler(by.Authority))
		defer srv.Close()
		var out bytes.Buffer
		_, err := pdfseal.AddDocumentTimestamp(t.Context(), &out, bytes.NewReader(pdf), int64(len(pdf)),
			pdfseal.RenewOptions{Timestamper: &tsa.Client{URL: srv.URL}, CRLs: crls})
		if err != nil {
			t.Fatal(err)
		}
		return out.Bytes()
	}
	return signed, renew, check
}

// TestRenewedPDF: renewals append document timestamps (the second after a
// document security store update with a CRL); the PDF verifies PASSED
// with each timestamp reported, poppler still finds the signature valid
// and lists the timestamps, and qpdf finds no error.
func TestRenewedPDF(t *testing.T) {
	t.Parallel()
	signed, renew, check := renewalFixture(t)
	once := renew(t, signed, nil)
	if !bytes.HasPrefix(once, signed) {
		t.Fatal("the renewal changed the signed bytes")
	}
	twice := renew(t, once, nil, readFile(t, "testdata/pdf/tsa.pem")) // any bytes: the store holds what it is given
	for _, pdf := range [][]byte{once, twice} {
		r := check(t, pdf)
		if r.Result != verify.Passed {
			t.Fatalf("%s: %+v", r.Result, r.Checks)
		}
	}
	r := check(t, twice)
	for _, name := range []string{"pdf.document-timestamp 1", "pdf.document-timestamp 2", "pdf.document-timestamp 2 token.imprint", "pdf.document-timestamp 2 token.chain"} {
		if c, ok := checkNamed(r, name); !ok || c.Status != verify.Passed {
			t.Errorf("%s: %+v", name, c)
		}
	}
	if n := len(r.Timestamps); n < 3 || r.Timestamps[n-1].File != "PDF document timestamp 2" {
		t.Errorf("timestamps %+v", r.Timestamps)
	}
	if c, _ := checkNamed(r, "pdf.document-timestamp 1"); !strings.Contains(c.Detail, "(trusted)") {
		t.Errorf("detail %q", c.Detail)
	}
	if !bytes.Contains(twice[len(once):], []byte("/CRLs [")) {
		t.Error("the second renewal stored no CRL")
	}
	path := filepath.Join(t.TempDir(), "renewed.pdf")
	if err := os.WriteFile(path, twice, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := exec.LookPath("qpdf"); err == nil {
		if out, err := exec.Command("qpdf", "--check", path).CombinedOutput(); err != nil || !bytes.Contains(out, []byte("No syntax or stream encoding errors")) {
			t.Errorf("qpdf --check: %v\n%s", err, out)
		}
	}
	if _, err := exec.LookPath("pdfsig"); err == nil {
		out, err := exec.Command("pdfsig", path).CombinedOutput()
		// poppler validates no document timestamp (ETSI.RFC3161): it lists
		// them; the signature stays valid.
		if err != nil || !regexp.MustCompile(`(?s)Signature #1:.*Signature is Valid.*DocTimeStamp1.*DocTimeStamp2`).Match(out) {
			t.Errorf("pdfsig: %v\n%s", err, out)
		}
	}
}

// TestRenewedPDFUntrusted: a document timestamp by a TSA no --trust
// anchor leads to, which anyone can append, is reported (INFO, with its
// sub-indication) and not used: the verdict is the sealed evidence's,
// PASSED. The same timestamp broken (its covered bytes changed after it
// was made) is FAILED, untrusted or not.
func TestRenewedPDFUntrusted(t *testing.T) {
	t.Parallel()
	signed, renew, check := renewalFixture(t)
	untrusted := renew(t, signed, testbundle.New(t, "ecdsa-p256"))
	r := check(t, untrusted)
	head, _ := checkNamed(r, "pdf.document-timestamp 1")
	chain, _ := checkNamed(r, "pdf.document-timestamp 1 token.chain")
	if r.Result != verify.Passed {
		t.Errorf("%s, want PASSED: %+v", r.Result, r.Checks)
	}
	for _, c := range []verify.Check{head, chain} {
		if c.Status != verify.Info || c.SubIndication() != verify.NoCertificateChainFound || !strings.Contains(c.Detail, "not used as a proof of existence") {
			t.Errorf("%s: %s %s %q, want INFO NO_CERTIFICATE_CHAIN_FOUND, not used", c.Name, c.Status, c.SubIndication(), c.Detail)
		}
	}
	broken := bytes.Replace(untrusted, []byte("(DocTimeStamp1)"), []byte("(DocTimeStampX)"), 1)
	r = check(t, broken)
	if c, _ := checkNamed(r, "pdf.document-timestamp 1 token.imprint"); r.Result != verify.Failed || c.Status != verify.Failed {
		t.Errorf("broken and untrusted: %s, %+v", r.Result, c)
	}
	if c, _ := checkNamed(r, "pdf.document-timestamp 1"); c.Status != verify.Info || !strings.Contains(c.Detail, "broken: its token.imprint is FAILED") {
		t.Errorf("broken and untrusted, the timestamp's own check: %+v", c)
	}
}

// TestRenewedPDFAltered: what a renewal appends is covered by its
// timestamp, and may only add: a byte changed or appended after it, or an
// update that changes a signed object or the catalog, even timestamped
// after, is FAILED.
func TestRenewedPDFAltered(t *testing.T) {
	t.Parallel()
	signed, renew, check := renewalFixture(t)
	once := renew(t, signed, nil)
	size, startxref := lastTrailerNumbers(t, signed)
	root := pdfRootNum(t, signed)
	catalog := lastObject(t, signed, root)
	content := regexp.MustCompile(`/Contents\s+(\d+) 0 R`).FindSubmatch(signed)
	altered := "BT /F1 24 Tf 72 700 Td (nothing to see here) Tj ET"
	for _, tc := range []struct {
		what, check, want string
		pdf               []byte
	}{
		{"a byte of the renewal changed", "pdf.document-timestamp 1 token.imprint", "",
			bytes.Replace(once, []byte("(DocTimeStamp1)"), []byte("(DocTimeStampX)"), 1)},
		{"bytes appended after the renewal", "pdf.document-timestamp 1", "bytes are unsigned",
			append(bytes.Clone(once), "% later\n"...)},
		{"a page's content redefined, then timestamped", verify.CheckPDFByteRange, "object " + string(content[1]) + " of the signed revision is redefined",
			renew(t, verify.AppendPDFUpdate(signed, map[int]string{atoiBytes(t, content[1]): "<< /Length " + strconv.Itoa(len(altered)) + " >>\nstream\n" + altered + "\nendstream"}, root, size, startxref), nil)},
		{"an action added to the catalog, then timestamped", verify.CheckPDFByteRange, "the catalog's /OpenAction is not the signed one's",
			renew(t, verify.AppendPDFUpdate(signed, map[int]string{root: strings.Replace(catalog, "/Type /Catalog", "/Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >>", 1)}, root, size, startxref), nil)},
	} {
		t.Run(tc.what, func(t *testing.T) {
			r := check(t, tc.pdf)
			c, ok := checkNamed(r, tc.check)
			if r.Result != verify.Failed || !ok || c.Status != verify.Failed || !strings.Contains(c.Detail, tc.want) {
				t.Errorf("%s; %s: %+v", r.Result, tc.check, c)
			}
		})
	}
}

// lastTrailerNumbers are the newest trailer's /Size and startxref.
func lastTrailerNumbers(t *testing.T, pdf []byte) (size, startxref int) {
	t.Helper()
	sizes := regexp.MustCompile(`/Size\s+(\d+)`).FindAllSubmatch(pdf, -1)
	xrefs := regexp.MustCompile(`startxref\s+(\d+)`).FindAllSubmatch(pdf, -1)
	if sizes == nil || xrefs == nil {
		t.Fatal("no trailer")
	}
	return atoiBytes(t, sizes[len(sizes)-1][1]), atoiBytes(t, xrefs[len(xrefs)-1][1])
}

func pdfRootNum(t *testing.T, pdf []byte) int {
	m := regexp.MustCompile(`/Root (\d+) 0 R`).FindAllSubmatch(pdf, -1)
	return atoiBytes(t, m[len(m)-1][1])
}

// lastObject is the body of object num's newest definition.
func lastObject(t *testing.T, pdf []byte, num int) string {
	m := regexp.MustCompile(`(?s)\n`+strconv.Itoa(num)+` 0 obj\n(<<.*?>>)\s*endobj`).FindAllSubmatch(pdf, -1)
	if m == nil {
		t.Fatalf("no object %d", num)
	}
	return string(m[len(m)-1][1])
}

func atoiBytes(t *testing.T, b []byte) int {
	n, err := strconv.Atoi(string(b))
	if err != nil {
		t.Fatal(err)
	}
	return n
}
