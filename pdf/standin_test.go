package pdf

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"testing"

	"github.com/custody-toolkit/custody/internal/pdfnorm"
)

// memoStandIns is the verifier's ImageStandIns (verify's imageStandIns).
type memoStandIns struct{ memo *pdfnorm.Memo }

func (s memoStandIns) PNGImage(colors, bits, columns, rows int) ImageStandIn {
	if img := s.memo.Image(colors, bits, columns, rows, nil); img != nil {
		return img
	}
	return nil
}

// rawPNG is a PNG of colour type colour and bit depth depth (a palette
// of 2^depth greys for colour type 3) whose rows are filtered with each
// filter type in turn, compressed at level.
func rawPNG(t testing.TB, width, height int, depth, colour byte, level int) []byte {
	t.Helper()
	samples := map[byte]int{0: 1, 2: 3, 3: 1}[colour]
	stride := (width*samples*int(depth) + 7) / 8
	var rows []byte
	for y := range height {
		rows = append(rows, byte(y%5))
		for x := range stride {
			rows = append(rows, byte(x*7+y*13))
		}
	}
	var z bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&z, level)
	zw.Write(rows)
	zw.Close()
	ihdr := binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(nil, uint32(width)), uint32(height))
	ihdr = append(ihdr, depth, colour, 0, 0, 0)
	png := append(bytes.Clone(pngSignature), pngChunkBytes("IHDR", ihdr)...)
	if colour == 3 {
		var plte []byte
		for i := range 1 << depth {
			g := byte(i * 255 / (1<<depth - 1))
			plte = append(plte, g, g, g)
		}
		png = append(png, pngChunkBytes("PLTE", plte)...)
	}
	png = append(png, pngChunkBytes("IDAT", z.Bytes())...)
	return append(png, pngChunkBytes("IEND", nil)...)
}

// TestImageStandInsSameForm: a rendering with stand-ins for its PNGs'
// data has, read with the memo that made them, the canonical form of the
// rendering with the data: for every kind of PNG embedded as it is (each
// bit depth of grey and palette, RGB; one or more IDAT chunks; stored or
// compressed), for those decoded instead, and for broken ones.
func TestImageStandInsSameForm(t *testing.T) {
	zoo := imageZoo(t)
	var kinds []Attachment
	for _, name := range []string{"grey.png", "rgb.png", "palette.png", "two-palettes.png", "split.png", "alpha.png", "16-bit.png", "trns.png", "colour.jpg"} {
		typ := map[bool]string{true: "image/jpeg", false: "image/png"}[name == "colour.jpg"]
		kinds = append(kinds, bytesAttachment(name, typ, zoo[name]))
	}
	for _, depth := range []byte{1, 2, 4, 8} {
		for _, level := range []int{zlib.NoCompression, zlib.BestSpeed} {
			kinds = append(kinds, bytesAttachment(fmt.Sprintf("grey-%d-%d.png", depth, level), "image/png", rawPNG(t, 301, 40, depth, 0, level)),
				bytesAttachment(fmt.Sprintf("palette-%d-%d.png", depth, level), "image/png", rawPNG(t, 301, 40, depth, 3, level)))
		}
	}
	kinds = append(kinds, bytesAttachment("rgb-stored.png", "image/png", rawPNG(t, 301, 40, 8, 2, zlib.NoCompression)))
	docs := zooDocuments(t)
	d := sampleDocument(t)
	d.PNGAsIs = true
	d.Items = []Item{{Message: &Message{ID: "m1", Text: "kinds", Attachments: kinds}}}
	docs["kinds"] = d
	for name, d := range docs {
		var plain bytes.Buffer
		if err := RenderUncompressed(&plain, d); err != nil {
			t.Fatal(err)
		}
		want, err := pdfnorm.Whole(bytes.NewReader(plain.Bytes()), 0)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		memo := pdfnorm.NewMemo()
		d.ImageStandIns = memoStandIns{memo}
		var standIns bytes.Buffer
		if err := RenderUncompressed(&standIns, d); err != nil {
			t.Fatal(err)
		}
		d.ImageStandIns = nil
		got, err := pdfnorm.WholeWith(bytes.NewReader(standIns.Bytes()), pdfnorm.Options{Memo: memo})
		if err != nil || got.SHA256 != want.SHA256 || got.Size != want.Size {
			t.Errorf("%s: with stand-ins %+v, %v; with the data %+v", name, got, err, want)
		}
		// Stand-ins for the PNGs embedded as they are, and only for those.
		if whole := name == "kinds" || name == "zoo-as-is"; whole != (memo.StandIns() > 0) || whole && standIns.Len() >= plain.Len() {
			t.Errorf("%s: %d stand-ins, %d bytes with them, %d with the data", name, memo.StandIns(), standIns.Len(), plain.Len())
		}
	}
}

// TestPNGAsIsReadOnceWithStandIns: with stand-ins, a PNG embedded as it
// is is read whole once (and its header once more): its data does not go
// into the PDF.
func TestPNGAsIsReadOnceWithStandIns(t *testing.T) {
	data := rawPNG(t, 500, 300, 8, 2, zlib.NoCompression)
	read := bytesReadRendering(t, RenderUncompressed, bytesAttachment("photo.png", "image/png", data), memoStandIns{pdfnorm.NewMemo()})
	if max := int64(len(data)) + 4096; read > max {
		t.Errorf("%d bytes read for a %d-byte PNG, want at most %d", read, len(data), max)
	}
}
