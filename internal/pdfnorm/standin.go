package pdfnorm

import (
	"crypto/rand"
	"hash"
	"io"
)

// Stand-ins spare the fresh side of a rendering comparison reading a PNG
// photo twice. The renderer checks a PNG it embeds as it is by inflating
// its image data to exactly its rows (pdf's row check), which is most of
// what normalising that data costs again. With a Memo, the check hands
// the inflated rows to an Image, which un-predicts and hashes them as
// this package does, and then writes a stand-in in the PDF where the
// image data would go: StandInSize bytes drawn at random for this Memo,
// for which the normaliser takes the remembered decoded data, if the
// stream's /DecodeParms are the ones the rows were un-predicted with.
// The canonical form is the one the real data has: that data inflates,
// with no byte left over, to exactly the rows hashed (the check refuses
// anything else, and the renderer writes the data, not a stand-in, for an
// image it refuses), and un-predicting is the same code on the same
// bytes. No input can pose as a stand-in: its bytes are random, made after
// the input was read, and known only to the Memo. The Image also hashes
// the compressed data, as the normaliser would have remembered it, so
// that the other PDF's copy of the photo is still recognised by it.

// StandIns is the number of stand-ins made.
func (m *Memo) StandIns() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.standIns)
}

// StandInSize is the size of a stand-in: random bytes, not guessable.
const StandInSize = 32

// standIn is what a stand-in stands for.
type standIn struct {
	pred    predictor
	decoded decodedData
}

// An Image decodes image data as the normaliser would, from its inflated
// rows (still predicted) written to it, and makes its stand-in.
type Image struct {
	memo       *Memo
	pred       predictor
	rows       unpredictor
	sum        *countingHash
	compressed *memoCompressed
	err        error
}

// Image starts the decoded form of image data that has a PNG predictor
// of these /DecodeParms (/Colors, /BitsPerComponent, /Columns), expected
// to hold rows rows: its rows are written to the Image, and its
// compressed data to Compressed. rows only makes room in the hash of the
// rows (Options.NewSHA256); what is written is what is decoded.
// newSHA256 makes its hashes (nil: crypto/sha256). It returns nil for
// parameters the normaliser refuses: such data must be written, and
// refused, as it is.
func (m *Memo) Image(colors, bits, columns, rows int, newSHA256 func(int64) hash.Hash) *Image {
	p, err := checkPredictor(predictor{colors: colors, bits: bits, columns: columns})
	if err != nil {
		return nil
	}
	n := &normaliser{newSHA256: newSHA256} // for its hashes; no limit
	img := &Image{memo: m, pred: *p, sum: &countingHash{h: n.inflatedHash(SHA256Threshold, p.rowsSize(int64(rows))), n: n}}
	img.compressed = &memoCompressed{newHash: func() hash.Hash { return n.inflatedHash(SHA256Threshold, -1) }}
	img.rows.reset(p, img.sum)
	return img
}

// Write takes the next inflated (predicted) bytes of the image data.
// It never fails: an error (a row filter type PNG does not have) is kept
// for StandIn, so that the caller's own check of the rows decides what
// the caller reports.
func (img *Image) Write(p []byte) (int, error) {
	if img.err == nil {
		_, img.err = img.rows.Write(p)
	}
	return len(p), nil
}

// Compressed is where the image's compressed data is written, in order.
func (img *Image) Compressed() io.Writer { return img.compressed }

// StandIn is called once all the data was written and found whole (it
// inflated to exactly its rows, to the end of the compressed data): it
// remembers the decoded data and returns the bytes to write in its place,
// or nil when the data must be written (an error, or a partial row).
func (img *Image) StandIn() []byte {
	if img.err != nil || img.rows.finish() != nil {
		return nil
	}
	token := make([]byte, StandInSize)
	rand.Read(token)
	decoded := img.sum.decoded()
	m := img.memo
	m.mu.Lock()
	defer m.mu.Unlock()
	m.standIns[string(token)] = standIn{pred: img.pred, decoded: decoded}
	if c := img.compressed; c.remembered() {
		m.streams[memoKey{pred: img.pred, compressed: [32]byte(c.h.Sum(nil))}] = decoded
	}
	return token
}

// memoCompressed hashes compressed data as a normaliser with a Memo
// would: unless its deflate data starts with a stored block (Memo's
// remembered), which the other side inflates instead.
type memoCompressed struct {
	newHash func() hash.Hash
	h       hash.Hash // once the first block is known not to be stored
	head    []byte    // the first 3 bytes: the zlib header, then the first block's
}

func (c *memoCompressed) Write(p []byte) (int, error) {
	n := len(p)
	if len(c.head) < 3 {
		k := min(len(p), 3-len(c.head))
		c.head, p = append(c.head, p[:k]...), p[k:]
		if !c.remembered() {
			return n, nil
		}
		c.h = c.newHash()
		c.h.Write(c.head)
	}
	if c.h != nil {
		c.h.Write(p)
	}
	return n, nil
}

func (c *memoCompressed) remembered() bool {
	return len(c.head) == 3 && c.head[2]>>1&3 != 0
}

// standInData is the decoded data of a stream whose data is a stand-in
// made with the stream's own /DecodeParms; ok false for any other.
func (n *normaliser) standInData(d *streamDict, data *limitedByteReader) (got decodedData, ok bool, err error) {
	if n.memo == nil || d.predictor == nil || d.length != StandInSize {
		return got, false, nil
	}
	b, err := n.in.Peek(StandInSize)
	if err != nil {
		return got, false, nil
	}
	n.memo.mu.Lock()
	s, ok := n.memo.standIns[string(b)]
	n.memo.mu.Unlock()
	if !ok || s.pred != *d.predictor {
		return got, false, nil
	}
	if _, err := io.Copy(io.Discard, data); err != nil {
		return got, true, err
	}
	n.size += s.decoded.size
	if n.limit > 0 && n.size > n.limit {
		return got, true, ErrLimit
	}
	return s.decoded, true, nil
}
