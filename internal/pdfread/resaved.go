package pdfread

import (
	"bufio"
	"compress/zlib"
	"errors"
	"fmt"
	"io"

	"github.com/custody-toolkit/custody/internal/pngrows"
)

// Reading a PDF as other tools save it.
//
// Open reads only what the exporter writes. A standalone PDF re-saved by a
// PDF tool (qpdf, a viewer's "Save as", a document system) is rewritten
// whole, with the structures of PDF 1.5: cross-reference streams, objects
// inside object streams, compressed streams. OpenResaved reads those too,
// so that the verifier can still find and check the bundle such a PDF
// carries; nothing read this way is trusted as signed (the bundle's own
// seal is what is checked). Every read stays bounded: decoded
// cross-reference and object streams are capped (maxDecoded), and the
// limits of Open apply.

// maxDecoded bounds a decoded cross-reference or object stream held in
// memory: qpdf puts 100 objects in an object stream; a cross-reference
// stream of maxEntries entries of up to 20 bytes fits too.
const maxDecoded = 32 << 20

// OpenResaved opens a PDF as Open does, and also accepts cross-reference
// streams, hybrid files (/XRefStm), objects in object streams and
// indirect stream lengths.
func OpenResaved(r io.ReaderAt, size int64) (*File, error) {
	return open(r, size, true)
}

// xrefStream reads the cross-reference stream at off (ISO 32000-1
// §7.5.8), adding the entries that newer sections did not set, and returns
// its dictionary, which serves as the trailer.
func (f *File) xrefStream(off int64) (Dict, error) {
	obj, err := f.objectAt(off)
	if err != nil {
		return nil, err
	}
	s, ok := obj.(*Stream)
	if !ok || nameOf(s.Dict["Type"]) != "XRef" {
		return nil, errors.New("not a cross-reference table or stream")
	}
	widths, err := intArray(s.Dict["W"], "/W")
	if err != nil || len(widths) != 3 {
		return nil, errors.New("cross-reference stream /W is not 3 integers")
	}
	rowLen := 0
	for _, w := range widths {
		if w < 0 || w > 8 {
			return nil, errors.New("cross-reference stream /W holds a width outside 0..8")
		}
		rowLen += int(w)
	}
	index, err := xrefIndex(s.Dict)
	if err != nil {
		return nil, err
	}
	data, err := f.decodeAll(s, maxDecoded)
	if err != nil {
		return nil, fmt.Errorf("cross-reference stream: %w", err)
	}
	for i := 0; i+1 < len(index); i += 2 {
		start, count := index[i], index[i+1]
		if start < 0 || count < 0 || start+count > maxObjectNumber || f.entries+count > maxEntries || int64(len(data)) < count*int64(rowLen) {
			return nil, fmt.Errorf("cross-reference stream subsection %d %d does not fit its data", start, count)
		}
		f.entries += count
		for n := range count {
			row := data[:rowLen]
			data = data[rowLen:]
			num := int(start + n)
			if _, newer := f.xref[num]; !newer && num != 0 {
				f.xref[num] = streamEntry(row, widths)
			}
		}
	}
	return s.Dict, nil
}

// xrefIndex is a cross-reference stream's /Index, by default [0 /Size].
func xrefIndex(d Dict) ([]int64, error) {
	if _, ok := d["Index"]; !ok {
		size, ok := d["Size"].(int64)
		if !ok {
			return nil, errors.New("cross-reference stream has no /Size")
		}
		return []int64{0, size}, nil
	}
	index, err := intArray(d["Index"], "/Index")
	if err != nil || len(index)%2 != 0 {
		return nil, errors.New("cross-reference stream /Index is not pairs of integers")
	}
	return index, nil
}

// streamEntry decodes one row of a cross-reference stream: type 0 free,
// 1 at an offset, 2 inside an object stream (the type defaults to 1 when
// its width is 0).
func streamEntry(row []byte, widths []int64) entry {
	var fields [3]int64
	fields[0] = 1
	for i, w := range widths {
		if w == 0 {
			continue
		}
		fields[i] = 0
		for _, c := range row[:w] {
			fields[i] = fields[i]<<8 | int64(c)
		}
		row = row[w:]
	}
	switch fields[0] {
	case 1:
		return entry{off: fields[1], gen: int(fields[2])}
	case 2:
		return entry{off: -1, stream: int(fields[1]), index: int(fields[2])}
	}
	return entry{off: -1}
}

