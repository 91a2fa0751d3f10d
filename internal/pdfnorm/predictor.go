package pdfnorm

import (
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/custody-toolkit/custody/internal/pngrows"
)

// predictor is a PNG predictor's /DecodeParms (ISO 32000-1, 7.4.4.4).
type predictor struct {
	colors, bits, columns int
}

// maxRow bounds an image row (two are held while un-predicting).
const maxRow = 16 << 20

func parsePredictor(body []byte) (*predictor, error) {
	p := &predictor{colors: 1, bits: 8, columns: 1}
	seen := map[string]bool{}
	for rest := body; len(rest) > 0; {
		m := parmsEntry.FindSubmatchIndex(rest)
		if m == nil {
			if len(trimSpace(rest)) == 0 {
				break
			}
			return nil, fmt.Errorf("unexpected %.20q", rest)
		}
		key, v := string(rest[m[2]:m[3]]), string(rest[m[4]:m[5]])
		if seen[key] {
			return nil, fmt.Errorf("/%s twice", key)
		}
		seen[key] = true
		val, _ := strconv.Atoi(v)
		switch key {
		case "Predictor":
			if val < 10 || val > 15 {
				return nil, fmt.Errorf("/Predictor %d is not a PNG predictor", val)
			}
		case "Colors":
			p.colors = val
		case "BitsPerComponent":
			p.bits = val
		case "Columns":
			p.columns = val
		}
		rest = rest[m[1]:]
	}
	if !seen["Predictor"] {
		return nil, errors.New("no /Predictor")
	}
	return checkPredictor(*p)
}

// checkPredictor refuses what the normaliser does not un-predict.
func checkPredictor(pr predictor) (*predictor, error) {
	p := &pr
	switch {
	case p.colors < 1 || p.colors > 4:
		return nil, fmt.Errorf("/Colors %d", p.colors)
	case p.bits != 1 && p.bits != 2 && p.bits != 4 && p.bits != 8 && p.bits != 16:
		return nil, fmt.Errorf("/BitsPerComponent %d", p.bits)
	case p.columns < 1 || int64(p.columns)*int64(p.colors*p.bits) > 8*maxRow:
		return nil, fmt.Errorf("/Columns %d", p.columns)
	}
	return p, nil
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t' || b[0] == '\r' || b[0] == '\n') {
		b = b[1:]
	}
	return b
}

// rowBytes is the size of a row of samples, without its filter byte.
func (p *predictor) rowBytes() int { return (p.columns*p.colors*p.bits + 7) / 8 }

// rowsSize is the size of rows rows un-predicted: what a hash of them is
// told to expect (inflatedHash), -1 when their number is not known (0).
func (p *predictor) rowsSize(rows int64) int64 {
	if rows <= 0 {
		return -1
	}
	return rows * int64(p.rowBytes())
}

// pixelBytes is the distance to the byte "to the left" (at least 1).
func (p *predictor) pixelBytes() int { return max(1, p.colors*p.bits/8) }

// unpredictor is a writer that takes PNG-predicted rows (a filter type
// byte, then the filtered row) and writes the raw rows to dst. Its buffers
// are reused from one image to the next.
type unpredictor struct {
	dst       io.Writer
	bpp       int
	cur, prev []byte // cur[0] is the filter type
	fill      int
}

func (u *unpredictor) reset(p *predictor, dst io.Writer) {
	u.dst, u.bpp, u.fill = dst, p.pixelBytes(), 0
	n := p.rowBytes()
	if cap(u.cur) < n+1 {
		u.cur, u.prev = make([]byte, n+1), make([]byte, n+1)
	}
	u.cur, u.prev = u.cur[:n+1], u.prev[:n+1]
	clear(u.prev)
}

func (u *unpredictor) Write(p []byte) (int, error) {
	written := 0
	for len(p) > 0 {
		k := copy(u.cur[u.fill:], p)
		u.fill += k
		p = p[k:]
		written += k
		if u.fill < len(u.cur) {
			break
		}
		if err := u.row(); err != nil {
			return written, err
		}
	}
	return written, nil
}

// row un-filters the full row in cur against prev and writes it.
func (u *unpredictor) row() error {
	if err := pngrows.Unfilter(u.cur[0], u.cur[1:], u.prev[1:], u.bpp); err != nil {
		return err
	}
	u.fill = 0
	u.cur, u.prev = u.prev, u.cur
	_, err := u.dst.Write(u.prev[1:])
	return err
}

// finish reports a partial last row.
func (u *unpredictor) finish() error {
	if u.fill != 0 {
		return fmt.Errorf("predicted image data ends within a row (%d of %d bytes)", u.fill, len(u.cur))
	}
	return nil
}
