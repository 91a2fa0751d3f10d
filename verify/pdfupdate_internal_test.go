package verify

import (
	"bytes"
	"fmt"
	"io"
	"maps"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/custody-toolkit/custody/internal/pdfread"
	"github.com/custody-toolkit/custody/manifest"
)

// For the external tests (pdfupdate_test.go), which build PDFs signed by
// pdfseal and so cannot live in this package.
var (
	AppendPDFUpdate = appendUpdate
	// AppendPDFUpdateEntries is AppendPDFUpdate with raw entries.
	AppendPDFUpdateEntries = appendUpdateEntries
	PDFTrailerNumbers      = trailerNumbers
)

// CompareRecord compares record.pdf bytes with a fresh rendering of the
// bundle's content, as the rendering check does with the sealed ones: for
// the external tests, which export bundles (package custody imports this
// one).
func CompareRecord(b *manifest.Bundle, sealed []byte) (Status, string) {
	c := compareRecord(b, nil, io.NewSectionReader(bytes.NewReader(sealed), 0, int64(len(sealed))), nil, (&Options{}).NewSHA256)
	return c.status, c.detail
}

// trailerNumbers reads a single-revision PDF's trailer /Size and startxref.
func trailerNumbers(t testing.TB, pdf []byte) (size, startxref int) {
	t.Helper()
	m := regexp.MustCompile(`/Size\s+(\d+)`).FindSubmatch(pdf)
	x := regexp.MustCompile(`startxref\s+(\d+)`).FindSubmatch(pdf)
	if m == nil || x == nil {
		t.Fatal("no trailer /Size or startxref")
	}
	size, err1 := strconv.Atoi(string(m[1]))
	startxref, err2 := strconv.Atoi(string(x[1]))
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	return size, startxref
}

// appendUpdate appends an incremental update defining objects, with root
// as the new /Root; size and prev are the previous trailer's /Size and
// startxref.
func appendUpdate(pdf []byte, objects map[int]string, root, size, prev int) []byte {
	return appendUpdateEntries(pdf, objects, nil, root, size, prev)
}

// appendUpdateEntries is appendUpdate with raw cross-reference entries
// too (the 18 bytes before the end of line, e.g. "0000000000 00001 f"):
// entries that point elsewhere than at an object the update writes.
func appendUpdateEntries(pdf []byte, objects map[int]string, entries map[int]string, root, size, prev int) []byte {
	out := bytes.Clone(pdf)
	if !bytes.HasSuffix(out, []byte("\n")) {
		out = append(out, '\n')
	}
	var xref strings.Builder
	xref.WriteString("xref\n0 1\n0000000000 65535 f \n")
	maxNum, last := size-1, 0
	for num := range objects {
		last = max(last, num)
	}
	for num := range entries {
		last = max(last, num)
	}
	for num := 0; num <= last; num++ {
		if raw, ok := entries[num]; ok {
			fmt.Fprintf(&xref, "%d 1\n%s \n", num, raw)
			maxNum = max(maxNum, num)
		}
		body, ok := objects[num]
		if !ok {
			continue
		}
		fmt.Fprintf(&xref, "%d 1\n%010d 00000 n \n", num, len(out))
		out = fmt.Appendf(out, "%d 0 obj\n%s\nendobj\n", num, body)
		maxNum = max(maxNum, num)
	}
	start := len(out)
	out = append(out, xref.String()...)
	return fmt.Appendf(out, "trailer\n<< /Size %d /Root %d 0 R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n", maxNum+1, root, prev, start)
}

