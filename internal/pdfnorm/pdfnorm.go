// Package pdfnorm reduces a PDF in the layout custody's renderer writes to
// a canonical form that does not depend on the compressor that made it, and
// hashes that form. It is what lets a verifier built with one Go toolchain
// confirm a rendering made with another.
//
// A rendering's bytes depend on compress/flate and image/png's encoder,
// which change between Go releases; what the PDF shows does not. The
// canonical form keeps every byte a reader interprets as it is, except:
//
//   - the data of a /FlateDecode stream is inflated (inflating is exact,
//     whatever compressor made the data), and /Filter /FlateDecode dropped;
//   - image data with a PNG predictor (/DecodeParms /Predictor 10 to 15) is
//     un-predicted to raw samples (the row filters are the encoder's own
//     choice), and /DecodeParms dropped;
//   - /Length is dropped: each stream's data is stated by its length and
//     SHA-256, so that no framing is ambiguous and nothing is buffered;
//   - the cross-reference table and startxref are left out, because they
//     only hold offsets, which change with the compressed sizes. They are
//     validated strictly instead: every entry must point exactly at its
//     "N 0 obj" line, object 0 is the only free entry, each object is
//     defined once, startxref points at the table, and nothing lies
//     between, inside or after the objects unread. So a signer cannot
//     hide an object from this reading, nor re-point one (into the bytes of
//     an embedded JPEG, say) where a PDF reader would find it.
//
// Two PDFs in this layout with the same canonical form show the same
// thing. The reader is strict: it accepts the exact layout gopdf writes
// through pdf/internal/pdfpack (one "N 0 obj" line per object, in order,
// "stream" and "endobj" on lines of their own, a direct /Length, one
// classic xref subsection, "%%EOF\n") and refuses anything else rather
// than guess; it is a reading of our own writer's output, not a PDF parser
// (internal/pdfread is one: random access through the cross-reference
// table, where this reads our writer's output front to back).
// It streams: memory stays bounded by the longest line and two image rows,
// whatever the size of the PDF.
package pdfnorm

import (
	"bufio"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"io"
	"regexp"
	"strconv"
)

// Form is the result of normalising a PDF's first revision.
type Form struct {
	SHA256   [32]byte // of the canonical form
	Size     int64    // bytes of the canonical form, decoded stream data included
	Revision int64    // bytes of input read: the first revision, up to and including "%%EOF\n"
}

// LayoutError says why a PDF is refused: it is not in the layout our
// writer produces.
type LayoutError struct {
	Offset int64
	Reason string
}

func (e *LayoutError) Error() string {
	return fmt.Sprintf("not the renderer's PDF layout at byte %d: %s", e.Offset, e.Reason)
}

// ErrLimit is returned when the canonical form grows past the limit given:
// the PDF cannot have the canonical form it is compared with.
var ErrLimit = errors.New("pdfnorm: canonical form larger than the limit")

// Limits on what one line and one object dictionary may hold; gopdf's
// longest lines are font width arrays, well under these.
const (
	maxLine    = 4 << 20
	maxDict    = 4 << 20
	maxObjects = 1 << 20
)

// FirstRevision normalises the PDF read from r up to the end of its first
// revision (its first "%%EOF\n"), and reads no further than that. limit,
// when positive, bounds the canonical form's size (ErrLimit).
func FirstRevision(r io.Reader, limit int64) (Form, error) {
	return FirstRevisionWith(r, Options{Limit: limit})
}

// Options say how to normalise a PDF; none changes its canonical form.
type Options struct {
	// Limit, when positive, bounds the canonical form's size (ErrLimit).
	Limit int64
	// NewSHA256 hashes large streams (see SHA256Threshold); nil:
	// crypto/sha256.
	NewSHA256 func(size int64) hash.Hash
	// Memo, when set, carries the decoded data of large compressed
	// streams from one normalisation to another (see Memo).
	Memo *Memo
}

// FirstRevisionWith is FirstRevision with options.
func FirstRevisionWith(r io.Reader, o Options) (Form, error) {
	n := newNormaliser(r, o)
	return n.form(n.run())
}

// SHA256Threshold is the size from which the data of a stream is hashed
// by Options.NewSHA256: a faster SHA-256 than crypto/sha256 where there
// is one (the web verifier's, in a browser, where the images' data is
// most of what a rendering comparison hashes). A stream stored as it is
// (an image's JPEG data, the streams of an uncompressed rendering) is
// told its size, and so is the hash of a stream's compressed bytes for a
// Memo; an inflated one, of this many compressed bytes or more (a PNG
// image's rows), the size its dictionary's /Height and /DecodeParms give
// the rows, else -1 (not known before it is read): room to make, which
// the data may not fill or may exceed. Smaller streams use
// crypto/sha256. Either computes the same digests: the form is the same.
const SHA256Threshold = 64 << 10

// Whole normalises a PDF that must consist of its first revision only:
// anything after its "%%EOF\n" (an incremental update, appended bytes) is
// refused.
func Whole(r io.Reader, limit int64) (Form, error) {
	return WholeWith(r, Options{Limit: limit})
}

// WholeWith is Whole with options.
func WholeWith(r io.Reader, o Options) (Form, error) {
	n := newNormaliser(r, o)
	err := n.run()
	if err == nil {
		if _, rerr := n.in.ReadByte(); rerr != io.EOF {
			err = n.layout("bytes after %%%%EOF (a second revision or appended data)")
		}
	}
	return n.form(err)
}

