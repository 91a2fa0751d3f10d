package pdfnorm

import (
	"bufio"
	"hash"
	"io"
	"sync"
)

// A Memo carries the decoded data of large compressed streams from one
// normalisation to the next, so that a stream held by both PDFs of a
// comparison is inflated once, not twice.
//
// A fresh rendering embeds a PNG photo's compressed data as the file
// holds it (custody-pdf/3 and later), and so did the exporter's: both
// sides of a rendering comparison then hold the same compressed bytes,
// tens of megabytes of a record's photos, which the canonical form
// inflates and un-predicts on each side. A stream's canonical data (its
// length and SHA-256) is a function of its compressed bytes and of the
// parameters its dictionary gives them (/FlateDecode, the PNG predictor's
// /DecodeParms): two streams with the same of both have the same
// canonical form. So, for each /FlateDecode stream of SHA256Threshold
// compressed bytes or more, a normalisation with a Memo remembers, by the
// SHA-256 of its compressed bytes and its parameters, the length and
// SHA-256 of its decoded data; and a normalisation that can read its
// input again (a reader that is also an io.ReaderAt, at offsets from the
// PDF's first byte, as an io.SectionReader's) first hashes a stream's
// compressed bytes and takes the remembered form when there is one,
// reading the stream again to inflate it only when there is none. The
// canonical form, and so every comparison, is the same either way: only
// the work differs. A Memo also makes the stand-ins of a fresh rendering's
// PNG photos (standin.go).
type Memo struct {
	// mu: the stand-ins are made by the renderer as the normaliser reads
	// its output, in another goroutine.
	mu       sync.Mutex
	streams  map[memoKey]decodedData
	standIns map[string]standIn // by the stand-in's bytes
}

// NewMemo returns an empty Memo, to be given to both normalisations of a
// comparison, in turn, not at once (Images, though, may be made while
// one runs).
func NewMemo() *Memo {
	return &Memo{streams: map[memoKey]decodedData{}, standIns: map[string]standIn{}}
}

// memoKey identifies a stream's decoded data: the SHA-256 of its
// compressed bytes, and its PNG predictor (the zero predictor: none).
type memoKey struct {
	pred       predictor
	compressed [32]byte
}

// decodedData is what the canonical form states of a stream's data.
type decodedData struct {
	size   int64
	sha256 []byte
}

// remembered reports whether the memo applies to a stream, whose data
// the input holds next: a large /FlateDecode one, where inflating is
// dearer than hashing the compressed bytes, unless its deflate data
// starts with a stored block (a PNG encoder's at level 0, or
// incompressible rows): inflating that is a copy, and remembering it
// would cost a hash on each side for nothing. Both sides decide from the
// same bytes, so a stream they share is treated alike.
func (n *normaliser) remembered(d *streamDict) bool {
	if n.memo == nil || !d.flate || d.length < SHA256Threshold {
		return false
	}
	head, err := n.in.Peek(3) // the zlib header, then the first block's
	return err == nil && head[2]>>1&3 != 0
}

func (d *streamDict) key(compressed []byte) memoKey {
	k := memoKey{}
	if d.predictor != nil {
		k.pred = *d.predictor
	}
	copy(k.compressed[:], compressed)
	return k
}

// recalled decodes a remembered stream of a PDF that can be read again:
// its compressed bytes are hashed first, and inflated (read again from
// start, where its data begins) only when the memo holds no stream with
// the same. It returns the reader that read the stream's data last.
func (n *normaliser) recalled(at io.ReaderAt, d *streamDict, data *limitedByteReader, start int64) (decodedData, compressedData, error) {
	h := n.storedHash(d.length)
	if _, err := io.Copy(h, data); err == nil && data.left == 0 {
		n.memo.mu.Lock()
		got, ok := n.memo.streams[d.key(h.Sum(nil))]
		n.memo.mu.Unlock()
		if ok {
			n.size += got.size
			if n.limit > 0 && n.size > n.limit {
				return decodedData{}, data, ErrLimit
			}
			return got, data, nil
		}
	}
	// Not seen, or not read whole: inflated as without a memo, so that
	// every error, and its offset, is the same.
	again := &limitedByteReader{r: bufio.NewReaderSize(io.NewSectionReader(at, start, d.length), 64<<10), left: d.length}
	got, err := n.inflatedData(again, d)
	if err == nil && data.left != 0 {
		err = io.ErrUnexpectedEOF // the first reading failed, the second did not
	}
	return got, again, err
}

// remember decodes a remembered stream of a PDF read once, hashing its
// compressed bytes as they are inflated, and remembers the outcome. It
// returns what read the stream's data, as recalled does.
func (n *normaliser) remember(d *streamDict, data *limitedByteReader) (decodedData, compressedData, error) {
	tee := &hashingBytes{src: data, h: n.storedHash(d.length), buf: n.chunkBuffer()}
	got, err := n.inflatedData(tee, d)
	if err == nil {
		n.memo.mu.Lock()
		n.memo.streams[d.key(tee.h.Sum(nil))] = got
		n.memo.mu.Unlock()
	}
	return got, tee, err
}

// hashingBytes reads compressed data for the decompressor, which reads
// it byte by byte, and hashes it a chunk at a time.
type hashingBytes struct {
	src *limitedByteReader
	h   hash.Hash
	buf []byte
	i   int
}

func (t *hashingBytes) fill() error {
	t.buf, t.i = t.buf[:cap(t.buf)], 0
	k, err := t.src.Read(t.buf)
	t.buf = t.buf[:k]
	t.h.Write(t.buf)
	if k > 0 {
		return nil
	}
	if err == nil {
		err = io.ErrNoProgress
	}
	return err
}

func (t *hashingBytes) ReadByte() (byte, error) {
	if t.i == len(t.buf) {
		if err := t.fill(); err != nil {
			return 0, err
		}
	}
	t.i++
	return t.buf[t.i-1], nil
}

func (t *hashingBytes) Read(p []byte) (int, error) {
	if t.i == len(t.buf) {
		if err := t.fill(); err != nil {
			return 0, err
		}
	}
	k := copy(p, t.buf[t.i:])
	t.i += k
	return k, nil
}

// unread is what the decompressor left of the stream's data.
func (t *hashingBytes) unread() int64 { return t.src.left + int64(len(t.buf)-t.i) }

// chunkBuffer is hashingBytes' buffer, allocated once per normalisation.
func (n *normaliser) chunkBuffer() []byte {
	if n.chunk == nil {
		n.chunk = make([]byte, 0, 64<<10)
	}
	return n.chunk[:0]
}
