package pdf

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"hash"
	"hash/crc32"
	"io"
)

// The check that stands in for decoding a PNG the PDF writer embeds as it
// is (gopdf copies its IDAT data into the PDF with a PNG predictor): 1 to 8
// bits a sample, grey, RGB or palette colour, not interlaced, no
// transparency. A PNG that fails it for its kind must be decoded instead; a
// corrupt one gets a reason.
//
// It checks what a viewer relies on: the chunk structure and every CRC,
// a sane IHDR, one run of IDAT chunks, IEND last, and that the image data
// inflates to exactly the declared rows, each with a valid filter type.
// Inflating costs a fraction of decoding (no pixels are built, nothing is
// re-encoded), and it means a verifier's normalisation of the rendering
// (internal/pdfnorm) reads the embedded data as surely as the exporter did.
//
// Everything streams, chunk by chunk: the image is read once for its
// structure and its rows (scanPNG, which hands the image data to an
// inflater as it goes by: rowsCheck), and once more when its data goes into
// the PDF (writeIDAT; in a verifier's fresh rendering a stand-in goes
// there instead, ImageStandIns), and never held whole. Reading it once
// for both matters to the web verifier, where each read of a file is a
// round trip to the browser.

type pngHeader struct {
	width, height int
	depth, colour byte
	interlaced    bool
	decodeFirst   bool // transparency (tRNS), or a chunk gopdf misreads
}

func (h pngHeader) alpha() bool { return h.colour == 4 || h.colour == 6 }

// asIs reports whether the PDF writer takes the image as it is.
func (h pngHeader) asIs() bool {
	return !h.interlaced && !h.alpha() && !h.decodeFirst && h.depth <= 8
}

// samples is the number of samples a pixel has.
func (h pngHeader) samples() int {
	return map[byte]int{0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[h.colour]
}

// validDepths are the bit depths PNG allows for each colour type.
var validDepths = map[byte][]byte{0: {1, 2, 4, 8, 16}, 2: {8, 16}, 3: {1, 2, 4, 8}, 4: {8, 16}, 6: {8, 16}}

var pngSignature = []byte("\x89PNG\r\n\x1a\n")

// pngStructure is what scanPNG learns of a PNG: its header, the chunks a
// stub needs to make the PDF writer build the same image dictionary, and
// how many bytes of image data it has.
type pngStructure struct {
	header      pngHeader
	ihdr        []byte // the IHDR chunk, whole (length, type, data, CRC)
	palette     []byte // the first PLTE chunk, whole
	lastPalette []byte // the last PLTE chunk, if another (after the image data)
	idatLength  int64
}

// scanPNG walks the chunks from the signature to IEND, checking each CRC.
// A chunk of no data other than IEND makes the PNG one to decode: gopdf
// stops reading chunks at the first. With rows, it checks the image data's
// rows too as it goes by (rows.err), when the PNG is one the PDF writer
// takes as it is so far; rows.err counts only if it still is at IEND.
func scanPNG(r io.Reader, rows *rowsCheck) (pngStructure, error) {
	var s pngStructure
	p, err := newPNGReader(r)
	if err != nil {
		return s, err
	}
	defer rows.stop()
	seenHeader, idatDone := false, false
	for {
		kind, n, err := p.next()
		if err != nil {
			return s, err
		}
		if kind != "IDAT" && s.idatLength > 0 {
			rows.stop() // the image data ended: the inflater has all of it
		}
		var chunk []byte
		switch {
		case kind == "IHDR" && n == 13 || kind == "PLTE":
			if chunk, err = p.wholeChunk(); err != nil {
				return s, err
			}
		case kind == "IDAT" && seenHeader && !idatDone:
			if s.idatLength == 0 && s.header.asIs() {
				rows.start(s.header)
			}
			if err := rows.feed(p); err != nil {
				return s, err
			}
			if err := p.finish(); err != nil {
				return s, err
			}
		default:
			if err := p.finish(); err != nil {
				return s, err
			}
		}
		if n == 0 && kind != "IEND" {
			s.header.decodeFirst = true
		}
		switch {
		case !seenHeader && kind != "IHDR":
			return s, errors.New("IHDR is not first")
		case kind == "IHDR":
			if seenHeader {
				return s, errors.New("two IHDR")
			}
			if s.header, err = parseIHDR(chunk); err != nil {
				return s, err
			}
			s.ihdr, seenHeader = chunk, true
		case kind == "PLTE" && s.palette == nil:
			s.palette = chunk
		case kind == "PLTE":
			s.lastPalette = chunk
		case kind == "tRNS":
			s.header.decodeFirst = true
		case kind == "IDAT":
			if idatDone {
				return s, errors.New("IDAT chunks not consecutive")
			}
			s.idatLength += int64(n)
		case kind == "IEND":
			if s.idatLength == 0 || s.header.colour == 3 && s.palette == nil {
				return s, errors.New("no image data or no palette")
			}
			return s, nil
		}
		if kind != "IDAT" && s.idatLength > 0 {
			idatDone = true
		}
	}
}

// parseIHDR reads a whole IHDR chunk (nil: one of the wrong length).
func parseIHDR(chunk []byte) (pngHeader, error) {
	if len(chunk) != 12+13 {
		return pngHeader{}, errors.New("IHDR of the wrong length")
	}
	b := chunk[8:]
	h := pngHeader{
		width: int(binary.BigEndian.Uint32(b)), height: int(binary.BigEndian.Uint32(b[4:])),
		depth: b[8], colour: b[9], interlaced: b[12] == 1,
	}
	if h.width <= 0 || h.height <= 0 || int64(h.width)*int64(h.height) > MaxImagePixels {
		return h, errors.New("image size out of range")
	}
	if !bytes.Contains(validDepths[h.colour], []byte{h.depth}) || b[10] != 0 || b[11] != 0 || b[12] > 1 {
		return h, errors.New("IHDR values PNG does not allow")
	}
	return h, nil
}

// stubPNG is a PNG the PDF writer reads as it would the scanned one (same
// header and palette), whose image data is marker: the writer then builds
// the same image dictionary, and the real data takes the marker's place
// when the PDF is written. Go's decoder reads the first palette (and
// rejects a second before the image data); gopdf keeps the last one.
func stubPNG(s pngStructure, marker []byte) []byte {
	stub := bytes.Clone(pngSignature)
	stub = append(stub, s.ihdr...)
	stub = append(stub, s.palette...)
	stub = appendChunk(stub, "IDAT", marker)
	stub = append(stub, s.lastPalette...)
	return appendChunk(stub, "IEND", nil)
}

func appendChunk(b []byte, kind string, data []byte) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(data)))
	start := len(b)
	b = append(append(b, kind...), data...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b[start:]))
}

