// Package pdfpack compresses the page content of a PDF written uncompressed
// by gopdf, streaming, with one reused compressor.
//
// gopdf deflates each page with a fresh zlib writer, about 1 MB of
// allocations per page: a 1,300-page record churns through gigabytes and
// the garbage collector's headroom pushes the process past 150 MB. Writing
// uncompressed and deflating here keeps memory flat. The rewrite relies on
// the layout gopdf writes (one "N 0 obj" line per object, "stream" and
// "endobj" on lines of their own, a classic xref table), and fails rather
// than guess when the input differs.
//
// Pack also puts image data into the PDF that gopdf never held: the
// renderer hands gopdf a small stub image for each embedded image and tells
// Pack, by object number, which stream to replace with the real bytes,
// streamed from the attachment (see Substitute). An object is chosen by its
// number, never by its content, so no attachment's bytes can pose as a
// stub; and the stub gopdf wrote must be exactly the one expected, so a
// mismatch between object numbers and images is an error, never a wrong
// PDF.
package pdfpack

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
)

var (
	objLine = regexp.MustCompile(`^(\d+) 0 obj\n$`)
	length  = regexp.MustCompile(`/Length\s+(\d+)`)
)

// maxObjects bounds the xref table built from object numbers in the input.
const maxObjects = 1 << 20

// Deflate copies the PDF read from r to w, deflating every stream that has
// no /Filter and rewriting the cross-reference table for the new offsets.
func Deflate(w io.Writer, r io.Reader) error {
	return Pack(w, r, nil)
}

// Substitute is the real content of one stream that gopdf wrote as a stub.
type Substitute struct {
	Stub   []byte                  // the stream gopdf writes; any other is an error
	Length int64                   // bytes Write writes
	Write  func(w io.Writer) error // writes the stream's content
}

// Pack is Deflate that also replaces the stream of each object numbered in
// subs (a filtered stream: image data goes in as it is) with the
// Substitute's content, and fails if one of them is not in the input.
func Pack(w io.Writer, r io.Reader, subs map[int]Substitute) error {
	p := packer{subs: subs}
	p.zw, _ = zlib.NewWriterLevel(&p.zbuf, zlib.DefaultCompression)
	return p.pack(w, r)
}

// PackUncompressed is Pack that leaves the streams without a filter as
// they are: its output is Pack's but for those streams' encoding (their
// data, /Length, and no "/Filter /FlateDecode"), so that once every stream
// is inflated (internal/pdfnorm) both are the same. It is what a verifier
// compares with, sparing the compression, the dearest part of rendering.
func PackUncompressed(w io.Writer, r io.Reader, subs map[int]Substitute) error {
	p := packer{subs: subs}
	return p.pack(w, r)
}

func (p *packer) pack(w io.Writer, r io.Reader) error {
	p.in, p.out = bufio.NewReaderSize(r, 64<<10), &countingWriter{w: bufio.NewWriterSize(w, 64<<10)}
	if err := p.run(); err != nil {
		return fmt.Errorf("pdfpack: %w", err)
	}
	return p.out.w.(*bufio.Writer).Flush()
}

type packer struct {
	in      *bufio.Reader
	out     *countingWriter
	offsets []int64      // by object number; 0 = not seen
	zw      *zlib.Writer // nil: streams stay uncompressed (PackUncompressed)
	zbuf    bytes.Buffer
	raw     bytes.Buffer
	subs    map[int]Substitute
	done    int // substitutions made
}

func (p *packer) run() error {
	for {
		line, err := p.in.ReadString('\n')
		if err != nil {
			return errors.New("input ends before its trailer")
		}
		switch {
		case objLine.MatchString(line):
			n, _ := strconv.Atoi(objLine.FindStringSubmatch(line)[1])
			if n <= 0 || n > maxObjects {
				return fmt.Errorf("object number %d out of range", n)
			}
			for len(p.offsets) <= n {
				p.offsets = append(p.offsets, 0)
			}
			p.offsets[n] = p.out.n
			p.out.put(line)
			if err := p.object(n); err != nil {
				return fmt.Errorf("object %d: %w", n, err)
			}
		case line == "xref\n":
			if p.done != len(p.subs) {
				return fmt.Errorf("%d of %d image objects to fill in were not found", len(p.subs)-p.done, len(p.subs))
			}
			return p.xref()
		default:
			p.out.put(line)
		}
		if p.out.err != nil {
			return p.out.err
		}
	}
}

// object copies object n after its "N 0 obj" line, deflating its stream
// if it has one without a filter.
func (p *packer) object(n int) error {
	var dict strings.Builder
	for {
		line, err := p.in.ReadString('\n')
		if err != nil {
			return errors.New("unterminated object")
		}
		switch line {
		case "endobj\n":
			p.out.put(dict.String())
			p.out.put(line)
			return nil
		case "stream\n":
			if sub, ok := p.subs[n]; ok {
				return p.substitute(dict.String(), sub)
			}
			return p.stream(dict.String())
		}
		dict.WriteString(line)
		if dict.Len() > 1<<20 {
			return errors.New("object dictionary over 1 MB")
		}
	}
}

