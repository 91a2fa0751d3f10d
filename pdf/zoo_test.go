package pdf

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"testing"
)

// Images of every kind the renderer meets, for tests that compare
// renderings: JPEGs with and without application segments, PNGs it embeds
// as they are (grey, RGB, palette, data split over chunks, ancillary
// chunks, two palettes) and PNGs it decodes (alpha, 16-bit, transparency),
// each kind twice where gopdf embeds an image once, and broken ones: a
// small PNG and a small JPEG cut at every length and with each byte
// flipped in turn.

func encodeJPEG(t testing.TB, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 80}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func noiseRGBA(w, h int, seed uint32) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		seed = seed*1664525 + 1013904223
		img.Pix[i] = uint8(seed >> 24)
		if i%4 == 3 {
			img.Pix[i] = 255
		}
	}
	return img
}

// pngChunkBytes is one PNG chunk: length, type, data, CRC.
func pngChunkBytes(kind string, data []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	b = append(append(b, kind...), data...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b[4:]))
}

// splitPNGChunks splits a PNG (after its signature) into its chunks.
func splitPNGChunks(data []byte) [][]byte {
	var chunks [][]byte
	for rest := data[8:]; len(rest) >= 12; {
		n := int(binary.BigEndian.Uint32(rest))
		chunks = append(chunks, rest[:12+n])
		rest = rest[12+n:]
	}
	return chunks
}

// rebuildPNG makes a PNG of the chunks of data, changed by edit.
func rebuildPNG(data []byte, edit func(chunks [][]byte) [][]byte) []byte {
	out := bytes.Clone(data[:8])
	for _, c := range edit(splitPNGChunks(data)) {
		out = append(out, c...)
	}
	return out
}

func imageZoo(t testing.TB) map[string][]byte {
	grey := image.NewGray(image.Rect(0, 0, 120, 80))
	for i := range grey.Pix {
		grey.Pix[i] = uint8(i * 13)
	}
	jpg := encodeJPEG(t, noiseRGBA(90, 70, 1))
	withAPP := append(bytes.Clone(jpg[:2]), 0xFF, 0xE1, 0x13, 0x8A)
	withAPP = append(append(withAPP, bytes.Repeat([]byte("Exif"), 1250)...), 0xFF, 0xFE, 0, 7, 'h', 'e', 'l', 'l', 'o')
	withAPP = append(withAPP, jpg[2:]...)
	pal := image.NewPaletted(image.Rect(0, 0, 30, 20), color.Palette{color.Gray{0}, color.RGBA{200, 10, 10, 255}, color.Gray{255}})
	for i := range pal.Pix {
		pal.Pix[i] = uint8(i % 3)
	}
	palPNG := encodePNG(t, pal)
	rgbPNG := encodePNG(t, noiseRGBA(64, 48, 2))
	trns := image.NewPaletted(image.Rect(0, 0, 8, 8), color.Palette{color.NRGBA{0, 0, 0, 0}, color.Gray{255}})
	alpha := image.NewNRGBA(image.Rect(0, 0, 16, 16))
	for i := range alpha.Pix {
		alpha.Pix[i] = uint8(i * 7)
	}
	return map[string][]byte{
		"grey.jpg":    encodeJPEG(t, grey),
		"colour.jpg":  jpg,
		"exif.jpg":    withAPP,
		"padded.jpg":  append(bytes.Clone(jpg), 0, '\r', '\n', 0),
		"lab.jpg":     labReportJPEG(t),
		"grey.png":    solidPNG(t, 40, 30),
		"rgb.png":     rgbPNG,
		"palette.png": palPNG,
		"two-palettes.png": rebuildPNG(palPNG, func(c [][]byte) [][]byte {
			// gopdf takes the last palette; Go's decoder stops before it
			return append(c[:len(c)-1:len(c)-1], pngChunkBytes("PLTE", []byte{1, 2, 3, 4, 5, 6, 7, 8, 9}), c[len(c)-1])
		}),
		"split.png": rebuildPNG(rgbPNG, func(c [][]byte) [][]byte {
			idat := c[1][8 : len(c[1])-4]
			third := len(idat) / 3
			return [][]byte{c[0], pngChunkBytes("gAMA", []byte{0, 0, 177, 143}), pngChunkBytes("tEXt", []byte("Comment\x00custody image stub")),
				pngChunkBytes("IDAT", idat[:third]), pngChunkBytes("IDAT", idat[third:2*third]), pngChunkBytes("IDAT", idat[2*third:]),
				pngChunkBytes("tEXt", []byte("After\x00data")), c[len(c)-1]}
		}),
		"alpha.png":  encodePNG(t, alpha),
		"16-bit.png": encodePNG(t, image.NewGray16(image.Rect(0, 0, 9, 7))),
		"trns.png":   encodePNG(t, trns),
	}
}

// zooDocuments are documents to render with every image of the zoo (twice
// each), and with broken images.
func zooDocuments(t testing.TB) map[string]*Document {
	zoo := imageZoo(t)
	var whole []Attachment
	for _, name := range []string{"grey.jpg", "colour.jpg", "exif.jpg", "padded.jpg", "lab.jpg", "grey.png", "rgb.png",
		"palette.png", "two-palettes.png", "split.png", "alpha.png", "16-bit.png", "trns.png"} {
		typ := "image/png"
		if name[len(name)-3:] == "jpg" {
			typ = "image/jpeg"
		}
		whole = append(whole, bytesAttachment(name, typ, zoo[name]))
	}
	small, smallJPEG := solidPNG(t, 6, 4), encodeJPEG(t, noiseRGBA(8, 8, 3))
	var broken []Attachment
	for _, img := range []struct {
		typ  string
		data []byte
	}{{"image/png", small}, {"image/jpeg", smallJPEG}} {
		for n := range len(img.data) {
			broken = append(broken, bytesAttachment("cut", img.typ, img.data[:n]))
			flipped := bytes.Clone(img.data)
			flipped[n] ^= 0x41
			broken = append(broken, bytesAttachment("flipped", img.typ, flipped))
		}
	}
	docs := map[string]*Document{}
	for _, asIs := range []bool{false, true} {
		suffix := map[bool]string{false: "-reencoded", true: "-as-is"}[asIs]
		d := sampleDocument(t)
		d.PNGAsIs = asIs
		d.Items = []Item{
			{Message: &Message{ID: "m1", Text: "all", Attachments: whole}},
			{Message: &Message{ID: "m2", Text: "again", Attachments: whole}},
		}
		docs["zoo"+suffix] = d
		b := sampleDocument(t)
		b.PNGAsIs = asIs
		b.Items = []Item{{Message: &Message{ID: "m1", Text: "broken", Attachments: broken}}}
		docs["broken"+suffix] = b
	}
	return docs
}
