package verify_test

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"image"
	"image/png"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/custody-toolkit/custody/custody"
	"github.com/custody-toolkit/custody/internal/pdfnorm/pdfnormtest"
	"github.com/custody-toolkit/custody/internal/testbundle"
	"github.com/custody-toolkit/custody/manifest"
	"github.com/custody-toolkit/custody/pdfseal"
	"github.com/custody-toolkit/custody/tsa"
	"github.com/custody-toolkit/custody/tsa/localtsa"
	"github.com/custody-toolkit/custody/verify"
)

// TestPDFUpdateChangesPages: the key holder (a doctor answering a
// complaint, say) makes a standalone PDF that starts with the true
// rendering and attaches the genuine bundle, but adds, before signing, an
// incremental update that changes what the pages show. The signature is
// valid and by the sealing key; only pdf.rendering's rule on updates
// catches it.
func TestPDFUpdateChangesPages(t *testing.T) {
	t.Parallel()
	rendering, seal := standaloneFixture(t)
	if r := seal(t, rendering); r.Result != verify.Passed {
		t.Fatalf("control: %s %+v", r.Result, r.Checks)
	}

	size, startxref := verify.PDFTrailerNumbers(t, rendering)
	contents := regexp.MustCompile(`/Contents\s+(\d+) 0 R`).FindSubmatch(rendering)
	if contents == nil {
		t.Fatal("no page /Contents in the rendering")
	}
	contentsNum, err := strconv.Atoi(string(contents[1]))
	if err != nil {
		t.Fatal(err)
	}
	altered := "BT /F1 24 Tf 72 700 Td (nothing to see here) Tj ET"
	tests := []struct {
		name    string
		objects map[int]string
		root    int
		want    string
	}{
		{"a page's content redefined", map[int]string{contentsNum: fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(altered), altered)}, 1,
			"object " + string(contents[1]) + " of the rendering is redefined"},
		{"the catalog pointed at other pages", map[int]string{
			size:     fmt.Sprintf("<< /Type /Pages /Kids [%d 0 R] /Count 1 /MediaBox [0 0 595 842] >>", size+1),
			size + 1: fmt.Sprintf("<< /Type /Page /Parent %d 0 R /Contents %d 0 R >>", size, size+2),
			size + 2: fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(altered), altered),
			size + 3: fmt.Sprintf("<< /Type /Catalog /Pages %d 0 R >>", size)}, size + 3,
			"the catalog's /Pages is not the rendering's"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			shown := verify.AppendPDFUpdate(rendering, tt.objects, tt.root, size, startxref)
			r := seal(t, shown)
			var got *verify.Check
			for i := range r.Checks {
				if r.Checks[i].Name == verify.CheckPDFRendering {
					got = &r.Checks[i]
				}
			}
			if r.Result != verify.Failed || got == nil || got.Status != verify.Failed || !strings.Contains(got.Detail, tt.want) {
				t.Errorf("%s: %+v", r.Result, got)
			}
		})
	}
}

// standaloneFixture exports the sample and renders its standalone PDF's
// pages; seal signs pages given with the bundle attached, as the exporter
// does, and verifies the PDF.
func standaloneFixture(t *testing.T) (rendering []byte, seal func(*testing.T, []byte) *verify.Report) {
	return standaloneFixtureAs(t, testbundle.Sample(), custody.Options{}, "")
}

// standaloneFixtureAs is standaloneFixture for a bundle exported with opts,
// its pages laid out by renderer ("" for the newest), as an exporter of
// that renderer's time did.
func standaloneFixtureAs(t *testing.T, in string, opts custody.Options, renderer string) (rendering []byte, seal func(*testing.T, []byte) *verify.Report) {
	rendering, sign, check := standaloneSignerAs(t, in, opts, renderer)
	return rendering, func(t *testing.T, shown []byte) *verify.Report { return check(t, sign(t, shown)) }
}

// standaloneSignerAs is standaloneFixtureAs with signing and verifying
// apart, for the tests that look at the signed PDF itself.
// sign's edits change the signing options (time, certificate chain)
// before it signs.
func standaloneSignerAs(t *testing.T, in string, opts custody.Options, renderer string) (rendering []byte, sign func(*testing.T, []byte, ...func(*pdfseal.Options)) []byte, check func(*testing.T, []byte) *verify.Report) {
	return standaloneSignerWith(t, testbundle.New(t, "ecdsa-p256"), in, opts, renderer)
}