// rowsCheck inflates the image data as scanPNG reads it, in a goroutine
// fed through a pipe, so that the PNG is read once for its structure and
// its rows. A nil *rowsCheck checks nothing.
type rowsCheck struct {
	standIns ImageStandIns // nil: none
	image    ImageStandIn  // the stand-in being made, if any
	w        *io.PipeWriter
	buf      []byte // feed's
	done     chan error
	err      error // the rows' check, once stopped
}

// start starts checking the rows of an image of header h.
func (c *rowsCheck) start(h pngHeader) {
	if c == nil || c.done != nil {
		return
	}
	r, w := io.Pipe()
	c.w, c.done = w, make(chan error, 1)
	var data io.Reader = r
	if c.standIns != nil {
		c.image = c.standIns.PNGImage(h.samples(), int(h.depth), h.width, h.height)
	}
	if c.image != nil {
		data = io.TeeReader(r, c.image.Compressed())
	}
	go func() {
		err := checkRows(bufio.NewReaderSize(data, 64<<10), h, c.image)
		io.Copy(io.Discard, r) // the scan goes on to IEND whatever the rows
		c.done <- err
	}()
}

// feed hands the inflater the data of the current IDAT chunk.
func (c *rowsCheck) feed(p *pngReader) error {
	if c == nil || c.w == nil {
		return nil
	}
	if c.buf == nil {
		c.buf = make([]byte, 32<<10) // once, not per chunk (an encoder's are 8 KiB or so)
	}
	_, err := io.CopyBuffer(c.w, p, c.buf) // the pipe takes all: only p's errors stop it
	return err
}

// stop tells the inflater the image data has ended and waits for its
// verdict. It may be called again.
func (c *rowsCheck) stop() {
	if c == nil || c.w == nil {
		return
	}
	c.w.Close()
	c.err, c.w = <-c.done, nil
}

// checkRows inflates the image data (the zlib stream must end with the
// data: the PDF writer embeds all of it) and checks it is exactly the
// declared rows, each starting with a filter type 0 to 4. idat is the
// image data of a PNG of header h, read from its first byte; being an
// io.ByteReader, inflating reads no further than its stream. The rows go
// to image too, if there is one.
func checkRows(idat *bufio.Reader, h pngHeader, image ImageStandIn) error {
	zr, err := zlib.NewReader(idat)
	if err != nil {
		return errors.New("image data is not zlib data")
	}
	stride := int64((h.width*h.samples()*int(h.depth)+7)/8) + 1
	rows := &pngRowChecker{stride: stride, want: stride * int64(h.height)}
	var dst io.Writer = rows
	if image != nil {
		dst = io.MultiWriter(rows, image) // the rows checked first
	}
	if _, err := io.Copy(dst, zr); err != nil {
		return err
	}
	if rows.seen != rows.want {
		return errors.New("image data shorter than its rows")
	}
	if _, err := idat.ReadByte(); err != io.EOF {
		return errors.New("data after the compressed image data")
	}
	return nil
}

// writeIDAT copies the image data of a PNG that scanPNG accepted (its IDAT
// chunks' data, concatenated) to w.
func writeIDAT(w io.Writer, r io.Reader) error {
	p, err := newPNGReader(r)
	if err != nil {
		return err
	}
	p.noCRC = true // the caller checks the file's digest
	_, err = io.Copy(w, &idatReader{p: p})
	return err
}

