package webverify_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"hash"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/custody-toolkit/custody/custody"
	"github.com/custody-toolkit/custody/internal/testbundle"
	"github.com/custody-toolkit/custody/internal/webverify"
	"github.com/custody-toolkit/custody/manifest"
	"github.com/custody-toolkit/custody/tsa"
	"github.com/custody-toolkit/custody/tsa/localtsa"
	"github.com/custody-toolkit/custody/verify"
)

func verifyBytes(t *testing.T, data []byte, in webverify.Input) webverify.Result {
	t.Helper()
	return webverify.Verify(bytes.NewReader(data), int64(len(data)), in)
}

// TestVerify: the page's verdicts are custody-verify's, said in plain
// words, with the messages to read.
func TestVerify(t *testing.T) {
	fx := testbundle.New(t, "ecdsa-p256")
	path := fx.Export(t, testbundle.Sample(), custody.Selection{Label: "urgente"})
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	root, err := os.ReadFile(fx.RootPEM)
	if err != nil {
		t.Fatal(err)
	}
	fp, err := manifest.Fingerprint(fx.PublicKey)
	if err != nil {
		t.Fatal(err)
	}

	res := verifyBytes(t, data, webverify.Input{Name: "case.custody", TrustPEM: root, Signer: fp})
	if res.Verdict.Result != verify.Passed || res.Verdict.Headline != "Intact and sealed" || !res.Report.Signer.Checked {
		t.Fatalf("genuine bundle: %+v", res.Verdict)
	}
	if len(res.Messages) != res.Report.Messages || len(res.Messages) == 0 {
		t.Fatalf("%d messages listed, the report says %d", len(res.Messages), res.Report.Messages)
	}
	for _, m := range res.Messages {
		if !m.Intact || m.Text == "" && len(m.Attachments) == 0 {
			t.Errorf("message %+v", m)
		}
	}

	res = verifyBytes(t, data, webverify.Input{Name: "case.custody"})
	if res.Verdict.Result != verify.Indeterminate || !strings.Contains(res.Verdict.Detail, "trust anchor") {
		t.Errorf("without a trust anchor: %+v", res.Verdict)
	}

	res = verifyBytes(t, []byte("hello"), webverify.Input{Name: "notes.txt"})
	if res.Verdict.ExitCode != 2 || res.Report != nil || !strings.Contains(res.Verdict.Detail, "notes.txt: not a custody bundle: a text file") {
		t.Errorf("a text file: %+v", res.Verdict)
	}

	res = verifyBytes(t, data, webverify.Input{Name: "case.custody", TrustPEM: []byte("-----BEGIN CERTIFICATE-----\nnope\n")})
	if res.Verdict.ExitCode != 2 || !strings.Contains(res.Verdict.Detail, "trust anchors") {
		t.Errorf("unreadable trust anchors: %+v", res.Verdict)
	}
}

// TestVerifyAltered: an altered message is FAILED, and the page marks it.
func TestVerifyAltered(t *testing.T) {
	fx := testbundle.New(t, "ecdsa-p256")
	entries := testbundle.ReadEntries(t, fx.Export(t, testbundle.Sample(), custody.Selection{}))
	m := testbundle.Manifest(t, entries)
	i := testbundle.Find(entries, m.Messages[0].Entry)
	entries[i].Data = bytes.Replace(entries[i].Data, []byte(`"text":"`), []byte(`"text":"NOT `), 1)
	root, _ := os.ReadFile(fx.RootPEM)

	res := verifyBytes(t, testbundle.WriteEntries(t, entries), webverify.Input{Name: "case.custody", TrustPEM: root})
	if res.Verdict.Result != verify.Failed || !strings.HasPrefix(res.Verdict.Headline, "Altered") {
		t.Fatalf("altered message: %+v", res.Verdict)
	}
	if res.Messages[0].Intact || !strings.HasPrefix(res.Messages[0].Text, "NOT ") {
		t.Errorf("altered message shown as %+v", res.Messages[0])
	}
}