// standaloneSignerWith is standaloneSignerAs with fx's key and TSA.
func standaloneSignerWith(t *testing.T, fx *testbundle.Fixture, in string, opts custody.Options, renderer string) (rendering []byte, sign func(*testing.T, []byte, ...func(*pdfseal.Options)) []byte, check func(*testing.T, []byte) *verify.Report) {
	path := fx.ExportOptions(t, in, opts)
	bundle, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := verify.Bundle(bytes.NewReader(bundle), int64(len(bundle)), verify.Options{Trust: fx.Roots})
	if err != nil || rep.Result != verify.Passed {
		t.Fatalf("%v %+v", err, rep)
	}
	sign, check = standaloneSignerFor(t, fx, bundle)
	return standalonePages(t, bundle, rep, renderer), sign, check
}

// standalonePages lays out the standalone PDF's pages of a verified bundle
// (rep, its report) by renderer ("" for the newest).
func standalonePages(t *testing.T, bundle []byte, rep *verify.Report, renderer string) []byte {
	b, err := manifest.OpenBundle(bytes.NewReader(bundle), int64(len(bundle)))
	if err != nil {
		t.Fatal(err)
	}
	var pages bytes.Buffer
	if err := verify.StandaloneRenderingAs(&pages, b, rep, "case.custody", renderer); err != nil {
		t.Fatal(err)
	}
	return pages.Bytes()
}

// standaloneSignerFor signs pages with bundle attached by fx's key and
// TSA, as the exporter does (sign), and verifies a signed PDF (check).
func standaloneSignerFor(t *testing.T, fx *testbundle.Fixture, bundle []byte) (sign func(*testing.T, []byte, ...func(*pdfseal.Options)) []byte, check func(*testing.T, []byte) *verify.Report) {
	srv := httptest.NewServer(localtsa.Handler(fx.Authority))
	t.Cleanup(srv.Close)
	sign = func(t *testing.T, shown []byte, edits ...func(*pdfseal.Options)) []byte {
		var out bytes.Buffer
		o := pdfseal.Options{Signer: fx.Signer, Timestamper: &tsa.Client{URL: srv.URL}, Time: time.Now(), BundleName: "case.custody", Reason: "test"}
		for _, edit := range edits {
			edit(&o)
		}
		err := pdfseal.Seal(t.Context(), &out, shown, bytes.NewReader(bundle), int64(len(bundle)), o)
		if err != nil {
			t.Fatal(err)
		}
		return out.Bytes()
	}
	check = func(t *testing.T, signed []byte) *verify.Report {
		r, err := verify.PDF(bytes.NewReader(signed), int64(len(signed)), verify.Options{Trust: fx.Roots})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	return sign, check
}

// TestPDFRecompressed: pages compressed by another compressor (another Go
// toolchain's compress/flate) show the same content and pass; pages with
// one glyph changed, compressed again, fail, and so does an update that
// changes recompressed pages.
func TestPDFRecompressed(t *testing.T) {
	t.Parallel()
	rendering, seal := standaloneFixture(t)
	other, err := pdfnormtest.Recompress(rendering, zlib.BestSpeed, nil)
	if err != nil {
		t.Fatal(err)
	}
	forged, err := pdfnormtest.Recompress(rendering, zlib.BestSpeed, pdfnormtest.ChangeFirstGlyph())
	if err != nil {
		t.Fatal(err)
	}
	size, startxref := verify.PDFTrailerNumbers(t, other)
	altered := "BT /F1 24 Tf 72 700 Td (nothing to see here) Tj ET"
	updated := verify.AppendPDFUpdate(other, map[int]string{6: fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(altered), altered)}, 1, size, startxref)
	commented, err := pdfnormtest.RebuildXref(bytes.Replace(other, []byte("endobj\n\n2 0 obj\n"), []byte("endobj\n%x\n2 0 obj\n"), 1))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		pages  []byte
		status verify.Status
		want   string
	}{
		{"another compressor", other, verify.Passed, "shows exactly the same content"},
		{"a glyph changed", forged, verify.Failed, "does not show the sealed content"},
		{"an update on recompressed pages", updated, verify.Failed, "object 6 of the rendering is redefined"},
		{"a comment between objects", commented, verify.Failed, "not in the layout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := seal(t, tt.pages)
			c := findCheck(r, verify.CheckPDFRendering)
			if r.Result != tt.status || c == nil || c.Status != tt.status || !strings.Contains(c.Detail, tt.want) {
				t.Errorf("%s: %+v", r.Result, c)
			}
		})
	}
}

