package pdf

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"image"
	"image/draw"
	"image/jpeg"
	"image/png"
	"io"
	"strings"

	"github.com/custody-toolkit/custody/pdf/internal/pdfpack"
)

// Images and memory. gopdf holds every image it is handed until the PDF is
// written, two or three times over (its copy of the bytes, its parser's
// copy of the image data). So it is handed a stub instead, whenever the
// image goes into the PDF as it is (a JPEG; with PNGAsIs, a PNG it embeds
// without decoding): a small image of the same header, from which gopdf
// builds the very image dictionary the real one would give, and whose image
// data pdfpack replaces, by object number, with the real data streamed
// from the attachment once more (embeddedImage.fill). The attachment must
// then be exactly what was checked (size and SHA-256), or the rendering
// fails. (A rendering made only to be normalised takes a stand-in for a
// PNG's data instead, made as it was checked: ImageStandIns.) Only
// images that are decoded and re-encoded are held whole.

// embeddedImage is an image checked to embed, ready to place.
type embeddedImage struct {
	w, h float64 // pixels
	// size is the size of the image file the PDF writer reads (or its
	// stub stands for): what custody-pdf/1 and /2 count against
	// MaxEmbeddedBytes.
	size int64
	// id is that file's SHA-256: gopdf's key to embed an image once, however
	// often it is shown.
	id string
	// file is what gopdf reads: the image (re-encoded), or its stub.
	file []byte
	// fill is, for a stub, the real image data pdfpack puts in its place.
	fill *pdfpack.Substitute
	// data is, for a stub, the attachment as checked (for tests that render
	// without stubs).
	data checkedContent
}

// isImage reports whether an attachment is meant to be shown as an image.
func isImage(a Attachment) bool {
	t := strings.ToLower(a.Type)
	return t == "image/jpeg" || t == "image/jpg" || t == "image/png"
}

