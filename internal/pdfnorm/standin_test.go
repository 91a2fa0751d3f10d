package pdfnorm_test

import (
	"bytes"
	"compress/zlib"
	"crypto/sha256"
	"hash"
	"io"
	"testing"

	"github.com/custody-toolkit/custody/internal/pdfnorm"
)

// standInFor makes the stand-in of image data z (a grey image of width
// columns) in memo, as a renderer's check of its rows would.
func standInFor(t *testing.T, memo *pdfnorm.Memo, z []byte, columns int) []byte {
	t.Helper()
	img := memo.Image(1, 8, columns, 0, nil)
	zr, err := zlib.NewReader(io.TeeReader(bytes.NewReader(z), img.Compressed()))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(img, zr); err != nil {
		t.Fatal(err)
	}
	io.Copy(img.Compressed(), zr) // nothing after the zlib stream here
	token := img.StandIn()
	if len(token) != pdfnorm.StandInSize {
		t.Fatalf("stand-in of %d bytes", len(token))
	}
	return token
}

// TestStandInSameForm: a fresh rendering whose image data is a stand-in
// has the form of the one holding the data, whether the data starts with
// a stored block or not; and the other PDF's copy of compressed data is
// still taken from the memo, not inflated (its bytes read once).
func TestStandInSameForm(t *testing.T) {
	const width, height = 1000, 400
	rows := imageRows(width, height, 1)
	for _, level := range []int{zlib.NoCompression, zlib.DefaultCompression} {
		z := deflate(t, rows, level)
		sealed := imagePDF(z, width)
		memo := pdfnorm.NewMemo()
		fresh := imagePDF(standInFor(t, memo, z, width), width)
		got, err := pdfnorm.WholeWith(onlyReader{bytes.NewReader(fresh)}, pdfnorm.Options{Memo: memo})
		if want := mustWhole(t, sealed); err != nil || got.SHA256 != want.SHA256 || got.Size != want.Size {
			t.Fatalf("level %d: the stand-in's form %+v, %v; the data's %+v", level, got, err, want)
		}
		in := &countingReaderAt{Reader: bytes.NewReader(sealed)}
		if _, err := pdfnorm.WholeWith(in, pdfnorm.Options{Memo: memo}); err != nil || level != zlib.NoCompression && in.n > len(sealed) {
			t.Errorf("level %d: the sealed side read %d bytes of %d (%v)", level, in.n, len(sealed), err)
		}
	}
}

// TestStandInOnlyWhereMade: a stand-in stands for its data only in a
// stream with the /DecodeParms it was made for, and only in its memo's
// normalisations; elsewhere it is 32 bytes of data, which do not inflate.
func TestStandInOnlyWhereMade(t *testing.T) {
	const width = 1000
	z := deflate(t, imageRows(width, 40, 1), zlib.DefaultCompression)
	memo := pdfnorm.NewMemo()
	token := standInFor(t, memo, z, width)
	for name, c := range map[string]struct {
		pdf  []byte
		memo *pdfnorm.Memo
	}{
		"other predictor": {imagePDF(token, width/2), memo},
		"other memo":      {imagePDF(token, width), pdfnorm.NewMemo()},
		"no memo":         {imagePDF(token, width), nil},
	} {
		_, err := pdfnorm.WholeWith(onlyReader{bytes.NewReader(c.pdf)}, pdfnorm.Options{Memo: c.memo})
		if _, ok := err.(*pdfnorm.LayoutError); !ok {
			t.Errorf("%s: %v, want the stand-in read as data that does not inflate", name, err)
		}
	}
}

// TestStandInOnlyWhole: an Image whose rows are not whole, or not rows a
// PNG predictor has, makes no stand-in; nor do parameters the normaliser
// refuses.
func TestStandInOnlyWhole(t *testing.T) {
	memo := pdfnorm.NewMemo()
	partial := memo.Image(1, 8, 10, 0, nil)
	partial.Write(make([]byte, 15)) // a row and a half
	badFilter := memo.Image(1, 8, 10, 0, nil)
	badFilter.Write(append([]byte{5}, make([]byte, 10)...))
	if partial.StandIn() != nil || badFilter.StandIn() != nil {
		t.Error("a stand-in for rows that are not whole")
	}
	if memo.Image(5, 8, 10, 0, nil) != nil || memo.Image(1, 8, 1<<30, 0, nil) != nil {
		t.Error("an Image for /DecodeParms the normaliser refuses")
	}
	if memo.StandIns() != 0 {
		t.Errorf("%d stand-ins made", memo.StandIns())
	}
}

// TestStandInLimit: a stand-in's data counts against the limit.
func TestStandInLimit(t *testing.T) {
	z := deflate(t, imageRows(1000, 400, 1), zlib.DefaultCompression)
	want := mustWhole(t, imagePDF(z, 1000))
	memo := pdfnorm.NewMemo()
	fresh := imagePDF(standInFor(t, memo, z, 1000), 1000)
	if _, err := pdfnorm.WholeWith(onlyReader{bytes.NewReader(fresh)}, pdfnorm.Options{Memo: memo, Limit: want.Size - 1}); err != pdfnorm.ErrLimit {
		t.Errorf("limit under the form's size: %v, want ErrLimit", err)
	}
}

// TestStandInRowsToldTheirSize: an Image's hash of the rows is told the
// size of the rows to come (room to make), -1 when their number is not
// known; the form is the data's either way.
func TestStandInRowsToldTheirSize(t *testing.T) {
	const width, height = 1000, 400
	z := deflate(t, imageRows(width, height, 1), zlib.DefaultCompression)
	for _, c := range []struct{ rows, told int }{{height, width * height}, {0, -1}, {10, width * 10}} {
		var told []int64
		newSHA256 := func(size int64) hash.Hash {
			told = append(told, size)
			return sha256.New()
		}
		memo := pdfnorm.NewMemo()
		img := memo.Image(1, 8, width, c.rows, newSHA256)
		zr, err := zlib.NewReader(bytes.NewReader(z))
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(img, zr)
		token := img.StandIn()
		got, err := pdfnorm.WholeWith(onlyReader{bytes.NewReader(imagePDF(token, width))}, pdfnorm.Options{Memo: memo})
		if want := mustWhole(t, imagePDF(z, width)); err != nil || got.SHA256 != want.SHA256 {
			t.Errorf("rows %d: the stand-in's form differs from the data's (%v)", c.rows, err)
		}
		if len(told) == 0 || told[0] != int64(c.told) {
			t.Errorf("rows %d: the rows' hash told %v, want %d first", c.rows, told, c.told)
		}
	}
}
