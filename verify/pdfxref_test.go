package verify_test

// Issue 13, item 2: a signed update may add objects and a new catalog, and
// nothing else: not free, re-point or otherwise redefine an object number
// of the rendering; and an update through a cross-reference stream is not
// read as signed. Each
// attack below is checked against what poppler and ghostscript show: the
// signed PDF's first page must look different from the honest one's (so
// the attack is real), and the verdict must not be PASSED.

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/custody-toolkit/custody/custody"
	"github.com/custody-toolkit/custody/internal/testbundle"
	"github.com/custody-toolkit/custody/manifest"
	"github.com/custody-toolkit/custody/verify"
)

// blueContent paints the whole page blue: visible whatever the fonts.
const blueContent = "0 0 1 rg 0 0 2000 2000 re f"

func TestPDFUpdateObjectNumbers(t *testing.T) {
	t.Parallel()
	// The sample, its JPEG carrying a whole content stream object in a
	// comment segment: the rendering embeds the JPEG verbatim, so the
	// object lies inside the rendering's bytes.
	in := filepath.Join(t.TempDir(), "sample")
	if err := os.CopyFS(in, os.DirFS(testbundle.Sample())); err != nil {
		t.Fatal(err)
	}
	jpegPath := filepath.Join(in, "media", "analitica.jpg")
	jpeg, err := os.ReadFile(jpegPath)
	if err != nil {
		t.Fatal(err)
	}
	payload := func(num int) []byte {
		return fmt.Appendf(nil, "\n%d 0 obj\n<< /Length %d /CustodyTest true >>\nstream\n%s\nendstream\nendobj\n", num, len(blueContent), blueContent)
	}
	withComment := func(num int) {
		p := payload(num)
		seg := append([]byte{0xff, 0xfe}, binary.BigEndian.AppendUint16(nil, uint16(len(p)+2))...)
		data := append(append(append(bytes.Clone(jpeg[:2]), seg...), p...), jpeg[2:]...)
		if err := os.WriteFile(jpegPath, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	withComment(1)
	first, _, _ := standaloneSignerAs(t, in, custody.Options{}, "")
	contents := firstRef(t, first, "/Contents")
	withComment(contents)
	rendering, sign, check := standaloneSignerAs(t, in, custody.Options{}, "")
	if got := firstRef(t, rendering, "/Contents"); got != contents {
		t.Fatalf("the first page's content is object %d, then %d", contents, got)
	}
	hidden := bytes.Index(rendering, payload(contents))
	if hidden < 0 {
		t.Fatal("the rendering does not embed the JPEG verbatim: the test proves nothing")
	}
	size, startxref := verify.PDFTrailerNumbers(t, rendering)
	root := firstRef(t, rendering, "/Root")
	honest := sign(t, rendering)
	if r := check(t, honest); r.Result != verify.Passed {
		t.Fatalf("the honest PDF: %s %+v", r.Result, findCheck(r, verify.CheckPDFRendering))
	}
	tests := []struct {
		name    string
		entries map[int]string
		want    string
	}{
		{"the page's content pointed into the JPEG", map[int]string{contents: fmt.Sprintf("%010d 00000 n", hidden+1)}, "pointed at other bytes of the rendering"},
		{"the page's content freed", map[int]string{contents: "0000000000 00001 f"}, "is freed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			signed := sign(t, verify.AppendPDFUpdateEntries(rendering, nil, tt.entries, root, size, startxref))
			showsOtherPage(t, honest, signed)
			r := check(t, signed)
			c := findCheck(r, verify.CheckPDFRendering)
			if r.Result != verify.Failed || c == nil || c.Status != verify.Failed || !bytes.Contains([]byte(c.Detail), []byte(tt.want)) {
				t.Fatalf("%s: %+v", r.Result, c)
			}
		})
	}
	// A signed update in this form cannot be made with pdfseal, which reads
	// the pages with the same strict reader and refuses a cross-reference
	// stream; appended after the signature, it must not pass either.
	t.Run("the page's content redefined by a cross-reference stream", func(t *testing.T) {
		size, prev := lastNumber(t, honest, "/Size"), lastNumber(t, honest, "startxref")
		attacked := appendXrefStreamUpdate(honest, contents, blueContent, lastNumber(t, honest, "/Root"), size, prev)
		showsOtherPage(t, honest, attacked)
		r := check(t, attacked)
		if r.Result == verify.Passed {
			t.Fatalf("PASSED: %+v", r.Checks)
		}
		if c := findCheck(r, verify.CheckPDFRendering); r.Result != verify.Indeterminate || c == nil || c.Status != verify.Indeterminate {
			t.Errorf("%s, rendering %+v; want INDETERMINATE (an update in a form the exporter never writes is not read)", r.Result, c)
		}
	})
}

// lastNumber is the number after the last occurrence of key (a trailer's
// /Size or /Root, startxref): the newest revision's.
func lastNumber(t *testing.T, pdf []byte, key string) int {
	t.Helper()
	m := regexp.MustCompile(regexp.QuoteMeta(key)+`\s+(\d+)`).FindAllSubmatch(pdf, -1)
	if m == nil {
		t.Fatalf("no %s", key)
	}
	n, _ := strconv.Atoi(string(m[len(m)-1][1]))
	return n
}

// firstRef is the object number of the first reference to follow key
// (e.g. `/Contents`: the first page's content stream).
func firstRef(t *testing.T, pdf []byte, key string) int {
	t.Helper()
	m := regexp.MustCompile(regexp.QuoteMeta(key) + `\s+(\d+) 0 R`).FindSubmatch(pdf)
	if m == nil {
		t.Fatalf("no %s reference", key)
	}
	n, _ := strconv.Atoi(string(m[1]))
	return n
}

// appendXrefStreamUpdate appends an update that redefines object num as a
// content stream, listed by a cross-reference stream (PDF 1.5) that the
// update's table names as /XRefStm (a hybrid file, which readers that
// know only tables, such as the signer's, read without the stream).
func appendXrefStreamUpdate(pdf []byte, num int, content string, root, size, prev int) []byte {
	out := bytes.Clone(pdf)
	objAt := len(out)
	out = fmt.Appendf(out, "%d 0 obj\n<< /Length %d >>\nstream\n%s\nendstream\nendobj\n", num, len(content), content)
	stmNum, stmAt := size, len(out)
	var rows []byte
	for _, off := range []int{objAt, stmAt} {
		rows = append(rows, 1)
		rows = binary.BigEndian.AppendUint32(rows, uint32(off))
		rows = append(rows, 0, 0)
	}
	out = fmt.Appendf(out, "%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Index [%d 1 %d 1] /Root %d 0 R /Length %d >>\nstream\n",
		stmNum, size+1, num, stmNum, root, len(rows))
	out = append(out, rows...)
	out = append(out, "\nendstream\nendobj\n"...)
	xrefAt := len(out)
	return fmt.Appendf(out, "xref\n0 1\n0000000000 65535 f \ntrailer\n<< /Size %d /Root %d 0 R /Prev %d /XRefStm %d >>\nstartxref\n%d\n%%%%EOF\n",
		size+1, root, prev, stmAt, xrefAt)
}

// showsOtherPage asserts that poppler or ghostscript, of those installed,
// draws the first page of signed otherwise than honest's, and logs which.
func showsOtherPage(t *testing.T, honest, signed []byte) {
	t.Helper()
	dir := t.TempDir()
	var shown []string
	tried := 0
	for _, tool := range []struct {
		name string
		args func(in, out string) []string
	}{
		{"pdftoppm", func(in, out string) []string {
			return []string{"-r", "20", "-f", "1", "-l", "1", "-singlefile", "-png", in, out}
		}},
		{"gs", func(in, out string) []string {
			return []string{"-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=png16m", "-r20", "-dFirstPage=1", "-dLastPage=1", "-o", out + ".png", in}
		}},
	} {
		if _, err := exec.LookPath(tool.name); err != nil {
			t.Logf("%s not installed: what it shows is not checked", tool.name)
			continue
		}
		tried++
		var pages [2][]byte
		for i, pdf := range [][]byte{honest, signed} {
			in, out := filepath.Join(dir, fmt.Sprintf("%s-%d.pdf", tool.name, i)), filepath.Join(dir, fmt.Sprintf("%s-%d", tool.name, i))
			if err := os.WriteFile(in, pdf, 0o600); err != nil {
				t.Fatal(err)
			}
			if msg, err := exec.Command(tool.name, tool.args(in, out)...).CombinedOutput(); err != nil {
				t.Fatalf("%s: %v\n%s", tool.name, err, msg)
			}
			var err error
			if pages[i], err = os.ReadFile(out + ".png"); err != nil {
				t.Fatal(err)
			}
		}
		if bytes.Equal(pages[0], pages[1]) {
			t.Logf("%s shows the same first page", tool.name)
			continue
		}
		t.Logf("%s shows another first page", tool.name)
		shown = append(shown, tool.name)
	}
	if tried > 0 && len(shown) == 0 {
		t.Error("no reader shows another first page: the attack changes nothing a reader sees")
	}
}

// TestUnknownRendererNeverPasses (issue 13, item 2): the key holder
// re-seals the bundle naming a renderer no verifier has, so that neither
// record.pdf nor the standalone PDF's pages can be compared. Both are
// INDETERMINATE (RENDERER_UNAVAILABLE), never PASSED or INFO.
func TestUnknownRendererNeverPasses(t *testing.T) {
	t.Parallel()
	fx := testbundle.New(t, "ecdsa-p256")
	honest := readFile(t, fx.Export(t, testbundle.Sample(), custody.Selection{}))
	rep, err := verify.Bundle(bytes.NewReader(honest), int64(len(honest)), verify.Options{Trust: fx.Roots})
	if err != nil || rep.Result != verify.Passed {
		t.Fatalf("%v %+v", err, rep)
	}
	pages := standalonePages(t, honest, rep, "")
	entries := without(testbundle.ReadEntries(t, writeTemp(t, honest)), manifest.CustodyDir)
	m := testbundle.Manifest(t, entries)
	m.Rendering.Renderer = "custody-pdf/99"
	raw, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	entries[testbundle.Find(entries, manifest.ManifestName)].Data = raw
	resealed := resealAs(t, fx, entries, fx.PublicKey, "ecdsa-p256-sha256", func(msg []byte) []byte {
		sig, err := fx.Signer.SignMessage(t.Context(), msg)
		if err != nil {
			t.Fatal(err)
		}
		return sig
	})
	sign, check := standaloneSignerFor(t, fx, resealed)
	rendering := func(r *verify.Report, name string) {
		t.Helper()
		c := findCheck(r, name)
		if r.Result != verify.Indeterminate || c == nil || c.Status != verify.Indeterminate || c.SubIndication() != verify.RendererUnavailable {
			t.Errorf("%s: %s, %+v", name, r.Result, c)
		}
	}
	rendering(verifyBytes(t, resealed, verify.Options{Trust: fx.Roots}), "rendering")
	rendering(check(t, sign(t, pages)), verify.CheckPDFRendering)
}