// TestCheckUpdates: what an update after the rendering may add to the
// catalog, on the committed rendering fixture (catalog 1 0 R, pages 2 0 R).
func TestCheckUpdates(t *testing.T) {
	t.Parallel()
	rendering := pdfFixture(t, "rendered.pdf")
	size, startxref := trailerNumbers(t, rendering)
	catalog := func(extra string) map[int]string {
		return map[int]string{
			size:     "<< /Type /EmbeddedFile /Length 0 >>\nstream\n\nendstream",
			size + 1: "<< /Type /Annot /Subtype /Widget /FT /Sig /Rect [0 0 0 0] >>",
			1:        "<< /Type /Catalog /Pages 2 0 R " + extra + " >>",
		}
	}
	good := fmt.Sprintf("/Names << /EmbeddedFiles << /Names [(case.custody) %d 0 R] >> >> /AF [%d 0 R] /PageMode /UseAttachments /AcroForm << /Fields [%d 0 R] /SigFlags 3 >>",
		size, size, size+1)
	// Object 3's offset in the rendering, as the rendering's table gives it.
	first, err := pdfread.Open(bytes.NewReader(rendering), int64(len(rendering)))
	if err != nil {
		t.Fatal(err)
	}
	off3, _, _ := first.Entry(3)
	// The PAdES additions: the first page (object 10) written again with
	// /Annots, the widget size+1, the XMP stream size+2, the store size+3
	// with one certificate size+4.
	annots := fmt.Sprintf("/Annots [%d 0 R]", size+1)
	page := func(extra string) string {
		return "<< /Type /Page /Parent 2 0 R /Resources 4 0 R /Contents 11 0 R " + extra + " >>"
	}
	widget := func(extra string) string {
		return "<< /Type /Annot /Subtype /Widget /FT /Sig /Rect [0 0 0 0] /P 10 0 R /T (Signature1) " + extra + " >>"
	}
	certs := fmt.Sprintf("/Certs [%d 0 R]", size+4)
	pades := func(dss, page, widget string, edits ...map[int]string) map[int]string {
		objects := catalog(good + fmt.Sprintf(" /Metadata %d 0 R /DSS << %s >>", size+2, dss))
		objects[10], objects[size+1] = page, widget
		objects[size+2] = "<< /Type /Metadata /Subtype /XML /Length 5 >>\nstream\n<x/>\nendstream"
		objects[size+3] = "<< /Length 0 >>\nstream\n\nendstream"
		objects[size+4] = "<< /Length 3 >>\nstream\n0\x82\x00\nendstream"
		for _, e := range edits {
			maps.Copy(objects, e)
		}
		return objects
	}
	tests := []struct {
		name    string
		objects map[int]string
		want    string         // "" for no error
		entries map[int]string // raw entries, beside the objects' own
	}{
		{"the attachment and the signature field", catalog(good), "", nil},
		{"a JavaScript name tree", catalog("/Names << /JavaScript << /Names [] >> >>"), "the catalog's /Names holds /JavaScript", nil},
		{"an XFA form", catalog(fmt.Sprintf("/AcroForm << /Fields [%d 0 R] /XFA %d 0 R >>", size+1, size)), "the catalog's /AcroForm holds /XFA", nil},
		{"an open action", catalog(good + " /OpenAction [3 0 R /Fit]"), "the catalog's /OpenAction is not the rendering's", nil},
		{"the page tree replaced", map[int]string{1: "<< /Type /Catalog /Pages 3 0 R >>"}, "the catalog's /Pages is not the rendering's", nil},
		{"the page tree dropped", map[int]string{1: "<< /Type /Catalog >>"}, "the catalog lost the rendering's /Pages", nil},
		{"an object of the rendering redefined", map[int]string{2: "<< /Type /Pages /Kids [] /Count 0 >>"}, "object 2 of the rendering is redefined", nil},
		// Issue 13, item 2: entries that point at no object of the update.
		{"an object of the rendering freed", catalog(good), "object 2 of the rendering is freed", map[int]string{2: "0000000000 00001 f"}},
		{"an object of the rendering pointed at another's bytes", catalog(good), "object 2 of the rendering is redefined: pointed at other bytes of the rendering",
			map[int]string{2: fmt.Sprintf("%010d 00000 n", off3)}},
		// PAdES (issue 15, item 7): the XMP metadata, the document
		// security store, and the first page again with the widget.
		{"the page with the signature's widget, the metadata, the store", pades(certs, page(annots), widget("")), "", nil},
		{"the page with another entry too", pades(certs, page(annots+" /Rotate 90"), widget("")), "page 10 0 R may only gain /Annots with the signature's widget", nil},
		{"the page's contents replaced", pades(certs, strings.Replace(page(annots), "11 0 R", "12 0 R", 1), widget("")), "its /Contents is not the rendering's", nil},
		{"the widget with an appearance", pades(certs, page(annots), widget(fmt.Sprintf("/AP << /N %d 0 R >>", size))), "the signature's widget has /AP", nil},
		{"the widget visible", pades(certs, page(annots), strings.Replace(widget(""), "[0 0 0 0]", "[0 0 595 842]", 1)), "the signature's widget has an area", nil},
		{"a page's /Annots naming another annotation", pades(certs, page(fmt.Sprintf("/Annots [%d 0 R]", size+2)), widget("")), "which is not a field of the /AcroForm", nil},
		{"the store with a /VRI", pades(certs+" /VRI << >>", page(annots), widget("")), "the catalog's /DSS holds /VRI", nil},
		{"the metadata filtered", pades(certs, page(annots), widget(""), map[int]string{size + 2: "<< /Type /Metadata /Subtype /XML /Filter /FlateDecode /Length 0 >>\nstream\n\nendstream"}), "catalog /Metadata has /Filter", nil},
		{"the generation of an object of the rendering", catalog(good), "object 2 of the rendering is redefined", map[int]string{2: fmt.Sprintf("%010d 00001 n", off3)}},
		{"a new object inside the rendering's bytes", catalog(good), fmt.Sprintf("object %d, which the rendering does not define", size+5),
			map[int]string{size + 5: fmt.Sprintf("%010d 00000 n", off3)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pdf := appendUpdateEntries(rendering, tt.objects, tt.entries, 1, size, startxref)
			whole, err := pdfread.Open(bytes.NewReader(pdf), int64(len(pdf)))
			if err == nil {
				err = checkUpdates(whole, bytes.NewReader(rendering), int64(len(rendering)))
			}
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("refused: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("error %v, want %q", err, tt.want)
			}
		})
	}
}
