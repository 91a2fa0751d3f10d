package pdfnorm_test

import (
	"archive/zip"
	"bytes"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/custody-toolkit/custody/internal/pdfnorm"
	"github.com/custody-toolkit/custody/internal/pdfnorm/pdfnormtest"
)

// vectorPDF is record.pdf of the published v2 vector: text, fonts, a JPEG
// and a PNG with a predictor, as custody-pdf/2 writes them.
func vectorPDF(t *testing.T) []byte {
	t.Helper()
	zr, err := zip.OpenReader("../../testdata/vectors/v2/sample.custody")
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	f, err := zr.Open("record.pdf")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func whole(t *testing.T, pdf []byte) (pdfnorm.Form, error) {
	t.Helper()
	return pdfnorm.Whole(bytes.NewReader(pdf), 0)
}

func mustWhole(t *testing.T, pdf []byte) pdfnorm.Form {
	t.Helper()
	f, err := whole(t, pdf)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func recompress(t *testing.T, pdf []byte, level int, edit func(int, []byte) []byte) []byte {
	t.Helper()
	out, err := pdfnormtest.Recompress(pdf, level, edit)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestOtherCompressorSameForm(t *testing.T) {
	pdf := vectorPDF(t)
	want := mustWhole(t, pdf)
	if want.Revision != int64(len(pdf)) {
		t.Fatalf("revision %d bytes, the file has %d", want.Revision, len(pdf))
	}
	for _, level := range []int{zlib.NoCompression, zlib.BestSpeed, zlib.BestCompression, zlib.HuffmanOnly} {
		other := recompress(t, pdf, level, nil)
		if bytes.Equal(other, pdf) {
			t.Fatalf("level %d: the rewrite changed nothing", level)
		}
		if got := mustWhole(t, other); got.SHA256 != want.SHA256 {
			t.Errorf("level %d: canonical form differs", level)
		}
	}
}

// imageObject is the PNG image of the vector's record.pdf (object 25, a
// grey image 200 pixels wide).
const imageObject, imageColumns = 25, 200

// TestOtherRowFiltersSameForm: an encoder that filters the rows of an image
// otherwise (here: no filter) gives the same form.
func TestOtherRowFiltersSameForm(t *testing.T) {
	pdf := vectorPDF(t)
	if !strings.Contains(string(pdf), fmt.Sprintf("/Columns %d>>", imageColumns)) {
		t.Fatal("the vector no longer has the PNG this test expects")
	}
	refiltered := recompress(t, pdf, zlib.DefaultCompression, func(obj int, data []byte) []byte {
		if obj != imageObject {
			return nil
		}
		return unfilterToNone(t, data, imageColumns)
	})
	if got, want := mustWhole(t, refiltered), mustWhole(t, pdf); got.SHA256 != want.SHA256 {
		t.Error("canonical form differs")
	}
	changed := recompress(t, pdf, zlib.DefaultCompression, func(obj int, data []byte) []byte {
		if obj != imageObject {
			return nil
		}
		d := unfilterToNone(t, data, imageColumns)
		d[(imageColumns+1)*100+50] ^= 0x40 // one pixel, row 100
		return d
	})
	if got, want := mustWhole(t, changed), mustWhole(t, pdf); got.SHA256 == want.SHA256 {
		t.Error("a changed pixel gives the same form")
	}
}

// unfilterToNone decodes PNG-predicted grey rows and writes them again with
// filter type 0, the way a reference decoder would (only Sub, Up, Average
// and Paeth on one byte per pixel).
func unfilterToNone(t *testing.T, data []byte, width int) []byte {
	t.Helper()
	stride := width + 1
	if len(data)%stride != 0 {
		t.Fatalf("%d bytes is not rows of %d", len(data), stride)
	}
	out := make([]byte, 0, len(data))
	prev := make([]byte, width)
	for r := 0; r < len(data); r += stride {
		ft, row := data[r], append([]byte(nil), data[r+1:r+stride]...)
		for i := range row {
			var a, b, c int
			if i > 0 {
				a, c = int(row[i-1]), int(prev[i-1])
			}
			b = int(prev[i])
			switch ft {
			case 1:
				row[i] += byte(a)
			case 2:
				row[i] += byte(b)
			case 3:
				row[i] += byte((a + b) / 2)
			case 4:
				p := a + b - c
				pa, pb, pc := absInt(p-a), absInt(p-b), absInt(p-c)
				switch {
				case pa <= pb && pa <= pc:
					row[i] += byte(a)
				case pb <= pc:
					row[i] += byte(b)
				default:
					row[i] += byte(c)
				}
			}
		}
		out = append(out, 0)
		out = append(out, row...)
		prev = row
	}
	return out
}

func absInt(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// TestChangedGlyphDiffers: one glyph of a page's text, changed and
// compressed again, changes the form.
func TestChangedGlyphDiffers(t *testing.T) {
	pdf := vectorPDF(t)
	changed := recompress(t, pdf, zlib.BestSpeed, pdfnormtest.ChangeFirstGlyph())
	if got, want := mustWhole(t, changed), mustWhole(t, pdf); got.SHA256 == want.SHA256 {
		t.Error("a changed glyph gives the same form")
	}
}

func TestHostileLayouts(t *testing.T) {
	pdf := vectorPDF(t)
	xref := bytes.LastIndex(pdf, []byte("\nxref\n")) + 1
	entry := func(num int) int { return xref + len("xref\n0 28\n") + 20*num }
	jpeg := bytes.Index(pdf, []byte("/DCTDecode"))
	cases := map[string][]byte{
		// An object hidden in the JPEG's bytes, where a reader would find
		// it by the xref.
		"xref into a stream": withEntry(pdf, entry(5), fmt.Sprintf("%010d 00000 n \n", jpeg+200)),
		"free entry":         withEntry(pdf, entry(3), "0000000000 00001 f \n"),
		"generation":         withEntry(pdf, entry(3), fmt.Sprintf("%s 00001 n \n", pdf[entry(3):entry(3)+10])),
		"duplicate object":   bytes.Replace(pdf, []byte("\n3 0 obj\n"), []byte("\n2 0 obj\n"), 1),
		"trailing bytes":     append(bytes.Clone(pdf), "junk"...),
		"second revision":    append(bytes.Clone(pdf), "1 0 obj\n<< /Type /Catalog >>\nendobj\nxref\n0 2\n0000000000 65535 f \n0000065640 00000 n \ntrailer\n<< /Size 28 /Root 1 0 R /Prev 65633 >>\nstartxref\n65684\n%%EOF\n"...),
		"startxref":          bytes.Replace(pdf, []byte("startxref\n65633\n"), []byte("startxref\n65632\n"), 1),
		"bytes between":      bytes.Replace(pdf, []byte("endobj\n\n3 0 obj\n"), []byte("endobj\n%x\n3 0 obj\n"), 1),
		"indirect length":    bytes.Replace(pdf, []byte("/Length 1637\n"), []byte("/Length 3 0 R\n"), 1),
		"other filter":       bytes.Replace(pdf, []byte("/Filter /DCTDecode"), []byte("/Filter /JPXDecode"), 1),
		"escaped name":       bytes.Replace(pdf, []byte("/Length 1637\n"), []byte("/Lengt#68 1637\n"), 1),
		"no header":          pdf[1:],
		"truncated":          pdf[:len(pdf)-3],
	}
	for name, bad := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := whole(t, bad)
			var le *pdfnorm.LayoutError
			if !errors.As(err, &le) {
				t.Fatalf("got %v, want a layout error", err)
			}
			t.Log(err)
		})
	}
}

func withEntry(pdf []byte, at int, entry string) []byte {
	if len(entry) != 20 {
		panic("xref entries are 20 bytes")
	}
	out := bytes.Clone(pdf)
	copy(out[at:], entry)
	return out
}

// TestDataAfterCompressedStream: bytes after the end of a zlib stream,
// within its /Length, are refused (a reader could show them otherwise).
func TestDataAfterCompressedStream(t *testing.T) {
	pdf := vectorPDF(t)
	at := bytes.Index(pdf, []byte("/Length 1637\n"))
	end := bytes.Index(pdf[at:], []byte("endstream")) + at
	bad := append(bytes.Clone(pdf[:end]), "XY"...)
	bad = append(bad, pdf[end:]...)
	bad = bytes.Replace(bad, []byte("/Length 1637\n"), []byte("/Length 1639\n"), 1)
	bad, err := pdfnormtest.RebuildXref(bad) // the offsets after it moved
	if err != nil {
		t.Fatal(err)
	}
	var le *pdfnorm.LayoutError
	if _, err := whole(t, bad); !errors.As(err, &le) {
		t.Fatalf("got %v, want a layout error", err)
	}
}

func TestFirstRevision(t *testing.T) {
	pdf := vectorPDF(t)
	update := append(bytes.Clone(pdf), "1 0 obj\n<< >>\nendobj\n"...)
	f, err := pdfnorm.FirstRevision(bytes.NewReader(update), 0)
	if err != nil {
		t.Fatal(err)
	}
	if f.Revision != int64(len(pdf)) || f.SHA256 != mustWhole(t, pdf).SHA256 {
		t.Errorf("first revision %d bytes, want %d", f.Revision, len(pdf))
	}
}

func TestLimit(t *testing.T) {
	pdf := vectorPDF(t)
	f := mustWhole(t, pdf)
	if _, err := pdfnorm.Whole(bytes.NewReader(pdf), f.Size); err != nil {
		t.Errorf("at its own size: %v", err)
	}
	if _, err := pdfnorm.Whole(bytes.NewReader(pdf), f.Size-1); !errors.Is(err, pdfnorm.ErrLimit) {
		t.Errorf("one byte under: %v, want ErrLimit", err)
	}
}
