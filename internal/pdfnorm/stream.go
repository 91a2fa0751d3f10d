package pdfnorm

import (
	"bufio"
	"compress/zlib"
	"fmt"
	"hash"
	"io"
	"regexp"
	"strconv"
)

// A stream dictionary is read with regular expressions, which is sound
// only because it may hold no string, comment or name escape (none of which
// our writer puts there): a reader then finds the same /Length, /Filter
// and /DecodeParms as this package does. nameEnd is what may follow a name.
const nameEnd = `(?:[ \t\r\n/<>\[\]]|$)`

var (
	anyLength  = regexp.MustCompile(`/Length` + nameEnd)
	lengthKey  = regexp.MustCompile(`/Length[ \t]+([0-9]{1,15})[ \t]*(?:\n|/|>)`)
	anyFilter  = regexp.MustCompile(`/Filter` + nameEnd)
	filterKey  = regexp.MustCompile(`/Filter[ \t]*/(FlateDecode|DCTDecode)` + nameEnd)
	anyParms   = regexp.MustCompile(`/DecodeParms` + nameEnd)
	parmsKey   = regexp.MustCompile(`/DecodeParms[ \t]*<<([^<>]*)>>`)
	heightKey  = regexp.MustCompile(`/Height[ \t]+([0-9]{1,9})` + nameEnd)
	parmsEntry = regexp.MustCompile(`^\s*/(Predictor|Colors|BitsPerComponent|Columns)\s+([0-9]{1,9})`)
	forbidden  = regexp.MustCompile(`[()%#{}]`)
)

// streamDict is what the canonical form needs of a stream's dictionary.
type streamDict struct {
	length    int64
	flate     bool
	predictor *predictor // nil: no PNG predictor
	height    int64      // /Height, if the stream has a predictor and a /Height; else 0
	canonical []byte     // the dictionary without /Length, /Filter /FlateDecode and /DecodeParms
}

func (n *normaliser) parseStreamDict(dict []byte) (*streamDict, error) {
	if forbidden.Match(dict) {
		return nil, n.layout("stream dictionary holds a string, comment or escaped name")
	}
	if len(anyLength.FindAllIndex(dict, 2)) != 1 || len(anyFilter.FindAllIndex(dict, 2)) > 1 || len(anyParms.FindAllIndex(dict, 2)) > 1 {
		return nil, n.layout("stream dictionary without exactly one /Length, or with more than one /Filter or /DecodeParms")
	}
	d := &streamDict{}
	var drop [][2]int
	m := lengthKey.FindSubmatchIndex(dict)
	if m == nil {
		return nil, n.layout("stream /Length is not a direct number")
	}
	d.length, _ = strconv.ParseInt(string(dict[m[2]:m[3]]), 10, 64)
	drop = append(drop, [2]int{m[0], m[3]})
	if anyFilter.Match(dict) {
		f := filterKey.FindSubmatchIndex(dict)
		if f == nil {
			return nil, n.layout("stream /Filter is neither /FlateDecode nor /DCTDecode")
		}
		if d.flate = string(dict[f[2]:f[3]]) == "FlateDecode"; d.flate {
			drop = append(drop, [2]int{f[0], f[3]})
		}
	}
	if anyParms.Match(dict) {
		p := parmsKey.FindSubmatchIndex(dict)
		if p == nil || !d.flate {
			return nil, n.layout("stream /DecodeParms is not a PNG predictor of /FlateDecode data")
		}
		pred, err := parsePredictor(dict[p[2]:p[3]])
		if err != nil {
			return nil, n.layout("stream /DecodeParms: %v", err)
		}
		d.predictor = pred
		drop = append(drop, [2]int{p[0], p[1]})
		if h := heightKey.FindSubmatch(dict); h != nil {
			d.height, _ = strconv.ParseInt(string(h[1]), 10, 64)
		}
	}
	d.canonical = without(dict, drop)
	return d, nil
}

// decodedSize is the size an image's data is expected to decode to: its
// rows, un-predicted, as its /Height and /DecodeParms give them; -1 for
// other data. Only room to make for a hash (inflatedHash): the form is
// that of the data, however long.
func (d *streamDict) decodedSize() int64 {
	if d.predictor == nil {
		return -1
	}
	return d.predictor.rowsSize(d.height)
}

// without returns b without the given spans, which do not overlap.
func without(b []byte, spans [][2]int) []byte {
	keep := make([]bool, len(b))
	for i := range keep {
		keep[i] = true
	}
	for _, s := range spans {
		for i := s[0]; i < s[1]; i++ {
			keep[i] = false
		}
	}
	out := make([]byte, 0, len(b))
	for i, k := range keep {
		if k {
			out = append(out, b[i])
		}
	}
	return out
}

// stream reads a stream after its "stream" line and writes its canonical
// form: the dictionary without what encodes the data, then the decoded
// data's length and SHA-256, then the rest of the object as it is.
func (n *normaliser) stream(dict []byte) error {
	start := n.pos
	d, err := n.parseStreamDict(dict)
	if err != nil {
		return err
	}
	if err := n.emit(d.canonical); err != nil {
		return err
	}
	got, read, err := n.streamData(d, &limitedByteReader{r: n.in, left: d.length}, start)
	n.pos = start + d.length - read.unread()
	if err != nil {
		return err
	}
	if read.unread() != 0 {
		return n.layout("stream shorter than its /Length %d", d.length)
	}
	if err := n.emitString(fmt.Sprintf("stream\n%d %x\n", got.size, got.sha256)); err != nil {
		return err
	}
	return n.streamEnd()
}

