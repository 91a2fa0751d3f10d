package pdf

import (
	"bufio"
	"bytes"
	"fmt"
	"image"
	"image/draw"
	"image/jpeg"
	"image/png"
	"io"
	"strings"
)

// decodedImage is an image checked to decode, ready to embed.
type decodedImage struct {
	data []byte  // JPEG as sent, or PNG re-encoded in 8-bit non-interlaced form
	w, h float64 // pixels
}

// isImage reports whether an attachment is meant to be shown as an image.
func isImage(a Attachment) bool {
	t := strings.ToLower(a.Type)
	return t == "image/jpeg" || t == "image/jpg" || t == "image/png"
}

// loadImage reads and checks an image attachment. It returns nil and, for
// an image that cannot be shown, the reason; other attachments get no reason.
// The limits bound memory: the file is read up to MaxImageBytes and decoded
// only when its header declares at most MaxImagePixels. With pngAsIs
// (custody-pdf/3), a PNG the PDF writer embeds as it is goes in untouched.
func loadImage(a Attachment, pngAsIs bool) (img *decodedImage, reason string) {
	if !isImage(a) {
		return nil, ""
	}
	if a.Open == nil {
		return nil, "content not available"
	}
	if a.Size > MaxImageBytes {
		return nil, fmt.Sprintf("file too large to embed (over %d MB)", MaxImageBytes>>20)
	}
	// The header first: what cannot be shown is never read whole (a
	// verifier renders the record again, and should not read every
	// attachment twice to find the images).
	cfg, format, reason := imageConfig(a)
	if reason != "" {
		return nil, reason
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > MaxImagePixels {
		return nil, fmt.Sprintf("%d×%d pixels, over the %d megapixel limit", cfg.Width, cfg.Height, MaxImagePixels/1_000_000)
	}
	rc, err := a.Open()
	if err != nil {
		return nil, "could not be read"
	}
	defer rc.Close()
	// Sized reads: a read from a bundle entry is a system call, and
	// io.ReadAll's small first reads would make thousands of them.
	buf := bytes.NewBuffer(make([]byte, 0, max(a.Size, 0)+bytes.MinRead))
	if _, err := buf.ReadFrom(io.LimitReader(rc, MaxImageBytes+1)); err != nil {
		return nil, "could not be read"
	}
	data := buf.Bytes()
	if len(data) > MaxImageBytes {
		return nil, fmt.Sprintf("file too large to embed (over %d MB)", MaxImageBytes>>20)
	}
	if format == "jpeg" && !jpegComplete(data) {
		return nil, "corrupt image, could not be decoded (truncated JPEG)"
	}
	if format == "png" {
		if data, reason = preparePNG(data, pngAsIs); reason != "" {
			return nil, reason
		}
	}
	return &decodedImage{data: data, w: float64(cfg.Width), h: float64(cfg.Height)}, ""
}

// preparePNG makes a PNG embeddable. A JPEG goes in byte for byte after its
// header was read, and so does, with asIs, a PNG the PDF writer embeds as
// it is (pngEmbeddableAsIs): decoding every image would cost the exporter,
// and each verifier that renders the record again, far more than checking
// it. Other PNGs (16-bit, interlaced, with transparency) are decoded and
// re-encoded as 8-bit, non-interlaced PNG, which the writer reads; with
// asIs, transparency is flattened onto white first, because the writer
// splits an alpha channel from rows the encoder filtered for four bytes a
// pixel, which viewers then un-filter for three.
func preparePNG(data []byte, asIs bool) ([]byte, string) {
	if asIs {
		switch ok, reason := pngEmbeddableAsIs(data); {
		case ok:
			return data, ""
		case reason != "":
			return nil, reason
		}
	}
	decoded, err := decode(data, "png")
	if err != nil {
		return nil, "corrupt image, could not be decoded"
	}
	if asIs {
		decoded = onWhite(decoded)
	}
	if data, err = reencodePNG(decoded); err != nil {
		return nil, "could not be re-encoded"
	}
	return data, ""
}

// onWhite flattens an image with transparency onto a white background.
func onWhite(img image.Image) image.Image {
	if o, ok := img.(interface{ Opaque() bool }); ok && o.Opaque() {
		return img
	}
	flat := image.NewRGBA(img.Bounds())
	draw.Draw(flat, flat.Bounds(), image.White, image.Point{}, draw.Src)
	draw.Draw(flat, flat.Bounds(), img, img.Bounds().Min, draw.Over)
	return flat
}

// imageConfig reads an attachment's image header.
func imageConfig(a Attachment) (image.Config, string, string) {
	rc, err := a.Open()
	if err != nil {
		return image.Config{}, "", "could not be read"
	}
	defer rc.Close()
	cfg, format, err := image.DecodeConfig(bufio.NewReader(io.LimitReader(rc, MaxImageBytes)))
	if err != nil || (format != "jpeg" && format != "png") {
		return image.Config{}, "", "not a JPEG or PNG image that can be decoded"
	}
	return cfg, format, ""
}

// jpegComplete is the cheap check that stands in for decoding a JPEG: it
// must end with the end-of-image marker (trailing padding aside), as a
// truncated transfer does not.
func jpegComplete(data []byte) bool {
	return bytes.HasSuffix(bytes.TrimRight(data, "\x00\r\n"), []byte{0xFF, 0xD9})
}

// decode fully decodes the image so that a corrupt body is caught here, not
// in a viewer; a decoder panic counts as corrupt.
func decode(data []byte, format string) (img image.Image, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("decoder panic: %v", p)
		}
	}()
	if format == "jpeg" {
		return jpeg.Decode(bytes.NewReader(data))
	}
	return png.Decode(bytes.NewReader(data))
}

func reencodePNG(img image.Image) ([]byte, error) {
	switch img.(type) {
	case *image.NRGBA, *image.RGBA, *image.Gray, *image.Paletted:
	default: // 16-bit and others: down to 8-bit
		n := image.NewNRGBA(img.Bounds())
		draw.Draw(n, n.Bounds(), img, img.Bounds().Min, draw.Src)
		img = n
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