type normaliser struct {
	in      *bufio.Reader
	pos     int64 // input bytes consumed
	out     hash.Hash
	size    int64 // canonical bytes written
	limit   int64
	offsets []int64 // by object number: where its "N 0 obj" line starts
	rows    unpredictor
	zr      io.ReadCloser // the zlib reader, reused from stream to stream
	// newSHA256 hashes large streams (SHA256Threshold); nil:
	// crypto/sha256.
	newSHA256 func(size int64) hash.Hash
	memo      *Memo
	// at reads the input again, when it can and there is a memo: a
	// stream is then looked up before it is inflated (Memo).
	at    io.ReaderAt
	chunk []byte // hashingBytes' buffer, reused
}

func newNormaliser(r io.Reader, o Options) *normaliser {
	n := &normaliser{in: bufio.NewReaderSize(r, 64<<10), out: sha256.New(), limit: o.Limit, newSHA256: o.NewSHA256, memo: o.Memo}
	if at, ok := r.(io.ReaderAt); ok && o.Memo != nil {
		n.at = at
	}
	return n
}

// storedHash is the hash of the data of a stream stored as it is, of size
// bytes: newSHA256's from SHA256Threshold on, told that size.
func (n *normaliser) storedHash(size int64) hash.Hash {
	if n.newSHA256 == nil || size < SHA256Threshold {
		return sha256.New()
	}
	return n.newSHA256(size)
}

// inflatedHash is the hash of the inflated data of a stream of compressed
// bytes: newSHA256's from SHA256Threshold compressed bytes on, told
// expected, the size the data is expected to inflate to (an image's rows,
// from its /Height), or -1. It is a size to make room for, not one that
// was checked: the hash takes the data whatever its size.
func (n *normaliser) inflatedHash(compressed, expected int64) hash.Hash {
	if n.newSHA256 == nil || compressed < SHA256Threshold {
		return sha256.New()
	}
	return n.newSHA256(expected)
}

func (n *normaliser) form(err error) (Form, error) {
	if err != nil {
		return Form{}, err
	}
	f := Form{Size: n.size, Revision: n.pos}
	n.out.Sum(f.SHA256[:0])
	return f, nil
}

func (n *normaliser) layout(format string, args ...any) error {
	return &LayoutError{Offset: n.pos, Reason: fmt.Sprintf(format, args...)}
}

// emit adds bytes to the canonical form.
func (n *normaliser) emit(b []byte) error {
	n.size += int64(len(b))
	if n.limit > 0 && n.size > n.limit {
		return ErrLimit
	}
	n.out.Write(b)
	return nil
}

func (n *normaliser) emitString(s string) error { return n.emit([]byte(s)) }

// line reads one line, "\n" included; at most maxLine bytes.
func (n *normaliser) line() ([]byte, error) {
	var long []byte
	for {
		b, err := n.in.ReadSlice('\n')
		n.pos += int64(len(b))
		switch {
		case err == nil && long == nil:
			return b, nil
		case err == nil:
			return append(long, b...), nil
		case errors.Is(err, bufio.ErrBufferFull):
			if long = append(long, b...); len(long) > maxLine {
				return nil, n.layout("line longer than %d bytes", maxLine)
			}
		case err == io.EOF:
			return nil, n.layout("unexpected end of file")
		default:
			return nil, err
		}
	}
}

var (
	headerLine = regexp.MustCompile(`^%PDF-1\.[0-7]\n$`)
	objLine    = regexp.MustCompile(`^([1-9][0-9]{0,9}) 0 obj\n$`)
)

// run reads the header, the objects, the xref table and the trailer.
func (n *normaliser) run() error {
	first, err := n.line()
	if err != nil {
		return err
	}
	if !headerLine.Match(first) {
		return n.layout("no %%PDF-1.x header line")
	}
	if err := n.emit(first); err != nil {
		return err
	}
	inHeader := true // comment lines may follow the header, before the first object
	for {
		start := n.pos
		line, err := n.line()
		if err != nil {
			return err
		}
		switch m := objLine.FindSubmatch(line); {
		case m != nil:
			inHeader = false
			if err := n.object(m[1], start, line); err != nil {
				return err
			}
		case string(line) == "\n" || inHeader && line[0] == '%':
			if err := n.emit(line); err != nil {
				return err
			}
		case string(line) == "xref\n" && !inHeader:
			return n.xref(start)
		default:
			return n.layout("unexpected line %.40q between objects", line)
		}
	}
}

// object reads one object after its "N 0 obj" line, which starts at start.
// Objects come in order, 1, 2, 3, …, as gopdf numbers them.
func (n *normaliser) object(num []byte, start int64, header []byte) error {
	want := len(n.offsets) + 1
	if string(num) != strconv.Itoa(want) {
		return n.layout("object %s where object %d was expected (each is defined once, in order)", num, want)
	}
	if want > maxObjects {
		return n.layout("more than %d objects", maxObjects)
	}
	n.offsets = append(n.offsets, start)
	if err := n.emit(header); err != nil {
		return err
	}
	var dict []byte
	for {
		line, err := n.line()
		if err != nil {
			return err
		}
		switch string(line) {
		case "endobj\n":
			if err := n.emit(dict); err != nil {
				return err
			}
			return n.emit(line)
		case "stream\n":
			return n.stream(dict)
		}
		if dict = append(dict, line...); len(dict) > maxDict {
			return n.layout("object %d: dictionary over %d bytes", want, maxDict)
		}
	}
}