// compressedData is a stream's data as the decompressor reads it, which
// tells how much of it was left unread.
type compressedData interface {
	io.Reader
	io.ByteReader
	unread() int64
}

// streamData decodes the data of a stream whose dictionary is d, which
// starts at start, from data; it returns the reader that read it last.
func (n *normaliser) streamData(d *streamDict, data *limitedByteReader, start int64) (decodedData, compressedData, error) {
	if got, ok, err := n.standInData(d, data); ok {
		return got, data, err
	}
	switch {
	case !d.flate:
		sum := &countingHash{h: n.storedHash(d.length), n: n}
		_, err := io.Copy(sum, data)
		return sum.decoded(), data, err
	case !n.remembered(d):
		got, err := n.inflatedData(data, d)
		return got, data, err
	case n.at != nil:
		return n.recalled(n.at, d, data, start)
	default:
		return n.remember(d, data)
	}
}

// inflatedData inflates a /FlateDecode stream's data, un-predicting it if
// it has a PNG predictor.
func (n *normaliser) inflatedData(data compressedData, d *streamDict) (decodedData, error) {
	sum := &countingHash{h: n.inflatedHash(d.length, d.decodedSize()), n: n}
	if err := n.inflate(sum, data, d.predictor); err != nil {
		return decodedData{}, err
	}
	return sum.decoded(), nil
}

// inflate decodes zlib data, which must fill the stream exactly, and
// un-predicts it if it has a PNG predictor.
func (n *normaliser) inflate(dst io.Writer, data compressedData, pred *predictor) error {
	zr, err := n.zlibReader(data)
	if err != nil {
		return n.layout("stream data is not zlib data: %v", err)
	}
	if pred != nil {
		n.rows.reset(pred, dst)
		dst = &n.rows
	}
	if _, err := io.Copy(dst, zr); err != nil {
		if err == ErrLimit {
			return err
		}
		return n.layout("stream data does not inflate: %v", err)
	}
	if pred != nil {
		if err := n.rows.finish(); err != nil {
			return n.layout("%v", err)
		}
	}
	if left := data.unread(); left != 0 {
		return n.layout("%d bytes after the end of the compressed data, within /Length", left)
	}
	return nil
}

// zlibReader reads zlib data from data, with the decompressor of the
// previous stream when there was one: a fresh one allocates its window
// and tables, dearer than inflating a page's few kilobytes.
func (n *normaliser) zlibReader(data io.Reader) (io.Reader, error) {
	if n.zr == nil {
		zr, err := zlib.NewReader(data)
		if err == nil {
			n.zr = zr
		}
		return zr, err
	}
	return n.zr, n.zr.(zlib.Resetter).Reset(data, nil)
}

// streamEnd reads what follows a stream's data: "endstream" on a line
// (gopdf puts a line break before it after some streams, not others), then
// "endobj".
func (n *normaliser) streamEnd() error {
	line, err := n.line()
	if err != nil {
		return err
	}
	if string(line) == "\n" {
		if err := n.emit(line); err != nil {
			return err
		}
		if line, err = n.line(); err != nil {
			return err
		}
	}
	if string(line) != "endstream\n" {
		return n.layout("stream data not followed by endstream: /Length does not match the data")
	}
	if err := n.emit(line); err != nil {
		return err
	}
	if line, err = n.line(); err != nil {
		return err
	}
	if string(line) != "endobj\n" {
		return n.layout("endstream not followed by endobj")
	}
	return n.emit(line)
}

// limitedByteReader reads at most left bytes. It is an io.ByteReader, so
// that the flate decompressor reads no byte beyond its data (it would
// buffer ahead otherwise) and the bytes left over can be counted.
type limitedByteReader struct {
	r    *bufio.Reader
	left int64
}

func (l *limitedByteReader) Read(p []byte) (int, error) {
	if l.left <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	k, err := l.r.Read(p)
	l.left -= int64(k)
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return k, err
}

func (l *limitedByteReader) unread() int64 { return l.left }

func (l *limitedByteReader) ReadByte() (byte, error) {
	if l.left <= 0 {
		return 0, io.EOF
	}
	b, err := l.r.ReadByte()
	if err == nil {
		l.left--
	} else if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return b, err
}

// countingHash hashes a stream's decoded data, counting it against the
// normaliser's limit.
type countingHash struct {
	h     hash.Hash
	n     *normaliser
	count int64
}

func (c *countingHash) Write(p []byte) (int, error) {
	c.count += int64(len(p))
	c.n.size += int64(len(p))
	if c.n.limit > 0 && c.n.size > c.n.limit {
		return 0, ErrLimit
	}
	return c.h.Write(p)
}

func (c *countingHash) decoded() decodedData {
	return decodedData{size: c.count, sha256: c.h.Sum(nil)}
}
