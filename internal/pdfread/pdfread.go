// Package pdfread reads just enough of a PDF to verify a sealed export: the
// cross-reference tables and trailers (incremental updates included) and
// the indirect objects they point to.
//
// It is not a general PDF parser, on purpose: the verifier is attacked by
// the files it reads. It refuses what the exporter never writes
// (cross-reference streams, object streams, indirect stream lengths) and
// what two readers could understand differently (duplicate dictionary
// keys, an object whose header does not match its cross-reference entry, a
// stream not followed by endstream), and it bounds every read: no object
// over MaxObjectSize bytes, no nesting deeper than 32, no more than 64
// updates.
//
// OpenResaved (resaved.go) is the one exception, for PDFs that another
// tool re-saved after signing: it also reads cross-reference streams,
// object streams and compressed streams, so that the bundle inside can
// still be verified; nothing it reads is taken as signed.
package pdfread

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
)

// MaxObjectSize bounds the bytes of one object, stream data excluded.
const MaxObjectSize = 1 << 20

const (
	maxDepth        = 32
	maxElements     = 1 << 16
	maxObjectNumber = 1 << 24
	maxSections     = 64
	maxEntries      = 1 << 20 // cross-reference entries in all sections
	firstWindow     = 4 << 10
	tailWindow      = 1024
)

type entry struct {
	off int64 // -1: free, or inside an object stream
	gen int
	// stream, when not 0, is the object stream holding the object, as its
	// index-th object (OpenResaved only).
	stream, index int
}

// File is a PDF opened through its cross-reference tables.
type File struct {
	r       io.ReaderAt
	size    int64
	xref    map[int]entry
	Trailer Dict // the newest trailer
	// StartXref is the offset of the newest cross-reference section (the
	// file's last startxref): where an incremental update's /Prev points.
	StartXref int64
	Updates   int // cross-reference sections read (1 + incremental updates)
	entries   int64
	resaved   bool // OpenResaved: PDF 1.5 structures accepted
	inLength  bool // reading an indirect /Length (OpenResaved)

	cachedStm int    // the object stream whose decoded data is cached
	cached    []byte // (OpenResaved)
}

// Open reads the cross-reference tables and trailers, newest first.
func Open(r io.ReaderAt, size int64) (*File, error) { return open(r, size, false) }

func open(r io.ReaderAt, size int64, resaved bool) (*File, error) {
	f := &File{r: r, size: size, xref: map[int]entry{}, resaved: resaved}
	head := make([]byte, 8)
	if size < 32 {
		return nil, errors.New("not a PDF: too short")
	}
	if _, err := r.ReadAt(head, 0); err != nil {
		return nil, err
	}
	if !bytes.HasPrefix(head, []byte("%PDF-1.")) && !bytes.HasPrefix(head, []byte("%PDF-2.")) {
		return nil, errors.New("not a PDF: no %PDF- header")
	}
	off, err := f.startxref()
	if err != nil {
		return nil, err
	}
	f.StartXref = off
	seen := map[int64]bool{}
	for {
		if seen[off] {
			return nil, fmt.Errorf("cross-reference /Prev loop at byte %d", off)
		}
		if len(seen) == maxSections {
			return nil, fmt.Errorf("more than %d cross-reference sections", maxSections)
		}
		seen[off] = true
		trailer, err := f.section(off)
		if err != nil {
			return nil, fmt.Errorf("cross-reference section at byte %d: %w", off, err)
		}
		if f.Trailer == nil {
			f.Trailer = trailer
		}
		f.Updates++
		if err := f.hybrid(trailer); err != nil {
			return nil, err
		}
		prev, ok := trailer["Prev"]
		if !ok {
			break
		}
		if off, ok = prev.(int64); !ok || off < 0 || off >= size {
			return nil, fmt.Errorf("trailer /Prev %v is not an offset in the file", prev)
		}
	}
	if _, ok := f.Trailer["Root"].(Ref); !ok {
		return nil, errors.New("trailer has no /Root reference")
	}
	return f, nil
}

// startxref finds the offset after the last "startxref" near the end.
func (f *File) startxref() (int64, error) {
	n := min(f.size, tailWindow)
	tail := make([]byte, n)
	if _, err := f.r.ReadAt(tail, f.size-n); err != nil && err != io.EOF {
		return 0, err
	}
	i := bytes.LastIndex(tail, []byte("startxref"))
	if i < 0 {
		return 0, fmt.Errorf("no startxref in the last %d bytes", n)
	}
	l := &lexer{b: tail[i+len("startxref"):], base: f.size - n + int64(i+len("startxref")), eof: true}
	v, err := l.value(0)
	off, ok := v.(int64)
	if err != nil || !ok || off <= 0 || off >= f.size {
		return 0, errors.New("startxref is not followed by an offset in the file")
	}
	return off, nil
}