func intArray(o Object, what string) ([]int64, error) {
	a, ok := o.(Array)
	if !ok {
		return nil, fmt.Errorf("%s is not an array", what)
	}
	out := make([]int64, len(a))
	for i, v := range a {
		if out[i], ok = v.(int64); !ok {
			return nil, fmt.Errorf("%s holds a non-integer", what)
		}
	}
	return out, nil
}

func nameOf(o Object) Name { n, _ := o.(Name); return n }

// objectAt reads the indirect object whose header is at off, whatever its
// number.
func (f *File) objectAt(off int64) (Object, error) {
	var obj Object
	err := f.parseAt(off, func(l *lexer) error {
		num, err := l.value(0)
		if err != nil {
			return err
		}
		gen, err := l.value(0)
		if err != nil {
			return err
		}
		n, ok1 := num.(int64)
		g, ok2 := gen.(int64)
		if !ok1 || !ok2 || n < 0 || n > maxObjectNumber || g < 0 || g > 65535 {
			return l.errorf("not an object header")
		}
		l.pos = 0
		obj, err = f.indirect(l, Ref{Num: int(n), Gen: int(g)})
		return err
	})
	return obj, err
}

// fromObjectStream reads object ref, stored as the index-th object of an
// object stream (ISO 32000-1 §7.5.7).
func (f *File) fromObjectStream(ref Ref, e entry) (Object, error) {
	if ref.Gen != 0 {
		return nil, fmt.Errorf("object %d %d R: objects in object streams have generation 0", ref.Num, ref.Gen)
	}
	if holder := f.xref[e.stream]; holder.stream != 0 {
		return nil, fmt.Errorf("object stream %d is itself inside an object stream", e.stream)
	}
	data, first, n, err := f.objectStream(e.stream)
	if err != nil {
		return nil, fmt.Errorf("object %d 0 R, in object stream %d: %w", ref.Num, e.stream, err)
	}
	if e.index < 0 || int64(e.index) >= n {
		return nil, fmt.Errorf("object %d 0 R: index %d outside object stream %d", ref.Num, e.index, e.stream)
	}
	head := &lexer{b: data[:first], eof: true}
	var num, off int64
	for i := 0; i <= e.index; i++ {
		a, err1 := head.value(0)
		b, err2 := head.value(0)
		var ok1, ok2 bool
		num, ok1 = a.(int64)
		off, ok2 = b.(int64)
		if err1 != nil || err2 != nil || !ok1 || !ok2 {
			return nil, fmt.Errorf("object stream %d: malformed header", e.stream)
		}
	}
	if num != int64(ref.Num) || off < 0 || first+off >= int64(len(data)) {
		return nil, fmt.Errorf("object stream %d: entry %d is object %d, not %d", e.stream, e.index, num, ref.Num)
	}
	return (&lexer{b: data[first+off:], eof: true}).value(0)
}

// objectStream returns the decoded data of object stream num, its /First
// and /N; the last one read is kept, since the objects a verification
// reads tend to share one.
func (f *File) objectStream(num int) ([]byte, int64, int64, error) {
	obj, err := f.Get(Ref{Num: num})
	if err != nil {
		return nil, 0, 0, err
	}
	s, ok := obj.(*Stream)
	if !ok || nameOf(s.Dict["Type"]) != "ObjStm" {
		return nil, 0, 0, errors.New("not an object stream")
	}
	first, ok1 := s.Dict["First"].(int64)
	n, ok2 := s.Dict["N"].(int64)
	if !ok1 || !ok2 || first < 0 || n < 0 {
		return nil, 0, 0, errors.New("object stream /First or /N is not a non-negative integer")
	}
	if f.cachedStm != num || f.cached == nil {
		if f.cached, err = f.decodeAll(s, maxDecoded); err != nil {
			return nil, 0, 0, err
		}
		f.cachedStm = num
	}
	if first > int64(len(f.cached)) {
		return nil, 0, 0, errors.New("object stream /First is past its data")
	}
	return f.cached, first, n, nil
}