// TestEntry: the page gets a sealed file's bytes only if they match the
// seal, and only a file the manifest lists.
func TestEntry(t *testing.T) {
	fx := testbundle.New(t, "ecdsa-p256")
	entries := testbundle.ReadEntries(t, fx.Export(t, testbundle.Sample(), custody.Selection{}))
	m := testbundle.Manifest(t, entries)
	var attachment string
	for _, f := range m.Files {
		if strings.HasPrefix(f.Path, "attachments/") {
			attachment = f.Path
			break
		}
	}
	if attachment == "" {
		t.Fatal("the sample has no attachment")
	}
	data := testbundle.WriteEntries(t, entries)
	got, err := webverify.Entry(bytes.NewReader(data), int64(len(data)), attachment)
	if want := entries[testbundle.Find(entries, attachment)].Data; err != nil || !bytes.Equal(got, want) {
		t.Fatalf("Entry(%s): %d bytes, %v", attachment, len(got), err)
	}
	if _, err := webverify.Entry(bytes.NewReader(data), int64(len(data)), manifest.ManifestName); err == nil {
		t.Error("Entry gave the manifest, which is not a sealed content file")
	}
	i := testbundle.Find(entries, attachment)
	entries[i].Data = bytes.Clone(entries[i].Data)
	entries[i].Data[len(entries[i].Data)/2] ^= 1
	data = testbundle.WriteEntries(t, entries)
	if _, err := webverify.Entry(bytes.NewReader(data), int64(len(data)), attachment); err == nil || !strings.Contains(err.Error(), "altered") {
		t.Errorf("altered attachment: %v", err)
	}
}

// TestRepackedWithoutTemporaryFiles: a re-zipped (compressed) bundle
// needs a temporary file for its rendering check, which a browser does not
// have; genuine content must then be INDETERMINATE, never FAILED.
func TestRepackedWithoutTemporaryFiles(t *testing.T) {
	fx := testbundle.New(t, "ecdsa-p256")
	entries := testbundle.ReadEntries(t, fx.Export(t, testbundle.Sample(), custody.Selection{}))
	t.Setenv("TMPDIR", filepath.Join(t.TempDir(), "missing"))
	root, _ := os.ReadFile(fx.RootPEM)
	res := verifyBytes(t, testbundle.Rezip(t, entries), webverify.Input{Name: "repacked.custody", TrustPEM: root})
	if res.Verdict.Result != verify.Indeterminate {
		t.Fatalf("genuine repacked bundle without temporary files: %+v", res.Verdict)
	}
}

// TestReport: the page's report PDF is custody-verify's, naming the web
// verifier, deterministic at a given time.
func TestReport(t *testing.T) {
	data, root := genuine(t)
	in := webverify.Input{Name: "case.custody", TrustPEM: root}
	at := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	report := func() []byte {
		pdf, err := webverify.Report(bytes.NewReader(data), int64(len(data)), in, "custody web verifier v1", strings.Repeat("ab", 32), at)
		if err != nil {
			t.Fatal(err)
		}
		return pdf
	}
	first := report()
	if !bytes.HasPrefix(first, []byte("%PDF-")) || !bytes.Equal(first, report()) {
		t.Error("not a PDF, or not the same bytes twice")
	}
	if _, err := webverify.Report(bytes.NewReader([]byte("hello")), 5, in, "v", "", at); err == nil {
		t.Error("a report for a text file")
	}
}

// TestVerifySHA256: the SHA-256 the page gives (the browser's) hashes the
// bundle's files, and the verdict is the same as with crypto/sha256.
func TestVerifySHA256(t *testing.T) {
	data, root := genuine(t)
	uses := 0
	in := webverify.Input{Name: "case.custody", TrustPEM: root, SHA256: func(int64) hash.Hash {
		uses++
		return sha256.New() // as the browser's stands in for it in the page
	}}
	res := verifyBytes(t, data, in)
	if res.Verdict.Result != verify.Passed || uses == 0 {
		t.Errorf("with the page's SHA-256: %s, used %d times", res.Verdict.Result, uses)
	}
}

// TestReportSHA256: the report's digest of the whole file is the page's
// SHA-256 too (crypto/sha256 in WebAssembly took seconds on a large file).
func TestReportSHA256(t *testing.T) {
	data, root := genuine(t)
	var asked []int64
	in := webverify.Input{Name: "case.custody", TrustPEM: root, SHA256: func(size int64) hash.Hash {
		asked = append(asked, size)
		return sha256.New()
	}}
	if _, err := webverify.Report(bytes.NewReader(data), int64(len(data)), in, "v", "", time.Now()); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(asked, int64(len(data))) {
		t.Errorf("the page's SHA-256 not asked for the whole file's %d bytes (asked %v)", len(data), asked)
	}
}

// genuine is a genuine bundle of the sample conversation and the root
// certificate of its timestamp authority (PEM).
func genuine(t *testing.T) (bundle, rootPEM []byte) {
	t.Helper()
	fx := testbundle.New(t, "ecdsa-p256")
	bundle, err := os.ReadFile(fx.Export(t, testbundle.Sample(), custody.Selection{}))
	if err != nil {
		t.Fatal(err)
	}
	if rootPEM, err = os.ReadFile(fx.RootPEM); err != nil {
		t.Fatal(err)
	}
	return bundle, rootPEM
}

