package pngrows_test

import (
	"bytes"
	"compress/zlib"
	"image"
	"image/png"
	"io"
	"testing"

	"github.com/custody-toolkit/custody/internal/pngrows"
)

// Rows that image/png filtered (it picks a filter per row: all five
// appear in a noisy image) come back as the image's samples.
func TestUnfilterImagePNG(t *testing.T) {
	img := image.NewNRGBA(image.Rect(0, 0, 37, 29))
	for i := range img.Pix {
		img.Pix[i] = byte(i*i*7 + i/5)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	idat := chunks(t, buf.Bytes(), "IDAT")
	zr, err := zlib.NewReader(bytes.NewReader(idat))
	if err != nil {
		t.Fatal(err)
	}
	filtered, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	const bpp, stride = 4, 37 * 4
	prev := make([]byte, stride)
	used := map[byte]bool{}
	for y := 0; y < 29; y++ {
		row := filtered[y*(stride+1) : (y+1)*(stride+1)]
		used[row[0]] = true
		if err := pngrows.Unfilter(row[0], row[1:], prev, bpp); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(row[1:], img.Pix[y*stride:(y+1)*stride]) {
			t.Fatalf("row %d (filter %d) differs", y, row[0])
		}
		prev = row[1:]
	}
	if len(used) < 2 {
		t.Logf("image/png used filters %v only", used)
	}
	if err := pngrows.Unfilter(5, make([]byte, 4), make([]byte, 4), 1); err == nil {
		t.Error("filter type 5 accepted")
	}
}

// chunks concatenates the data of a PNG's chunks of one type.
func chunks(t *testing.T, data []byte, typ string) []byte {
	t.Helper()
	var out []byte
	for p := 8; p+8 <= len(data); {
		n := int(data[p])<<24 | int(data[p+1])<<16 | int(data[p+2])<<8 | int(data[p+3])
		if string(data[p+4:p+8]) == typ {
			out = append(out, data[p+8:p+8+n]...)
		}
		p += 12 + n
	}
	return out
}
