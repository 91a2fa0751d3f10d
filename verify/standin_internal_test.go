package verify

import (
	"bytes"
	"compress/zlib"
	"crypto/sha256"
	"fmt"
	"hash"
	"io"
	"testing"

	"github.com/custody-toolkit/custody/internal/pdfnorm"
	"github.com/custody-toolkit/custody/internal/pdfnorm/pdfnormtest"
	"github.com/custody-toolkit/custody/pdf"
)

// TestFreshFormWithoutStandIns: if the normaliser does not read a fresh
// rendering with stand-ins (here one made for other /DecodeParms than the
// rendering names, which the renderer never does), the rendering is made
// again without them, and its form is the one of the data.
func TestFreshFormWithoutStandIns(t *testing.T) {
	const width = 100
	rows := make([]byte, 20*(width+1)) // whole rows of 100 columns, and of 19

	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(rows)
	zw.Close()
	imagePDF := func(data []byte) []byte {
		return pdfnormtest.Build("<< /Type /Catalog >>",
			fmt.Sprintf("<< /Type /XObject /Subtype /Image /Length %d /Filter /FlateDecode /DecodeParms << /Predictor 15 /Colors 1 /BitsPerComponent 8 /Columns %d >> >>\nstream\n%s\nendstream", len(data), width, data))
	}
	renders := 0
	render := func(w io.Writer, compressed bool, standIns pdf.ImageStandIns) error {
		renders++
		data := z.Bytes()
		if standIns != nil {
			img := standIns.PNGImage(1, 8, 19, 0) // not the /DecodeParms written
			img.Compressed().Write(z.Bytes())
			img.Write(rows)
			data = img.StandIn()
		}
		_, err := w.Write(imagePDF(data))
		return err
	}
	got, _, err := freshForm(render, func(int64) hash.Hash { return sha256.New() })
	want, werr := pdfnorm.Whole(bytes.NewReader(imagePDF(z.Bytes())), 0)
	if err != nil || werr != nil || got != want || renders != 2 {
		t.Errorf("%+v, %v after %d renderings; the data's form %+v, %v", got, err, renders, want, werr)
	}
}
