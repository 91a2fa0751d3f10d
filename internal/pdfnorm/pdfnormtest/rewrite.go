// Package pdfnormtest rewrites renderings for tests: the same PDF as
// another compressor would have written it, or with a stream's content
// changed and compressed again, as a forger would.
package pdfnormtest

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"io"
	"regexp"
	"strconv"
)

var (
	objLine = regexp.MustCompile(`(?m)^([0-9]+) 0 obj\n`)
	length  = regexp.MustCompile(`/Length[ \t]+([0-9]+)`)
	xrefAt  = regexp.MustCompile(`(?m)^xref\n`)
)

// Recompress rewrites the first revision of a rendering (the layout
// package pdfnorm reads) with every /FlateDecode stream inflated, passed
// through edit (object number, decoded data; a nil result keeps it) and
// deflated again at level, with the xref table and startxref rebuilt. What
// follows the first revision is dropped.
func Recompress(pdf []byte, level int, edit func(obj int, data []byte) []byte) ([]byte, error) {
	return rewrite(pdf, func(num int, obj []byte) ([]byte, error) {
		return rewriteObject(obj, level, func(d []byte) []byte {
			if edit == nil {
				return d
			}
			if e := edit(num, d); e != nil {
				return e
			}
			return d
		})
	})
}

// RebuildXref rewrites the xref table and startxref of a first revision
// whose objects were edited in place, as a forger would.
func RebuildXref(pdf []byte) ([]byte, error) {
	return rewrite(pdf, func(_ int, obj []byte) ([]byte, error) { return obj, nil })
}

// rewrite passes each object (from its "N 0 obj" line to the next object)
// through fn and rebuilds the xref table for the new offsets.
func rewrite(pdf []byte, fn func(num int, obj []byte) ([]byte, error)) ([]byte, error) {
	x := xrefAt.FindIndex(pdf)
	if x == nil {
		return nil, fmt.Errorf("no xref")
	}
	objs := objLine.FindAllSubmatchIndex(pdf[:x[0]], -1)
	if len(objs) == 0 {
		return nil, fmt.Errorf("no objects")
	}
	var out bytes.Buffer
	out.Write(pdf[:objs[0][0]])
	offsets := []int{}
	for i, o := range objs {
		end := x[0]
		if i+1 < len(objs) {
			end = objs[i+1][0]
		}
		num, _ := strconv.Atoi(string(pdf[o[2]:o[3]]))
		offsets = append(offsets, out.Len())
		obj, err := fn(num, pdf[o[0]:end])
		if err != nil {
			return nil, fmt.Errorf("object %d: %w", num, err)
		}
		out.Write(obj)
	}
	trailer := pdf[bytes.Index(pdf[x[0]:], []byte("trailer\n"))+x[0]:]
	trailer = trailer[:bytes.Index(trailer, []byte("startxref\n"))]
	start := out.Len()
	fmt.Fprintf(&out, "xref\n0 %d\n0000000000 65535 f \n", len(offsets)+1)
	for _, off := range offsets {
		fmt.Fprintf(&out, "%010d 00000 n \n", off)
	}
	out.Write(trailer)
	fmt.Fprintf(&out, "startxref\n%d\n%%%%EOF\n", start)
	return out.Bytes(), nil
}

// rewriteObject recompresses the stream of one object (from its "N 0 obj"
// line to the next object) if it is a /FlateDecode stream.
func rewriteObject(obj []byte, level int, edit func([]byte) []byte) ([]byte, error) {
	s := bytes.Index(obj, []byte("\nstream\n"))
	if s < 0 || !bytes.Contains(obj[:s], []byte("/FlateDecode")) {
		return obj, nil
	}
	dict := obj[:s+1]
	m := length.FindSubmatchIndex(dict)
	n, _ := strconv.Atoi(string(dict[m[2]:m[3]]))
	dataStart := s + len("\nstream\n")
	zr, err := zlib.NewReader(bytes.NewReader(obj[dataStart : dataStart+n]))
	if err != nil {
		return nil, err
	}
	data, err := io.ReadAll(zr)
	if err != nil {
		return nil, err
	}
	var z bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&z, level)
	zw.Write(edit(data))
	zw.Close()
	var out bytes.Buffer
	out.Write(dict[:m[2]])
	out.WriteString(strconv.Itoa(z.Len()))
	out.Write(dict[m[3]:])
	out.WriteString("stream\n")
	out.Write(z.Bytes())
	out.Write(obj[dataStart+n:])
	return out.Bytes(), nil
}

var glyphs = regexp.MustCompile(`\[<[0-9A-F]{4}`)

// ChangeFirstGlyph returns an edit for Recompress that changes, by one,
// the first glyph drawn by the first content stream that draws text, and
// leaves every other stream as it is.
func ChangeFirstGlyph() func(int, []byte) []byte {
	done := false
	return func(_ int, data []byte) []byte {
		m := glyphs.FindIndex(data)
		if done || m == nil {
			return nil
		}
		done = true
		d := bytes.Clone(data)
		d[m[1]-1] ^= 1
		return d
	}
}

// Build writes a PDF of the given object bodies (each without its "N 0
// obj" line, "endobj" and the line break before it) in the layout our
// writer produces, with its classic xref table.
func Build(objects ...string) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n")
	offs := []int{}
	for i, o := range objects {
		offs = append(offs, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objects)+1)
	for _, off := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objects)+1, xref)
	return b.Bytes()
}