// countingReader tells how far a bufio.Reader has consumed.
type countingReader struct {
	br  *bufio.Reader
	pos int64
}

func (c *countingReader) line(max int) (string, error) {
	var b []byte
	for len(b) <= max {
		ch, err := c.br.ReadByte()
		if err != nil {
			return "", err
		}
		c.pos++
		if ch == '\n' || ch == '\r' {
			if ch == '\r' {
				if nx, err := c.br.Peek(1); err == nil && nx[0] == '\n' {
					c.br.ReadByte()
					c.pos++
				}
			}
			return string(bytes.TrimRight(b, " \t")), nil
		}
		b = append(b, ch)
	}
	return "", errors.New("line too long")
}

// section reads one classic cross-reference table and its trailer, adding
// the entries that newer sections did not set.
func (f *File) section(off int64) (Dict, error) {
	c := &countingReader{br: bufio.NewReaderSize(io.NewSectionReader(f.r, off, f.size-off), 4096)}
	first, err := c.line(64)
	if err != nil {
		return nil, err
	}
	if first != "xref" {
		if bytes.HasSuffix([]byte(first), []byte(" obj")) {
			if f.resaved {
				return f.xrefStream(off)
			}
			return nil, errors.New("cross-reference streams are not supported")
		}
		return nil, fmt.Errorf("want xref, found %q", truncate(first))
	}
	budget := min((f.size-off)/20, maxEntries-f.entries) // entries are 20 bytes
	for {
		for {
			b, err := c.br.Peek(1)
			if err != nil {
				return nil, err
			}
			if !isSpace(b[0]) {
				break
			}
			c.br.ReadByte()
			c.pos++
		}
		if b, _ := c.br.Peek(7); string(b) == "trailer" {
			c.br.Discard(7)
			c.pos += 7
			var d Dict
			err := f.parseAt(off+c.pos, func(l *lexer) error {
				v, err := l.value(0)
				if err != nil {
					return err
				}
				var ok bool
				if d, ok = v.(Dict); !ok {
					return l.errorf("trailer is not a dictionary")
				}
				return nil
			})
			return d, err
		}
		hdr, err := c.line(64)
		if err != nil {
			return nil, err
		}
		var start, count int64
		if n, err := fmt.Sscanf(hdr, "%d %d", &start, &count); n != 2 || err != nil || start < 0 || count < 0 ||
			start+count > maxObjectNumber || count > budget {
			return nil, fmt.Errorf("bad subsection header %q", truncate(hdr))
		}
		budget -= count
		f.entries += count
		var e [20]byte
		for i := range count {
			if _, err := io.ReadFull(c.br, e[:]); err != nil {
				return nil, err
			}
			c.pos += 20
			ent, err := parseEntry(e)
			if err != nil {
				return nil, fmt.Errorf("entry for object %d: %w", start+i, err)
			}
			num := int(start + i)
			if _, newer := f.xref[num]; !newer && num != 0 {
				f.xref[num] = ent
			}
		}
	}
}

func parseEntry(e [20]byte) (entry, error) {
	eol := string(e[18:])
	if e[10] != ' ' || e[16] != ' ' || (eol != " \n" && eol != " \r" && eol != "\r\n") {
		return entry{}, fmt.Errorf("malformed %q", e[:])
	}
	off, err1 := strconv.ParseInt(string(e[:10]), 10, 64)
	gen, err2 := strconv.Atoi(string(e[11:16]))
	if err1 != nil || err2 != nil || off < 0 || gen < 0 {
		return entry{}, fmt.Errorf("malformed %q", e[:])
	}
	switch e[17] {
	case 'n':
		return entry{off: off, gen: gen}, nil
	case 'f':
		return entry{off: -1, gen: gen}, nil
	}
	return entry{}, fmt.Errorf("malformed %q", e[:])
}

// parseAt runs parse over a window of the file at off, widening it (4 KiB,
// 64 KiB, then MaxObjectSize) while the object does not fit.
func (f *File) parseAt(off int64, parse func(*lexer) error) error {
	if off < 0 || off >= f.size {
		return fmt.Errorf("offset %d outside the file", off)
	}
	for _, w := range []int64{firstWindow, 64 << 10, MaxObjectSize} {
		n := min(w, f.size-off)
		buf := make([]byte, n)
		if _, err := f.r.ReadAt(buf, off); err != nil && err != io.EOF {
			return err
		}
		err := parse(&lexer{b: buf, base: off, eof: off+n == f.size})
		if err != errShort {
			return err
		}
	}
	return fmt.Errorf("object at byte %d is larger than %d bytes", off, MaxObjectSize)
}

