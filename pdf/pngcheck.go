package pdf

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
)

// pngEmbeddableAsIs is the check that stands in for decoding a PNG the PDF
// writer embeds as it is (gopdf copies its IDAT data into the PDF with a
// PNG predictor): 1 to 8 bits a sample, grey, RGB or palette colour, not
// interlaced, no transparency. It reports false with no reason for a PNG
// that must be decoded instead, and a reason for a corrupt one.
//
// It checks what a viewer relies on: the chunk structure and every CRC,
// a sane IHDR, one run of IDAT chunks, IEND last, and that the image data
// inflates to exactly the declared rows, each with a valid filter type.
// Inflating costs a fraction of decoding (no pixels are built, nothing is
// re-encoded), and it means a verifier's normalisation of the rendering
// (internal/pdfnorm) reads the embedded data as surely as the exporter did.
func pngEmbeddableAsIs(data []byte) (ok bool, reason string) {
	hdr, idat, err := pngChunks(data)
	if err != nil {
		return false, "corrupt image (" + err.Error() + ")"
	}
	if hdr.interlaced || hdr.alpha() || hdr.decodeFirst || hdr.depth > 8 {
		return false, ""
	}
	if err := checkPNGRows(idat, hdr); err != nil {
		return false, "corrupt image (" + err.Error() + ")"
	}
	return true, ""
}

type pngHeader struct {
	width, height int
	depth, colour byte
	interlaced    bool
	decodeFirst   bool // transparency (tRNS), or a chunk gopdf misreads
}

func (h pngHeader) alpha() bool { return h.colour == 4 || h.colour == 6 }

// samples is the number of samples a pixel has.
func (h pngHeader) samples() int {
	return map[byte]int{0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[h.colour]
}

// validDepths are the bit depths PNG allows for each colour type.
var validDepths = map[byte][]byte{0: {1, 2, 4, 8, 16}, 2: {8, 16}, 3: {1, 2, 4, 8}, 4: {8, 16}, 6: {8, 16}}

var pngSignature = []byte("\x89PNG\r\n\x1a\n")

// pngChunks walks the chunks, checking each CRC, and returns the header
// and the IDAT data. A chunk of no data other than IEND makes the PNG one
// to decode: gopdf stops reading chunks at the first.
func pngChunks(data []byte) (pngHeader, []byte, error) {
	var h pngHeader
	if !bytes.HasPrefix(data, pngSignature) {
		return h, nil, errors.New("no PNG signature")
	}
	var idat []byte
	idatDone, seenHeader, seenPalette := false, false, false
	for rest := data[len(pngSignature):]; ; {
		if len(rest) < 12 {
			return h, nil, errors.New("truncated before IEND")
		}
		n := binary.BigEndian.Uint32(rest)
		if uint64(n) > uint64(len(rest)-12) {
			return h, nil, errors.New("chunk runs past the end")
		}
		kind, body := string(rest[4:8]), rest[8:8+n]
		if crc32.ChecksumIEEE(rest[4:8+n]) != binary.BigEndian.Uint32(rest[8+n:]) {
			return h, nil, errors.New("CRC mismatch in " + kind)
		}
		rest = rest[12+n:]
		if n == 0 && kind != "IEND" {
			h.decodeFirst = true
		}
		switch {
		case !seenHeader && kind != "IHDR":
			return h, nil, errors.New("IHDR is not first")
		case kind == "IHDR":
			if seenHeader {
				return h, nil, errors.New("two IHDR")
			}
			var err error
			if h, err = parseIHDR(body); err != nil {
				return h, nil, err
			}
			seenHeader = true
		case kind == "PLTE":
			seenPalette = true
		case kind == "tRNS":
			h.decodeFirst = true
		case kind == "IDAT":
			if idatDone {
				return h, nil, errors.New("IDAT chunks not consecutive")
			}
			idat = append(idat, body...)
		case kind == "IEND":
			if len(idat) == 0 || h.colour == 3 && !seenPalette {
				return h, nil, errors.New("no image data or no palette")
			}
			return h, idat, nil
		}
		if kind != "IDAT" && len(idat) > 0 {
			idatDone = true
		}
	}
}

func parseIHDR(b []byte) (pngHeader, error) {
	if len(b) != 13 {
		return pngHeader{}, errors.New("IHDR of the wrong length")
	}
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

// checkPNGRows inflates the image data (the zlib stream must end with the
// data: the PDF writer embeds all of it) and checks it is exactly the
// declared rows, each starting with a filter type 0 to 4.
func checkPNGRows(data []byte, h pngHeader) error {
	idat := bytes.NewReader(data) // an io.ByteReader: inflating reads no further than its stream
	zr, err := zlib.NewReader(idat)
	if err != nil {
		return errors.New("image data is not zlib data")
	}
	stride := int64((h.width*h.samples()*int(h.depth)+7)/8) + 1
	rows := &pngRowChecker{stride: stride, want: stride * int64(h.height)}
	if _, err := io.Copy(rows, zr); err != nil {
		return err
	}
	if rows.seen != rows.want {
		return errors.New("image data shorter than its rows")
	}
	if idat.Len() != 0 {
		return errors.New("data after the compressed image data")
	}
	return nil
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