// streamLength finds a stream dictionary's /Length: the span of the
// entry in dict, and its value.
func streamLength(dict string) ([]int, int64, error) {
	m := length.FindStringSubmatchIndex(dict)
	if m == nil {
		return nil, 0, errors.New("stream without /Length")
	}
	n, err := strconv.ParseInt(dict[m[2]:m[3]], 10, 64)
	if err != nil {
		return nil, 0, fmt.Errorf("bad /Length: %w", err)
	}
	return m, n, nil
}

func (p *packer) stream(dict string) error {
	m, n, err := streamLength(dict)
	if err != nil {
		return err
	}
	if strings.Contains(dict, "/Filter") {
		p.out.put(dict)
		p.out.put("stream\n")
		if _, err := io.CopyN(p.out, p.in, n); err != nil {
			return fmt.Errorf("stream shorter than its /Length: %w", err)
		}
	} else {
		p.raw.Reset()
		if _, err := io.CopyN(&p.raw, p.in, n); err != nil {
			return fmt.Errorf("stream shorter than its /Length: %w", err)
		}
		data, filter := p.raw.Bytes(), "" // PackUncompressed: the same dictionary, without the filter
		if p.zw != nil {
			p.zbuf.Reset()
			p.zw.Reset(&p.zbuf)
			p.zw.Write(data)
			if err := p.zw.Close(); err != nil {
				return err
			}
			data, filter = p.zbuf.Bytes(), "/Filter /FlateDecode"
		}
		p.out.put(dict[:m[0]])
		fmt.Fprintf(p.out, "/Length %d\n%s", len(data), filter)
		p.out.put(dict[m[1]:])
		p.out.put("stream\n")
		p.out.Write(data)
	}
	return p.endObject()
}

// substitute writes sub's content in place of the stub stream gopdf wrote.
func (p *packer) substitute(dict string, sub Substitute) error {
	m, n, err := streamLength(dict)
	switch {
	case err != nil:
		return err
	case !strings.Contains(dict, "/Filter"):
		return errors.New("image stub without /Filter")
	case n != int64(len(sub.Stub)):
		return errors.New("image stub of another length than expected")
	}
	p.raw.Reset()
	if _, err := io.CopyN(&p.raw, p.in, n); err != nil || !bytes.Equal(p.raw.Bytes(), sub.Stub) {
		return errors.New("image stub is not the one expected")
	}
	p.out.put(dict[:m[0]])
	fmt.Fprintf(p.out, "/Length %d", sub.Length)
	p.out.put(dict[m[1]:])
	p.out.put("stream\n")
	start := p.out.n
	if err := sub.Write(p.out); err != nil {
		return fmt.Errorf("image data: %w", err)
	}
	if p.out.err != nil {
		return p.out.err
	}
	if written := p.out.n - start; written != sub.Length {
		return fmt.Errorf("image data of %d bytes, %d announced", written, sub.Length)
	}
	p.done++
	return p.endObject()
}

// endObject copies the rest of a stream object ("\nendstream\nendobj\n")
// as it is.
func (p *packer) endObject() error {
	for {
		line, err := p.in.ReadString('\n')
		if err != nil {
			return errors.New("unterminated stream object")
		}
		p.out.put(line)
		if line == "endobj\n" {
			return nil
		}
	}
}

// xref replaces the cross-reference table with one for the new offsets and
// copies the trailer.
func (p *packer) xref() error {
	for {
		line, err := p.in.ReadString('\n')
		if err != nil {
			return errors.New("xref table without trailer")
		}
		if line == "trailer\n" {
			break
		}
	}
	if len(p.offsets) == 0 {
		return errors.New("no objects")
	}
	start := p.out.n
	fmt.Fprintf(p.out, "xref\n0 %d\n0000000000 65535 f \n", len(p.offsets))
	for i, off := range p.offsets[1:] {
		if off == 0 {
			return fmt.Errorf("object %d missing", i+1)
		}
		fmt.Fprintf(p.out, "%010d 00000 n \n", off)
	}
	p.out.put("trailer\n")
	for {
		line, err := p.in.ReadString('\n')
		if err != nil {
			return errors.New("trailer without startxref")
		}
		if line == "startxref\n" {
			break
		}
		p.out.put(line)
	}
	fmt.Fprintf(p.out, "startxref\n%d\n%%%%EOF\n", start)
	// Drain what follows (the old offset and %%EOF).
	_, err := io.Copy(io.Discard, p.in)
	if err == nil {
		err = p.out.err
	}
	return err
}

// countingWriter counts bytes written and keeps the first error.
type countingWriter struct {
	w   io.Writer
	n   int64
	err error
}

func (c *countingWriter) Write(b []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	n, err := c.w.Write(b)
	c.n += int64(n)
	c.err = err
	return n, err
}

func (c *countingWriter) put(s string) {
	io.WriteString(c, s)
}