// pngRowChecker counts inflated image bytes and checks each row's filter
// type without keeping the rows.
type pngRowChecker struct {
	stride, want, seen int64
}

func (c *pngRowChecker) Write(p []byte) (int, error) {
	if c.seen+int64(len(p)) > c.want {
		return 0, errors.New("image data longer than its rows")
	}
	for i := (c.stride - c.seen%c.stride) % c.stride; i < int64(len(p)); i += c.stride {
		if p[i] > 4 {
			return 0, errors.New("invalid row filter type")
		}
	}
	c.seen += int64(len(p))
	return len(p), nil
}

// pngReader reads a PNG chunk by chunk: next reads a chunk's length and
// type, Read its data, and finish (or the next call to next) checks its CRC.
type pngReader struct {
	r     *bufio.Reader
	noCRC bool // CRCs already checked (scanPNG): writeIDAT skips them
	kind  string
	left  int64 // data of the current chunk not read yet
	open  bool  // a chunk whose CRC is not read yet
	crc   hash.Hash32
	start int64 // offset of the current chunk
	off   int64 // bytes read
}

// errTruncated is a PNG that ends inside a chunk; rest is the number of
// bytes from that chunk's start to the end.
type errTruncated struct{ rest int64 }

func (e errTruncated) Error() string {
	if e.rest < 12 { // not even an empty chunk's length, type and CRC
		return "truncated before IEND"
	}
	return "chunk runs past the end"
}

func newPNGReader(r io.Reader) (*pngReader, error) {
	p := &pngReader{r: bufio.NewReaderSize(r, 64<<10), crc: crc32.NewIEEE()}
	sig := make([]byte, len(pngSignature))
	if _, err := io.ReadFull(p.r, sig); err != nil || !bytes.Equal(sig, pngSignature) {
		return nil, errors.New("no PNG signature")
	}
	p.off = int64(len(sig))
	return p, nil
}

// next finishes the current chunk and reads the next one's length and type.
func (p *pngReader) next() (kind string, n uint32, err error) {
	if err := p.finish(); err != nil {
		return "", 0, err
	}
	p.start = p.off
	var head [8]byte
	if err := p.readFull(head[:]); err != nil {
		return "", 0, err
	}
	n = binary.BigEndian.Uint32(head[:])
	p.kind, p.left, p.open = string(head[4:]), int64(n), true
	p.crc.Reset()
	p.crc.Write(head[4:])
	return p.kind, n, nil
}

// Read reads the current chunk's data.
func (p *pngReader) Read(b []byte) (int, error) {
	if p.left == 0 {
		return 0, io.EOF
	}
	n, err := p.r.Read(b[:min(int64(len(b)), p.left)])
	if !p.noCRC {
		p.crc.Write(b[:n])
	}
	p.left -= int64(n)
	p.off += int64(n)
	if err == io.EOF {
		err = p.truncated()
	}
	return n, err
}

// finish skips what is left of the current chunk's data and checks its CRC.
func (p *pngReader) finish() error {
	if !p.open {
		return nil
	}
	if _, err := io.Copy(io.Discard, p); err != nil {
		return err
	}
	var sum [4]byte
	if err := p.readFull(sum[:]); err != nil {
		return err
	}
	p.open = false
	if !p.noCRC && p.crc.Sum32() != binary.BigEndian.Uint32(sum[:]) {
		return errors.New("CRC mismatch in " + p.kind)
	}
	return nil
}

// wholeChunk reads the rest of a small chunk and returns it whole, CRC
// checked.
func (p *pngReader) wholeChunk() ([]byte, error) {
	chunk := binary.BigEndian.AppendUint32(nil, uint32(p.left))
	chunk = append(chunk, p.kind...)
	data, err := io.ReadAll(p)
	if err != nil {
		return nil, err
	}
	sum := p.crc.Sum32()
	if err := p.finish(); err != nil {
		return nil, err
	}
	return binary.BigEndian.AppendUint32(append(chunk, data...), sum), nil
}

func (p *pngReader) readFull(b []byte) error {
	n, err := io.ReadFull(p.r, b)
	p.off += int64(n)
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return p.truncated()
	}
	return err
}

// truncated is the error for an end of input inside the current chunk,
// with the bytes left from its start (the input is read to its end to
// count them: a limited reader stops reads at the size limit).
func (p *pngReader) truncated() error {
	n, err := io.Copy(io.Discard, p.r)
	if err != nil {
		return err
	}
	return errTruncated{rest: p.off + n - p.start}
}

// idatReader reads the data of a run of IDAT chunks as one stream, from
// the first IDAT chunk on.
type idatReader struct {
	p       *pngReader
	started bool
	done    bool
}

func (d *idatReader) Read(b []byte) (int, error) {
	for !d.done {
		if d.p.open && d.p.kind == "IDAT" && d.p.left > 0 {
			return d.p.Read(b)
		}
		kind, _, err := d.p.next()
		switch {
		case err != nil:
			return 0, err
		case kind == "IDAT":
			d.started = true
		case d.started || kind == "IEND":
			d.done = true
		}
	}
	return 0, io.EOF
}