// TestCompareRecord: the page's Web Worker compares record.pdf on the
// same file (webverify.CompareRecord, handed to
// verify.Options.CompareRecord by ComparedRecord.For) and the result, to
// the byte, is the one of a single thread, for a bundle in its sealed
// container and re-zipped; a comparison of another bundle than the one
// verified is refused, and the verification compares record.pdf itself.
func TestCompareRecord(t *testing.T) {
	fx := testbundle.New(t, "ecdsa-p256")
	path := fx.Export(t, testbundle.Sample(), custody.Selection{})
	bundle, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	root, _ := os.ReadFile(fx.RootPEM)
	other, err := os.ReadFile(fx.Export(t, testbundle.Sample(), custody.Selection{Label: "urgente"}))
	if err != nil {
		t.Fatal(err)
	}
	repacked := testbundle.Rezip(t, testbundle.ReadEntries(t, path))
	for _, c := range []struct {
		name        string
		data, other []byte // other: the file the worker reads
		compared    bool   // whether the worker's comparison is taken
	}{
		{"bundle", bundle, bundle, true},
		{"repacked", repacked, repacked, true},
		{"worker reads the repacked one", bundle, repacked, false},
		{"worker reads another bundle", bundle, other, false},
	} {
		in := webverify.Input{Name: "case.custody", TrustPEM: root}
		want := jsonOf(t, verifyBytes(t, c.data, in))
		taken := 0
		compared, err := webverify.CompareRecord(bytes.NewReader(c.other), int64(len(c.other)), nil)
		if err != nil {
			t.Fatal(err)
		}
		in.CompareRecord = func(which verify.RecordRendering) (verify.RenderingOutcome, error) {
			out, err := compared.For(which)
			if err == nil {
				taken++
			}
			return out, err
		}
		got := jsonOf(t, verifyBytes(t, c.data, in))
		if got != want {
			t.Errorf("%s: with the worker's comparison the result differs:\n%s\nwant\n%s", c.name, got, want)
		}
		if (taken == 1) != c.compared {
			t.Errorf("%s: the worker's comparison taken %d times", c.name, taken)
		}
	}
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// TestComparePagesAhead: the page's Web Worker compares a standalone
// PDF's pages before the page has verified its bundle
// (webverify.ComparePagesAhead, handed to verify.Options.ComparePDFPages
// by ComparedPages.For); the result, to the byte, is the one of a single
// thread. A comparison made under another seal (another PDF's) is
// refused, and the verification compares the pages itself.
func TestComparePagesAhead(t *testing.T) {
	fx := testbundle.New(t, "ecdsa-p256")
	root, err := os.ReadFile(fx.RootPEM)
	if err != nil {
		t.Fatal(err)
	}
	pdf := standalonePDF(t, fx, custody.Selection{})
	other := standalonePDF(t, fx, custody.Selection{Label: "urgente"})
	for _, c := range []struct {
		name     string
		other    []byte // the file the worker reads
		compared bool   // whether the worker's comparison is taken
	}{{"pdf", pdf, true}, {"worker reads another PDF", other, false}} {
		in := webverify.Input{Name: "case.pdf", TrustPEM: root}
		want := jsonOf(t, verifyBytes(t, pdf, in))
		if !strings.Contains(want, `"result":"PASSED"`) {
			t.Fatalf("%s: the PDF does not verify: %s", c.name, want)
		}
		compared, err := webverify.ComparePagesAhead(bytes.NewReader(c.other), int64(len(c.other)), nil)
		if err != nil {
			t.Fatal(err)
		}
		if compared.Check.Name != verify.CheckPDFRendering || compared.Check.Status != verify.Passed {
			t.Fatalf("%s: the worker's check: %+v", c.name, compared.Check)
		}
		taken := 0
		in.ComparePDFPages = func(which verify.PagesRendering) (verify.Check, error) {
			check, err := compared.For(which)
			if err == nil {
				taken++
			}
			return check, err
		}
		if got := jsonOf(t, verifyBytes(t, pdf, in)); got != want {
			t.Errorf("%s: with the worker's comparison the result differs:\n%s\nwant\n%s", c.name, got, want)
		}
		if (taken == 1) != c.compared {
			t.Errorf("%s: the worker's comparison taken %d times", c.name, taken)
		}
	}
}

// standalonePDF is the standalone PDF of the sample conversation's
// selection sel, sealed by fx's key and TSA.
func standalonePDF(t *testing.T, fx *testbundle.Fixture, sel custody.Selection) []byte {
	t.Helper()
	srv := httptest.NewServer(localtsa.Handler(fx.Authority))
	defer srv.Close()
	out := filepath.Join(t.TempDir(), "case.pdf")
	opts := custody.PDFOptions{Out: out, Signer: fx.Signer, Timestamper: &tsa.Client{URL: srv.URL}, Time: time.Now()}
	if err := custody.WritePDF(t.Context(), fx.Export(t, testbundle.Sample(), sel), opts); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