// loadImage reads and checks an image attachment. It returns nil and, for
// an image that cannot be shown, the reason; other attachments get no reason.
// The limits bound memory and time: the file is read up to MaxImageBytes and
// decoded only when its header declares at most MaxImagePixels. A JPEG goes
// into the PDF byte for byte after its header was read, and so does, with
// pngAsIs (custody-pdf/3), a PNG the PDF writer embeds as it is: decoding
// every image would cost the exporter, and each verifier that renders the
// record again, far more than checking it.
// With standIns (a rendering made only to be normalised), such a PNG's data
// may be a stand-in (ImageStandIns).
func loadImage(a Attachment, pngAsIs bool, standIns ImageStandIns) (img *embeddedImage, reason string) {
	if !isImage(a) {
		return nil, ""
	}
	if a.Open == nil {
		return nil, "content not available"
	}
	if a.Size > MaxImageBytes {
		return nil, tooLarge
	}
	// The header first: what cannot be shown is never read whole (a
	// verifier renders the record again, and should not read every
	// attachment twice to find the images).
	cfg, format, header, reason := imageConfig(a)
	if reason != "" {
		return nil, reason
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > MaxImagePixels {
		return nil, fmt.Sprintf("%d×%d pixels, over the %d megapixel limit", cfg.Width, cfg.Height, MaxImagePixels/1_000_000)
	}
	switch {
	case format == "jpeg":
		return loadJPEG(a, cfg, header)
	case pngAsIs:
		return loadPNGAsIs(a, cfg, standIns)
	}
	return loadReencodedPNG(a, cfg, false)
}

var tooLarge = fmt.Sprintf("file too large to embed (over %d MB)", MaxImageBytes>>20)

// loadJPEG checks a JPEG by reading it once (its end, its digest) and
// stubs it: the stub is the header the decoder read, which gives gopdf the
// same dimensions and colour space.
func loadJPEG(a Attachment, cfg image.Config, header []byte) (*embeddedImage, string) {
	var end jpegEnd
	data, reason := checkContent(a.Open, a.Size, func(r io.Reader) error {
		_, err := io.Copy(&end, r)
		return err
	})
	if reason != "" {
		return nil, reason
	}
	if !end.complete() {
		return nil, "corrupt image, could not be decoded (truncated JPEG)"
	}
	stub := append(bytes.Clone(header), stubMarker(data)...)
	return data.stubbed(cfg, stub, stub, data.size, copyAll), ""
}

// loadPNGAsIs checks a PNG for embedding as it is and stubs it; a PNG that
// must be decoded (16-bit, interlaced, with transparency) is re-encoded,
// with transparency flattened onto white, because the writer splits an
// alpha channel from rows the encoder filtered for four bytes a pixel,
// which viewers then un-filter for three.
func loadPNGAsIs(a Attachment, cfg image.Config, standIns ImageStandIns) (*embeddedImage, string) {
	s, data, standIn, asIs, reason := checkPNGAsIs(a.Open, a.Size, standIns)
	switch {
	case reason != "":
		return nil, reason
	case !asIs:
		return loadReencodedPNG(a, cfg, true)
	}
	marker := stubMarker(data)
	img := data.stubbed(cfg, stubPNG(s, marker), marker, s.idatLength, writeIDAT)
	if standIn != nil {
		img.fill.Length = int64(len(standIn))
		img.fill.Write = func(w io.Writer) error {
			_, err := w.Write(standIn)
			return err
		}
	}
	return img, ""
}

// checkPNGAsIs reads a PNG for its structure and, if the PDF writer takes
// it as it is, its rows, at once. It reports false with no reason for a PNG
// that must be decoded instead, and a reason for one that cannot be shown.
// With standIns, it returns the stand-in for the data of a PNG taken as it
// is, if it has one.
func checkPNGAsIs(open func() (io.ReadCloser, error), size int64, standIns ImageStandIns) (s pngStructure, data checkedContent, standIn []byte, asIs bool, reason string) {
	rows := rowsCheck{standIns: standIns}
	data, reason = checkContent(open, size, func(r io.Reader) (err error) {
		s, err = scanPNG(r, &rows)
		return err
	})
	switch {
	case reason != "":
		return s, data, nil, false, reason
	case data.checkErr != nil:
		return s, data, nil, false, "corrupt image (" + data.checkErr.Error() + ")"
	case !s.header.asIs():
		return s, data, nil, false, ""
	case rows.err != nil:
		return s, data, nil, false, "corrupt image (" + rows.err.Error() + ")"
	}
	if rows.image != nil {
		standIn = rows.image.StandIn()
	}
	return s, data, standIn, true, ""
}

// loadReencodedPNG decodes a PNG and re-encodes it as 8-bit, non-interlaced
// PNG, which the PDF writer reads (custody-pdf/1 and /2 do so with every
// PNG); with flatten, onto white.
func loadReencodedPNG(a Attachment, cfg image.Config, flatten bool) (*embeddedImage, string) {
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
	if buf.Len() > MaxImageBytes {
		return nil, tooLarge
	}
	decoded, err := decode(buf.Bytes(), "png")
	if err != nil {
		return nil, "corrupt image, could not be decoded"
	}
	if flatten {
		decoded = onWhite(decoded)
	}
	file, err := reencodePNG(decoded)
	if err != nil {
		return nil, "could not be re-encoded"
	}
	sum := sha256.Sum256(file)
	return &embeddedImage{w: float64(cfg.Width), h: float64(cfg.Height), size: int64(len(file)), id: hex.EncodeToString(sum[:]), file: file}, ""
}

// ContentSHA256, when set, makes the SHA-256 hashes that hold an
// attachment's content to the image embedded (checkContent, then copyTo
// as it is written into the PDF): told the content's size (the size the
// attachment states, when it is read the first time: room to make, not a
// promise), or -1 when not known. The web verifier sets it once, as its
// WebAssembly starts, to the browser's native SHA-256: crypto/sha256
// compiled to WebAssembly is many times slower, and the photos of a
// record are most of the bytes its rendering comparison hashes. It must
// compute SHA-256 (what is compared stays this package's); nil:
// crypto/sha256. A variable, not an option of Document, because it is a
// property of the program (its platform), not of a document, and the
// renderings reach this package through record.
var ContentSHA256 func(size int64) hash.Hash

func contentSHA256(size int64) hash.Hash {
	if ContentSHA256 != nil {
		return ContentSHA256(size)
	}
	return sha256.New()
}

// ImageStandIns, set on a Document rendered only to be normalised
// (internal/pdfnorm, by verify's rendering comparison), is handed the data
// of each PNG embedded as it is while its rows are checked (the check
// inflates them), and gives bytes to write in place of that data: the
// normaliser knows their decoded form already (pdfnorm's stand-ins), and
// the image is not read again for the PDF. The PDF then does not hold the
// images: it is for the normaliser only.
type ImageStandIns interface {
	// PNGImage starts the stand-in for image data with the PDF writer's
	// PNG predictor parameters (/Colors, /BitsPerComponent, /Columns);
	// nil: none, the data goes in.
	// rows is the image's height: its rows to come, if it is whole.
	PNGImage(colors, bits, columns, rows int) ImageStandIn
}

// An ImageStandIn is written the image's inflated data (its rows, still
// filtered), and its compressed data to Compressed, both in order.
type ImageStandIn interface {
	io.Writer
	Compressed() io.Writer
	// StandIn is called once the data was written whole and passed the
	// check: it returns the bytes to write in its place (nil: the data).
	StandIn() []byte
}

// checkedContent is an attachment's content as it was checked: its size
// and SHA-256, and the outcome of the check.
type checkedContent struct {
	open     func() (io.ReadCloser, error)
	size     int64
	sum      []byte
	checkErr error
}

// checkContent reads an attachment once, up to MaxImageBytes and one byte,
// hashing it and handing it to check. It returns the reason not to embed
// it if it cannot be read or is too large; check's error is kept for the
// caller, as these two reasons come first. size is the size the
// attachment states (Attachment.Size), which its hash is told (0: not
// stated); what is read is what counts.
func checkContent(open func() (io.ReadCloser, error), size int64, check func(io.Reader) error) (checkedContent, string) {
	c := checkedContent{open: open}
	rc, err := open()
	if err != nil {
		return c, "could not be read"
	}
	defer rc.Close()
	src := &readErrors{r: rc}
	if size <= 0 || size > MaxImageBytes {
		size = -1
	}
	h := &countingHash{Hash: contentSHA256(size)}
	in := io.TeeReader(io.LimitReader(src, MaxImageBytes+1), h)
	c.checkErr = check(in)
	if _, err := io.Copy(io.Discard, in); err != nil || src.err != nil {
		return c, "could not be read"
	}
	if h.n > MaxImageBytes {
		return c, tooLarge
	}
	c.size, c.sum = h.n, h.Sum(nil)
	return c, ""
}

// stubbed is the image to place: gopdf reads file, writes stream as its
// image data, and pdfpack puts there what extract makes of the content
// (length bytes).
func (c checkedContent) stubbed(cfg image.Config, file, stream []byte, length int64, extract func(io.Writer, io.Reader) error) *embeddedImage {
	img := &embeddedImage{w: float64(cfg.Width), h: float64(cfg.Height), size: c.size, id: hex.EncodeToString(c.sum), file: file, data: c}
	img.fill = &pdfpack.Substitute{Stub: stream, Length: length, Write: func(w io.Writer) error { return c.copyTo(w, extract) }}
	return img
}

func copyAll(w io.Writer, r io.Reader) error {
	_, err := io.Copy(w, r)
	return err
}

// copyTo streams the content through extract to w, and fails if it is not
// the content checked (changed, truncated) once it is read to its end.
func (c checkedContent) copyTo(w io.Writer, extract func(io.Writer, io.Reader) error) error {
	rc, err := c.open()
	if err != nil {
		return err
	}
	defer rc.Close()
	h := &countingHash{Hash: contentSHA256(c.size)}
	in := io.TeeReader(io.LimitReader(rc, c.size+1), h)
	if err := extract(w, in); err != nil {
		return err
	}
	if _, err := io.Copy(io.Discard, in); err != nil {
		return err
	}
	if h.n != c.size || !bytes.Equal(h.Sum(nil), c.sum) {
		return errors.New("the image is no longer the one checked (changed or truncated)")
	}
	return nil
}

// whole reads the content whole, as checked.
func (c checkedContent) whole() ([]byte, error) {
	var b bytes.Buffer
	err := c.copyTo(&b, copyAll)
	return b.Bytes(), err
}

// stubMarker is a stub's image data. It only has to be what gopdf copies
// into the PDF, for pdfpack to check it replaces the stream it expects:
// which stream to replace is known by its object number, so an attachment
// holding these bytes cannot pose as a stub.
func stubMarker(c checkedContent) []byte {
	return []byte("custody image stub " + hex.EncodeToString(c.sum))
}

// readErrors keeps the first read error other than the end of input.
type readErrors struct {
	r   io.Reader
	err error
}

func (e *readErrors) Read(b []byte) (int, error) {
	n, err := e.r.Read(b)
	if err != nil && err != io.EOF && e.err == nil {
		e.err = err
	}
	return n, err
}

// countingHash is a hash that counts the bytes it hashed.
type countingHash struct {
	hash.Hash
	n int64
}

func (h *countingHash) Write(b []byte) (int, error) {
	h.n += int64(len(b))
	return h.Hash.Write(b)
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

// imageConfig reads an attachment's image header. It returns, too, the
// bytes read for it, which hold at least the header: a stub made of them
// has the same header for gopdf's decoder as for this one.
func imageConfig(a Attachment) (cfg image.Config, format string, header []byte, reason string) {
	rc, err := a.Open()
	if err != nil {
		return cfg, "", nil, "could not be read"
	}
	defer rc.Close()
	var read bytes.Buffer
	in := io.TeeReader(io.LimitReader(rc, MaxImageBytes), &read)
	cfg, format, err = image.DecodeConfig(bufio.NewReader(in))
	if err != nil || (format != "jpeg" && format != "png") {
		return cfg, "", nil, "not a JPEG or PNG image that can be decoded"
	}
	return cfg, format, read.Bytes(), ""
}

// jpegEnd is the cheap check that stands in for decoding a JPEG: it must
// end with the end-of-image marker (trailing padding aside), as a
// truncated transfer does not. It is written the JPEG and remembers the
// last byte that is not padding (NUL, CR, LF) and the byte before it.
type jpegEnd struct {
	last, beforeLast, prev int
	n                      int64
}

func (e *jpegEnd) Write(b []byte) (int, error) {
	if e.n == 0 {
		e.last, e.beforeLast, e.prev = -1, -1, -1
	}
	for _, c := range b {
		if c != 0 && c != '\r' && c != '\n' {
			e.last, e.beforeLast = int(c), e.prev
		}
		e.prev = int(c)
	}
	e.n += int64(len(b))
	return len(b), nil
}

func (e *jpegEnd) complete() bool {
	return e.n > 0 && e.beforeLast == 0xFF && e.last == 0xD9
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
