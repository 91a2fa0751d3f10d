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
	p := packer{in: bufio.NewReaderSize(r, 64<<10), out: &countingWriter{w: bufio.NewWriterSize(w, 64<<10)}}
	p.zw, _ = zlib.NewWriterLevel(&p.zbuf, zlib.DefaultCompression)
	if err := p.run(); err != nil {
		return fmt.Errorf("pdfpack: %w", err)
	}
	return p.out.w.(*bufio.Writer).Flush()
}

type packer struct {
	in      *bufio.Reader
	out     *countingWriter
	offsets []int64 // by object number; 0 = not seen
	zw      *zlib.Writer
	zbuf    bytes.Buffer
	raw     bytes.Buffer
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
			if err := p.object(); err != nil {
				return fmt.Errorf("object %d: %w", n, err)
			}
		case line == "xref\n":
			return p.xref()
		default:
			p.out.put(line)
		}
		if p.out.err != nil {
			return p.out.err
		}
	}
}

// object copies an object after its "N 0 obj" line, deflating its stream
// if it has one without a filter.
func (p *packer) object() error {
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
			return p.stream(dict.String())
		}
		dict.WriteString(line)
		if dict.Len() > 1<<20 {
			return errors.New("object dictionary over 1 MB")
		}
	}
}

func (p *packer) stream(dict string) error {
	m := length.FindStringSubmatchIndex(dict)
	if m == nil {
		return errors.New("stream without /Length")
	}
	n, err := strconv.ParseInt(dict[m[2]:m[3]], 10, 64)
	if err != nil {
		return fmt.Errorf("bad /Length: %w", err)
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
		p.zbuf.Reset()
		p.zw.Reset(&p.zbuf)
		p.zw.Write(p.raw.Bytes())
		if err := p.zw.Close(); err != nil {
			return err
		}
		p.out.put(dict[:m[0]])
		fmt.Fprintf(p.out, "/Length %d\n/Filter /FlateDecode", p.zbuf.Len())
		p.out.put(dict[m[1]:])
		p.out.put("stream\n")
		p.out.Write(p.zbuf.Bytes())
	}
	// The rest ("\nendstream\nendobj\n") is copied as it is.
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