func (f *File) decodeAll(s *Stream, limit int64) ([]byte, error) {
	rd, err := f.Decode(s)
	if err != nil {
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(rd, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("decodes to more than %d bytes", limit)
	}
	return data, nil
}

// Decode returns a reader of a stream's decoded data: unfiltered, or
// /FlateDecode, with the PNG predictors cross-reference streams use. Other
// filters are an error (ErrFilter); the caller bounds what it reads.
func (f *File) Decode(s *Stream) (io.Reader, error) {
	raw := io.NewSectionReader(f.r, s.Offset, s.Length)
	filter, params := s.Dict["Filter"], s.Dict["DecodeParms"]
	if a, ok := filter.(Array); ok && len(a) == 1 {
		filter = a[0]
		if p, ok := params.(Array); ok && len(p) == 1 {
			params = p[0]
		}
	}
	switch {
	case filter == nil:
		return raw, nil
	case nameOf(filter) != "FlateDecode":
		return nil, fmt.Errorf("%w: %v", ErrFilter, filter)
	}
	z, err := zlib.NewReader(bufio.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("/FlateDecode: %w", err)
	}
	p, _ := params.(Dict)
	return predictor(z, p)
}

// ErrFilter: a stream filter this reader does not decode.
var ErrFilter = errors.New("unsupported stream filter")

// predictor undoes a /DecodeParms /Predictor: none (1), or PNG (10–15),
// row by row.
func predictor(rd io.Reader, p Dict) (io.Reader, error) {
	pred, _ := p["Predictor"].(int64)
	if pred <= 1 {
		return rd, nil
	}
	if pred < 10 || pred > 15 {
		return nil, fmt.Errorf("%w: predictor %d", ErrFilter, pred)
	}
	param := func(k Name, def int64) int64 {
		if v, ok := p[k].(int64); ok {
			return v
		}
		return def
	}
	colors, bpc, columns := param("Colors", 1), param("BitsPerComponent", 8), param("Columns", 1)
	rowLen := (colors*bpc*columns + 7) / 8
	if colors < 1 || colors > 32 || bpc < 1 || bpc > 16 || columns < 1 || rowLen > maxRow {
		return nil, fmt.Errorf("%w: predictor parameters", ErrFilter)
	}
	bpp := int((colors*bpc + 7) / 8)
	return &pngReader{rd: rd, bpp: bpp, prev: make([]byte, rowLen), cur: make([]byte, 1+rowLen)}, nil
}

// maxRow bounds a predicted row: a cross-reference stream's is at most 24
// bytes, an image's a few KiB.
const maxRow = 1 << 16

// pngReader decodes PNG-predicted rows (RFC 2083 §6).
type pngReader struct {
	rd        io.Reader
	bpp       int
	prev, cur []byte
	out       []byte
}

func (r *pngReader) Read(b []byte) (int, error) {
	for len(r.out) == 0 {
		if _, err := io.ReadFull(r.rd, r.cur); err != nil {
			if err == io.ErrUnexpectedEOF {
				err = errors.New("PNG predictor: truncated row")
			}
			return 0, err
		}
		row := r.cur[1:]
		if err := pngrows.Unfilter(r.cur[0], row, r.prev, r.bpp); err != nil {
			return 0, fmt.Errorf("PNG predictor: %w", err)
		}
		copy(r.prev, row)
		r.out = r.prev // consumed before the next row overwrites it
	}
	n := copy(b, r.out)
	r.out = r.out[n:]
	return n, nil
}

// hybrid reads the cross-reference stream a classic trailer points to with
// /XRefStm (a hybrid file, ISO 32000-1 §7.5.8.4): Open refuses it.
func (f *File) hybrid(trailer Dict) error {
	o, ok := trailer["XRefStm"]
	if !ok {
		return nil
	}
	off, isInt := o.(int64)
	switch {
	case !f.resaved:
		return errors.New("hybrid cross-reference (/XRefStm) not supported")
	case !isInt || off <= 0 || off >= f.size:
		return fmt.Errorf("trailer /XRefStm %v is not an offset in the file", o)
	}
	_, err := f.xrefStream(off)
	return err
}

// indirectLength reads a stream's /Length given as an indirect integer.
func (f *File) indirectLength(ref Ref) (int64, bool) {
	if f.inLength { // a length that is itself a stream with an indirect length
		return 0, false
	}
	f.inLength = true
	defer func() { f.inLength = false }()
	v, err := f.Get(ref)
	n, ok := v.(int64)
	return n, err == nil && ok
}
