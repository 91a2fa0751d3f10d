package pdfnorm_test

import (
	"bytes"
	"compress/zlib"
	"crypto/sha256"
	"fmt"
	"hash"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/custody-toolkit/custody/internal/pdfnorm"
	"github.com/custody-toolkit/custody/internal/pdfnorm/pdfnormtest"
)

// imageRows is a compressible 8-bit grey image of width × height,
// PNG-predicted (filter None on each row).
func imageRows(width, height int, seed uint64) []byte {
	rnd := rand.New(rand.NewPCG(seed, 1))
	var b []byte
	for range height {
		b = append(b, 0)
		for range width {
			b = append(b, byte('a'+rnd.IntN(8)))
		}
	}
	return b
}

func deflate(t *testing.T, data []byte, level int) []byte {
	t.Helper()
	var b bytes.Buffer
	zw, err := zlib.NewWriterLevel(&b, level)
	if err != nil {
		t.Fatal(err)
	}
	zw.Write(data)
	zw.Close()
	return b.Bytes()
}

// imagePDF is a PDF of one page showing one image whose compressed data
// is z, PNG-predicted with columns per row.
func imagePDF(z []byte, columns int) []byte {
	return pdfnormtest.Build(
		"<< /Type /Catalog >>",
		fmt.Sprintf("<< /Type /XObject /Subtype /Image /BitsPerComponent 8 /ColorSpace /DeviceGray /Length %d /Filter /FlateDecode /DecodeParms << /Predictor 15 /Colors 1 /BitsPerComponent 8 /Columns %d >> >>\nstream\n%s\nendstream", len(z), columns, z),
	)
}

// onlyReader hides a reader's ReadAt: a fresh rendering, read from a pipe.
type onlyReader struct{ io.Reader }

// countingReaderAt counts the bytes read from a PDF, however read.
type countingReaderAt struct {
	*bytes.Reader
	n int
}

func (c *countingReaderAt) Read(p []byte) (int, error) {
	k, err := c.Reader.Read(p)
	c.n += k
	return k, err
}

func (c *countingReaderAt) ReadAt(p []byte, off int64) (int, error) {
	k, err := c.Reader.ReadAt(p, off)
	c.n += k
	return k, err
}

// compared normalises first as a fresh rendering (read once) with a memo,
// then second as a sealed one (read again where needed), as a rendering
// comparison does; it returns second's form, the bytes read and the error.
func compared(t *testing.T, first, second []byte, limit int64) (pdfnorm.Form, int, error) {
	t.Helper()
	memo := pdfnorm.NewMemo()
	if _, err := pdfnorm.WholeWith(onlyReader{bytes.NewReader(first)}, pdfnorm.Options{Memo: memo}); err != nil {
		t.Fatal(err)
	}
	in := &countingReaderAt{Reader: bytes.NewReader(second)}
	f, err := pdfnorm.WholeWith(in, pdfnorm.Options{Limit: limit, Memo: memo})
	return f, in.n, err
}

// TestMemoSameForm: a stream the first PDF holds is taken from the memo
// (its bytes read once, to be hashed, not again to be inflated), and
// every form is the one normalised without a memo: the same PDF, the same
// image compressed otherwise, another image, the same compressed bytes
// read with another predictor, a PDF cut short.
func TestMemoSameForm(t *testing.T) {
	const width, height = 1000, 400
	rows := imageRows(width, height, 1)
	z := deflate(t, rows, zlib.DefaultCompression)
	if len(z) < pdfnorm.SHA256Threshold {
		t.Fatalf("the image's data is %d bytes compressed, under the threshold", len(z))
	}
	sealed := imagePDF(z, width)
	fresh := imagePDF(z, width)
	if got, read, err := compared(t, fresh, sealed, 0); err != nil || got != mustWhole(t, sealed) || read > len(sealed) {
		t.Errorf("the same PDF: %+v, %v, %d bytes read of %d; want %+v", got, err, read, len(sealed), mustWhole(t, sealed))
	}
	others := map[string][]byte{
		"recompressed":    imagePDF(deflate(t, rows, zlib.BestCompression), width),
		"another image":   imagePDF(deflate(t, imageRows(width, height, 2), zlib.DefaultCompression), width),
		"other predictor": imagePDF(z, width/2-1), // the same bytes, rows of another width
		"cut short":       sealed[:len(sealed)/2],
	}
	for name, pdf := range others {
		want, wantErr := pdfnorm.Whole(bytes.NewReader(pdf), 0)
		got, _, err := compared(t, fresh, pdf, 0)
		if got != want || fmt.Sprint(err) != fmt.Sprint(wantErr) {
			t.Errorf("%s: %+v, %v; without a memo %+v, %v", name, got, err, want, wantErr)
		}
	}
}

