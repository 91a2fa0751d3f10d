package pdf

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"io"
	"strings"
	"testing"
)

func encodePNG(t testing.TB, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestPNGEmbeddableAsIs(t *testing.T) {
	grey := solidPNG(t, 40, 30)
	rgba := image.NewNRGBA(image.Rect(0, 0, 8, 8))
	rgba.Set(1, 1, color.NRGBA{10, 20, 30, 128})
	pal := image.NewPaletted(image.Rect(0, 0, 8, 8), color.Palette{color.Gray{0}, color.Gray{255}})
	badCRC := bytes.Clone(grey)
	badCRC[len(badCRC)-20] ^= 1 // inside the IDAT data
	tests := []struct {
		name   string
		data   []byte
		asIs   bool
		reason string
	}{
		{"8-bit grey", grey, true, ""},
		{"palette", encodePNG(t, pal), true, ""},
		{"alpha: decoded", encodePNG(t, rgba), false, ""},
		{"16-bit: decoded", encodePNG(t, image.NewGray16(image.Rect(0, 0, 4, 4))), false, ""},
		{"CRC", badCRC, false, "CRC mismatch"},
		{"truncated", grey[:len(grey)-30], false, "corrupt"},
		{"not a PNG", []byte("GIF89a"), false, "signature"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, _, ok, reason := checkPNGAsIs(bytesAttachment("a.png", "image/png", tt.data).Open, 0, nil)
			if ok != tt.asIs || tt.reason == "" && reason != "" || !strings.Contains(reason, tt.reason) {
				t.Errorf("got %v %q, want %v %q", ok, reason, tt.asIs, tt.reason)
			}
		})
	}
}

// TestPNGEmbeddedAsIs: with PNGAsIs the PDF carries the PNG's own image
// data, byte for byte; without it, the re-encoded one.
func TestPNGEmbeddedAsIs(t *testing.T) {
	img := image.NewGray(image.Rect(0, 0, 64, 48))
	for i := range img.Pix {
		img.Pix[i] = uint8(i * 7)
	}
	var b bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed} // not what a re-encoding would choose
	if err := enc.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	var idat bytes.Buffer
	if err := writeIDAT(&idat, bytes.NewReader(b.Bytes())); err != nil {
		t.Fatal(err)
	}
	for _, asIs := range []bool{true, false} {
		d := sampleDocument(t)
		d.PNGAsIs = asIs
		d.Items = []Item{{Message: &Message{ID: "m1", Text: "x", Attachments: []Attachment{bytesAttachment("a.png", "image/png", b.Bytes())}}}}
		if got := bytes.Contains(render(t, d), idat.Bytes()); got != asIs {
			t.Errorf("PNGAsIs %v: the PNG's own data embedded: %v", asIs, got)
		}
	}
}

// BenchmarkRenderPNG renders 20 messages with a 1200×900 RGB PNG photo each
// (smooth gradients with noise, as a phone photo of a report compresses),
// re-encoded (custody-pdf/2) and as they are (custody-pdf/3).
func BenchmarkRenderPNG(b *testing.B) {
	var items []Item
	for i := range 20 {
		img := image.NewRGBA(image.Rect(0, 0, 1200, 900))
		for p := 0; p < len(img.Pix); p += 4 {
			x, y := (p/4)%1200, (p/4)/1200
			n := uint8((p*2654435761 + i) >> 13)
			img.Pix[p], img.Pix[p+1], img.Pix[p+2], img.Pix[p+3] = uint8(x/5)+n%16, uint8(y/4)+n%8, uint8(i*10), 255
		}
		items = append(items, Item{Message: &Message{ID: "m", Text: "foto", Attachments: []Attachment{
			bytesAttachment("foto.png", "image/png", encodePNG(b, img))}}})
	}
	for _, asIs := range []bool{false, true} {
		b.Run(map[bool]string{false: "reencoded", true: "as-is"}[asIs], func(b *testing.B) {
			d := sampleDocument(b)
			d.Items, d.PNGAsIs = items, asIs
			for b.Loop() {
				if err := Render(io.Discard, d); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