// DefinedBefore returns the numbers of the objects whose newest entry is
// in use at an offset before off (the first revision, for off its
// length), in increasing order.
func (f *File) DefinedBefore(off int64) []int {
	var nums []int
	for num, e := range f.xref {
		if e.off >= 0 && e.off < off && e.stream == 0 {
			nums = append(nums, num)
		}
	}
	slices.Sort(nums)
	return nums
}

// Entry returns the newest cross-reference entry of object num: its
// offset (-1 when the entry is free), its generation, and whether any
// table lists it.
func (f *File) Entry(num int) (off int64, gen int, listed bool) {
	e, ok := f.xref[num]
	return e.off, e.gen, ok
}

// Get reads the indirect object ref: its value, or a *Stream.
func (f *File) Get(ref Ref) (Object, error) {
	e, ok := f.xref[ref.Num]
	if ok && e.stream != 0 {
		return f.fromObjectStream(ref, e)
	}
	if !ok || e.off < 0 {
		return nil, fmt.Errorf("object %d %d R is not in the cross-reference table", ref.Num, ref.Gen)
	}
	if e.gen != ref.Gen {
		return nil, fmt.Errorf("object %d %d R: the cross-reference table has generation %d", ref.Num, ref.Gen, e.gen)
	}
	var obj Object
	err := f.parseAt(e.off, func(l *lexer) error {
		var err error
		obj, err = f.indirect(l, ref)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("object %d %d R: %w", ref.Num, ref.Gen, err)
	}
	return obj, nil
}

func (f *File) indirect(l *lexer, ref Ref) (Object, error) {
	for _, want := range []int64{int64(ref.Num), int64(ref.Gen)} {
		v, err := l.value(0)
		if err != nil {
			return nil, err
		}
		if v != want {
			return nil, l.errorf("object header %v does not match the cross-reference entry %d %d", v, ref.Num, ref.Gen)
		}
	}
	if err := l.keyword("obj"); err != nil {
		return nil, err
	}
	v, err := l.value(0)
	if err != nil {
		return nil, err
	}
	l.skip()
	if err := l.more(); err != nil {
		return nil, err
	}
	w, err := l.word()
	if err != nil {
		return nil, err
	}
	switch w {
	case "endobj":
		return v, nil
	case "stream":
		d, ok := v.(Dict)
		if !ok {
			return nil, l.errorf("stream without a dictionary")
		}
		return f.stream(l, d)
	}
	return nil, l.errorf("want endobj, found %q", truncate(w))
}

// stream checks the stream's framing: "stream" EOL, /Length bytes,
// optional EOL, "endstream", "endobj".
func (f *File) stream(l *lexer, d Dict) (*Stream, error) {
	switch {
	case l.pos+1 < len(l.b) && l.b[l.pos] == '\r' && l.b[l.pos+1] == '\n':
		l.pos += 2
	case l.pos < len(l.b) && l.b[l.pos] == '\n':
		l.pos++
	case l.pos+1 >= len(l.b) && !l.eof:
		return nil, errShort
	default:
		return nil, l.errorf("stream keyword not followed by an end of line")
	}
	n, ok := d["Length"].(int64)
	if ref, isRef := d["Length"].(Ref); isRef && f.resaved {
		n, ok = f.indirectLength(ref)
	}
	if !ok {
		return nil, l.errorf("stream /Length is not a direct integer")
	}
	s := &Stream{Dict: d, Offset: l.offset(), Length: n}
	if n < 0 || n > f.size-s.Offset {
		return nil, l.errorf("stream /Length %d runs past the end of the file", n)
	}
	return s, f.parseAt(s.Offset+n, func(l *lexer) error {
		if err := l.keyword("endstream"); err != nil {
			return fmt.Errorf("stream data not followed by endstream (wrong /Length?): %w", err)
		}
		return l.keyword("endobj")
	})
}

// Resolve follows a reference; any other object is returned as is.
func (f *File) Resolve(o Object) (Object, error) {
	if r, ok := o.(Ref); ok {
		return f.Get(r)
	}
	return o, nil
}

// Dict resolves o and requires a dictionary; what names o in errors.
func (f *File) Dict(o Object, what string) (Dict, error) {
	v, err := f.Resolve(o)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	d, ok := v.(Dict)
	if !ok {
		return nil, fmt.Errorf("%s is not a dictionary", what)
	}
	return d, nil
}

// Array resolves o and requires an array.
func (f *File) Array(o Object, what string) (Array, error) {
	v, err := f.Resolve(o)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	a, ok := v.(Array)
	if !ok {
		return nil, fmt.Errorf("%s is not an array", what)
	}
	return a, nil
}