// TestRecordRecompressed: a record.pdf compressed by another compressor
// shows the sealed content; one with a glyph changed and compressed again
// does not, nor one in another layout.
func TestRecordRecompressed(t *testing.T) {
	t.Parallel()
	fx := testbundle.New(t, "ecdsa-p256")
	path := fx.Export(t, testbundle.Sample(), custody.Selection{})
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b, err := manifest.OpenBundle(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := b.ReadSmall(manifest.RecordName, 64<<20)
	if err != nil {
		t.Fatal(err)
	}
	other, err := pdfnormtest.Recompress(sealed, zlib.BestSpeed, nil)
	if err != nil {
		t.Fatal(err)
	}
	forged, err := pdfnormtest.Recompress(sealed, zlib.BestSpeed, pdfnormtest.ChangeFirstGlyph())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		pdf    []byte
		status verify.Status
		want   string
	}{
		{"as sealed", sealed, verify.Passed, "shows exactly the same content"},
		{"another compressor", other, verify.Passed, "shows exactly the same content"},
		{"a glyph changed", forged, verify.Failed, "does not show the sealed content"},
		{"a second revision", append(bytes.Clone(other), "1 0 obj\n<< >>\nendobj\n"...), verify.Failed, "not in the layout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, detail := verify.CompareRecord(b, tt.pdf)
			if status != tt.status || !strings.Contains(detail, tt.want) {
				t.Errorf("%s: %s", status, detail)
			}
		})
	}
}

// TestPDFWithoutRecordByEarlierRenderer: the standalone PDF of a bundle
// without record.pdf names no renderer; one made by an exporter of
// custody-pdf/2 (PNGs re-encoded) shows the sealed content and passes,
// and its pages are compared all the same.
func TestPDFWithoutRecordByEarlierRenderer(t *testing.T) {
	t.Parallel()
	// The sample with a half-transparent X-ray: custody-pdf/3 flattens it
	// onto white, /2 kept its alpha channel. The pages differ in what they
	// show, not only in their compression.
	in := filepath.Join(t.TempDir(), "sample")
	if err := os.CopyFS(in, os.DirFS(testbundle.Sample())); err != nil {
		t.Fatal(err)
	}
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for i := range img.Pix {
		img.Pix[i] = byte(i * 7)
	}
	for i := 3; i < len(img.Pix); i += 4 {
		img.Pix[i] = 128
	}
	var png8 bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&png8, img); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(in, "media", "rx-torax.png"), png8.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	rendering, seal := standaloneFixtureAs(t, in, custody.Options{NoRecord: true}, "custody-pdf/2")
	if rendering3, _ := standaloneFixtureAs(t, in, custody.Options{NoRecord: true}, ""); bytes.Equal(rendering3, rendering) {
		t.Fatal("custody-pdf/2 and /3 lay out the same bytes: the test proves nothing")
	}
	if r := seal(t, rendering); r.Result != verify.Passed {
		t.Fatalf("%s: %+v", r.Result, findCheck(r, verify.CheckPDFRendering))
	} else if c := findCheck(r, verify.CheckPDFRendering); !strings.Contains(c.Detail, "(renderer custody-pdf/2)") {
		t.Errorf("detail %q does not name the renderer", c.Detail)
	}
	forged, err := pdfnormtest.Recompress(rendering, zlib.BestSpeed, pdfnormtest.ChangeFirstGlyph())
	if err != nil {
		t.Fatal(err)
	}
	if r := seal(t, forged); r.Result != verify.Failed {
		t.Errorf("a glyph changed: %s", r.Result)
	}
}
