package verify_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/custody-toolkit/custody/custody"
	"github.com/custody-toolkit/custody/internal/testbundle"
	"github.com/custody-toolkit/custody/manifest"
	"github.com/custody-toolkit/custody/verify"
)

// TestCompareRecordElsewhere: with Options.CompareRecord, record.pdf is
// compared by the hook (the web verifier's Web Worker), told the verified
// manifest's SHA-256, with verify.CompareRecordRendering over the bundle
// opened again; the report is the one of the comparison in the
// background, byte for byte. A hook that fails leaves the comparison to
// verify, with the same report.
func TestCompareRecordElsewhere(t *testing.T) {
	t.Parallel()
	fx := testbundle.New(t, "ed25519")
	path := fx.Export(t, testbundle.Sample(), custody.Selection{})
	report := func(opts verify.Options) []byte {
		t.Helper()
		opts.Trust = fx.Roots
		rep, err := verify.BundleFile(path, opts)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Result != verify.Passed {
			t.Fatalf("result %s, checks %+v", rep.Result, rep.Checks)
		}
		out, err := json.Marshal(rep)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	want := report(verify.Options{})

	var asked []verify.RecordRendering
	elsewhere := func(which verify.RecordRendering) (verify.RenderingOutcome, error) {
		asked = append(asked, which)
		return compareAgain(t, path)
	}
	if got := report(verify.Options{CompareRecord: elsewhere}); string(got) != string(want) {
		t.Errorf("compared elsewhere, the report differs:\n%s\nwant\n%s", got, want)
	}
	var rep verify.Report
	if err := json.Unmarshal(want, &rep); err != nil {
		t.Fatal(err)
	}
	if len(asked) != 1 || asked[0] != (verify.RecordRendering{ManifestSHA256: rep.Manifest}) {
		t.Errorf("CompareRecord asked for %+v, want once the manifest %s in its sealed container", asked, rep.Manifest)
	}

	refuse := func(verify.RecordRendering) (verify.RenderingOutcome, error) {
		return verify.RenderingOutcome{}, errors.New("no worker")
	}
	if got := report(verify.Options{CompareRecord: refuse}); string(got) != string(want) {
		t.Errorf("CompareRecord refused, the report differs:\n%s\nwant\n%s", got, want)
	}
}

// TestCompareRecordElsewhereReported: what the hook finds is what the
// rendering check reports (a FAILED comparison fails the bundle).
func TestCompareRecordElsewhereReported(t *testing.T) {
	t.Parallel()
	fx := testbundle.New(t, "ed25519")
	path := fx.Export(t, testbundle.Sample(), custody.Selection{})
	mismatch := func(verify.RecordRendering) (verify.RenderingOutcome, error) {
		return verify.RenderingOutcome{Status: verify.Failed, Sub: verify.RenderingMismatch, Detail: "it differs (from the hook)"}, nil
	}
	rep, err := verify.BundleFile(path, verify.Options{Trust: fx.Roots, CompareRecord: mismatch})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Result != verify.Failed || rep.Checks[len(rep.Checks)-1].Name != "rendering" || rep.Checks[len(rep.Checks)-1].Sub != verify.RenderingMismatch {
		t.Errorf("result %s, checks %+v: want the hook's FAILED rendering check last", rep.Result, rep.Checks)
	}
}

// compareAgain opens the bundle at path again and compares its record.pdf
// as a Web Worker would.
func compareAgain(t testing.TB, path string) (verify.RenderingOutcome, error) {
	f, err := os.Open(path)
	if err != nil {
		return verify.RenderingOutcome{}, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return verify.RenderingOutcome{}, err
	}
	b, err := manifest.OpenBundle(f, st.Size())
	if err != nil {
		return verify.RenderingOutcome{}, err
	}
	data, err := b.ReadSmall(manifest.ManifestName, manifest.MaxManifestSize)
	if err != nil {
		return verify.RenderingOutcome{}, err
	}
	m, err := manifest.Parse(data)
	if err != nil {
		return verify.RenderingOutcome{}, err
	}
	return verify.CompareRecordRendering(b, m, verify.Options{})
}

// TestComparePDFPagesElsewhere: with Options.ComparePDFPages, a standalone
// PDF's rendering check is made by the hook (the web verifier's Web
// Worker), told the seal verified, with verify.ComparePDFPages over the
// same file read again; the report is the same, byte for byte. A hook
// that fails, or that reads another bundle, leaves the check to verify.
func TestComparePDFPagesElsewhere(t *testing.T) {
	t.Parallel()
	signed, otherSigned := twoStandalonePDFs(t)
	report := func(opts verify.Options) string {
		t.Helper()
		rep, err := verify.PDF(bytes.NewReader(signed), int64(len(signed)), opts)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Result == verify.Failed {
			t.Fatalf("result %s, checks %+v", rep.Result, rep.Checks)
		}
		out, err := json.Marshal(rep)
		if err != nil {
			t.Fatal(err)
		}
		return string(out)
	}
	want := report(verify.Options{})
	for _, c := range []struct {
		name     string
		file     []byte // what the hook reads
		compared bool
	}{{"same file", signed, true}, {"another PDF", otherSigned, false}} {
		compared := 0
		elsewhere := func(which verify.PagesRendering) (verify.Check, error) {
			check, err := verify.ComparePDFPages(bytes.NewReader(c.file), int64(len(c.file)), which, verify.Options{})
			if err == nil {
				compared++
			}
			return check, err
		}
		if got := report(verify.Options{ComparePDFPages: elsewhere}); got != want {
			t.Errorf("%s: the report differs:\n%s\nwant\n%s", c.name, got, want)
		}
		if (compared == 1) != c.compared {
			t.Errorf("%s: compared by the hook %d times", c.name, compared)
		}
	}
	failed := func(verify.PagesRendering) (verify.Check, error) {
		return verify.Check{Name: verify.CheckPDFRendering, Status: verify.Failed, Sub: verify.RenderingMismatch, Detail: "from the hook"}, nil
	}
	rep, err := verify.PDF(bytes.NewReader(signed), int64(len(signed)), verify.Options{ComparePDFPages: failed})
	if err != nil || rep.Result != verify.Failed {
		t.Errorf("the hook's FAILED rendering check not reported: %v, %+v", err, rep)
	}
}

// twoStandalonePDFs: two genuine standalone PDFs of the sample
// conversation, sealed by two keys.
func twoStandalonePDFs(t *testing.T) (one, other []byte) {
	rendering, sign, _ := standaloneSignerAs(t, testbundle.Sample(), custody.Options{}, "")
	otherRendering, signOther, _ := standaloneSignerAs(t, testbundle.Sample(), custody.Options{}, "")
	return sign(t, rendering), signOther(t, otherRendering)
}

// TestComparePDFPagesAhead: compared ahead, before the bundle is
// verified, the pages are compared under the seal that the verification
// then establishes (PrintsAs), with the check ComparePDFPages makes under
// it; another PDF's seal does not print as this one's.
func TestComparePDFPagesAhead(t *testing.T) {
	t.Parallel()
	signed, otherSigned := twoStandalonePDFs(t)
	var established verify.PagesRendering
	var want verify.Check
	elsewhere := func(which verify.PagesRendering) (verify.Check, error) {
		established = which
		check, err := verify.ComparePDFPages(bytes.NewReader(signed), int64(len(signed)), which, verify.Options{})
		want = check
		return check, err
	}
	if _, err := verify.PDF(bytes.NewReader(signed), int64(len(signed)), verify.Options{ComparePDFPages: elsewhere}); err != nil {
		t.Fatal(err)
	}
	if len(established.Timestamps) == 0 {
		t.Fatal("the verification established no timestamp")
	}
	which, check, err := verify.ComparePDFPagesAhead(bytes.NewReader(signed), int64(len(signed)), verify.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !which.PrintsAs(established) {
		t.Errorf("compared ahead under %+v, the verification established %+v", which, established)
	}
	if check != want || check.Status != verify.Passed {
		t.Errorf("compared ahead: %+v, want %+v", check, want)
	}
	otherWhich, _, err := verify.ComparePDFPagesAhead(bytes.NewReader(otherSigned), int64(len(otherSigned)), verify.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if otherWhich.PrintsAs(established) {
		t.Error("another PDF's seal prints as this one's")
	}
}

// TestPagesRenderingPrintsAs: two seals print the same pages when the
// manifest's SHA-256 and each timestamp's time, TSA and TSA certificate
// are the same, in the same order; what the pages do not print (the
// token's file, whether it is trusted, its serial) does not count.
func TestPagesRenderingPrintsAs(t *testing.T) {
	at := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	stamp := func(tsa string, add time.Duration) verify.Timestamp {
		return verify.Timestamp{File: "META-INF/manifest.tsr", Time: at.Add(add), TSA: tsa, TSACertSHA256: "aa" + tsa, Trusted: true, Serial: "1"}
	}
	seal := func() verify.PagesRendering {
		return verify.PagesRendering{ManifestSHA256: "ab", Timestamps: []verify.Timestamp{stamp("one", 0), stamp("two", time.Second)}}
	}
	for _, c := range []struct {
		name   string
		edit   func(*verify.PagesRendering)
		prints bool
	}{
		{"same", func(*verify.PagesRendering) {}, true},
		{"not printed: file, trust, serial", func(p *verify.PagesRendering) {
			p.Timestamps[0].File, p.Timestamps[0].Trusted, p.Timestamps[1].Serial = "", false, "2"
		}, true},
		{"same instant elsewhere", func(p *verify.PagesRendering) {
			p.Timestamps[0].Time = p.Timestamps[0].Time.In(time.FixedZone("CET", 3600))
		}, true},
		{"manifest", func(p *verify.PagesRendering) { p.ManifestSHA256 = "cd" }, false},
		{"time", func(p *verify.PagesRendering) { p.Timestamps[1].Time = p.Timestamps[1].Time.Add(time.Second) }, false},
		{"TSA", func(p *verify.PagesRendering) { p.Timestamps[0].TSA = "another" }, false},
		{"TSA certificate", func(p *verify.PagesRendering) { p.Timestamps[0].TSACertSHA256 = "" }, false},
		{"one fewer", func(p *verify.PagesRendering) { p.Timestamps = p.Timestamps[:1] }, false},
		{"order", func(p *verify.PagesRendering) { p.Timestamps[0], p.Timestamps[1] = p.Timestamps[1], p.Timestamps[0] }, false},
	} {
		edited := seal()
		c.edit(&edited)
		if got := seal().PrintsAs(edited); got != c.prints {
			t.Errorf("%s: PrintsAs %t, want %t", c.name, got, c.prints)
		}
		if got := edited.PrintsAs(seal()); got != c.prints {
			t.Errorf("%s, the other way: PrintsAs %t, want %t", c.name, got, c.prints)
		}
	}
}

// BenchmarkCompareRecord is the rendering comparison alone (what the web
// verifier's worker runs) on the bundle CUSTODY_BENCH_BUNDLE names, such
// as the benchmark kit's 510 MB bundle of docs/performance.md.
func BenchmarkCompareRecord(b *testing.B) {
	path := os.Getenv("CUSTODY_BENCH_BUNDLE")
	if path == "" {
		b.Skip("CUSTODY_BENCH_BUNDLE names no bundle")
	}
	for b.Loop() {
		out, err := compareAgain(b, path)
		if err != nil || out.Status != verify.Passed {
			b.Fatal(out, err)
		}
	}
}