// TestMemoLimit: a stream taken from the memo counts against the limit.
func TestMemoLimit(t *testing.T) {
	pdf := imagePDF(deflate(t, imageRows(1000, 400, 1), zlib.DefaultCompression), 1000)
	f := mustWhole(t, pdf)
	if _, _, err := compared(t, pdf, pdf, f.Size-1); err != pdfnorm.ErrLimit {
		t.Errorf("limit %d under the form's size: %v, want ErrLimit", f.Size-1, err)
	}
}

// TestMemoLeavesStoredBlocks: a stream whose deflate data starts with a
// stored block (inflating it is a copy) is not remembered, so its
// compressed bytes are not hashed; a compressed one's are, once.
func TestMemoLeavesStoredBlocks(t *testing.T) {
	rows := imageRows(1000, 400, 1)
	for _, c := range []struct {
		level int
		want  int
	}{{zlib.NoCompression, 0}, {zlib.DefaultCompression, 1}} {
		z := deflate(t, rows, c.level)
		told := 0
		newSHA256 := func(size int64) hash.Hash {
			if size == int64(len(z)) {
				told++
			}
			return sha256.New()
		}
		_, err := pdfnorm.WholeWith(onlyReader{bytes.NewReader(imagePDF(z, 1000))}, pdfnorm.Options{NewSHA256: newSHA256, Memo: pdfnorm.NewMemo()})
		if err != nil || told != c.want {
			t.Errorf("level %d: compressed bytes hashed %d times, want %d (%v)", c.level, told, c.want, err)
		}
	}
}

// TestInflatedRowsToldTheirSize: the hash of an image's inflated rows is
// told the size its /Height and /DecodeParms give (room to make), -1
// without a /Height; a /Height that is not the image's changes no form,
// only what the hash was told.
func TestInflatedRowsToldTheirSize(t *testing.T) {
	rows := imageRows(1000, 400, 1)
	z := deflate(t, rows, zlib.DefaultCompression)
	for _, c := range []struct {
		height string
		told   int64
	}{{"/Height 400", 400 * 1000}, {"", -1}, {"/Height 10", 10 * 1000}, {"/Height 100000", 100000 * 1000}} {
		pdf := pdfnormtest.Build(
			"<< /Type /Catalog >>",
			fmt.Sprintf("<< /Type /XObject /Subtype /Image /Width 1000 %s /BitsPerComponent 8 /ColorSpace /DeviceGray /Length %d /Filter /FlateDecode /DecodeParms << /Predictor 15 /Colors 1 /BitsPerComponent 8 /Columns 1000 >> >>\nstream\n%s\nendstream", c.height, len(z), z),
		)
		var told []int64
		newSHA256 := func(size int64) hash.Hash {
			told = append(told, size)
			return sha256.New()
		}
		got, err := pdfnorm.WholeWith(bytes.NewReader(pdf), pdfnorm.Options{NewSHA256: newSHA256})
		if err != nil {
			t.Fatalf("%q: %v", c.height, err)
		}
		if want := mustWhole(t, pdf); got != want {
			t.Errorf("%q: the form with NewSHA256 differs from crypto/sha256's", c.height)
		}
		if len(told) != 1 || told[0] != c.told {
			t.Errorf("%q: NewSHA256 told %v, want [%d]", c.height, told, c.told)
		}
	}
}
