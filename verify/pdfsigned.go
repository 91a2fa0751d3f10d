package verify

import (
	"crypto"
	"fmt"
	"hash"
	"io"

	"github.com/custody-toolkit/custody/internal/pdfread"
)

// A standalone PDF's signature covers nearly the whole file, and its
// embedded bundle is most of it: hashing the signed bytes after verifying
// the bundle made a second pass over the file that nothing else waits
// for. PDF starts it ahead (signedDigestAhead), as the bundle's
// verification starts, on a second core (in the web verifier, in a
// digester, where hash-wasm takes seconds over hundreds of megabytes); the
// signature's check takes that digest when it reaches the signed bytes,
// if it is the one it needs: the same ranges, as its own checks of the
// /ByteRange found them, and SHA-256. Otherwise it hashes them itself, as
// before; either way the same bytes are hashed and compared, and the same
// checks run in the same order.

// signedBytes are the bytes a PDF signature covers: [0, ranges[1]) and
// [ranges[2], ranges[2]+ranges[3]) of r.
type signedBytes struct {
	r         io.ReaderAt
	ranges    [4]int64
	newDigest func(crypto.Hash) hash.Hash // signedDigest
	ahead     *signedDigestAhead          // nil: none, or not for these ranges
}

func (s signedBytes) reader() io.Reader {
	return io.MultiReader(io.NewSectionReader(s.r, 0, s.ranges[1]), io.NewSectionReader(s.r, s.ranges[2], s.ranges[3]))
}

// digest is the signed bytes' digest with h: the one taken ahead, or
// taken now.
func (s signedBytes) digest(h crypto.Hash) ([]byte, error) {
	if s.ahead != nil && h == crypto.SHA256 {
		<-s.ahead.done
		if s.ahead.err == nil {
			return s.ahead.sum, nil
		}
	}
	return hashSigned(s.newDigest(h), s.reader())
}

// hashSigned is the digest d makes of the signed bytes.
func hashSigned(d hash.Hash, signed io.Reader) ([]byte, error) {
	if _, err := io.CopyBuffer(d, signed, make([]byte, 256<<10)); err != nil {
		return nil, fmt.Errorf("reading the signed bytes: %w", err)
	}
	return d.Sum(nil), nil
}

// signedDigestAhead is the SHA-256 of the bytes a PDF's signature covers,
// under way (done closed once sum or err is set).
type signedDigestAhead struct {
	ranges [4]int64
	done   chan struct{}
	sum    []byte
	err    error
}

// digestSignedAhead starts the SHA-256 of the bytes f's signature covers,
// found as verifyPDFSignature finds them; nil if it would find none (its
// own checks then say why).
func digestSignedAhead(f *pdfread.File, r io.ReaderAt, size int64, opts Options) *signedDigestAhead {
	_, _, _, ranges, failed := signedRanges(f, size)
	if failed != nil {
		return nil
	}
	a := &signedDigestAhead{ranges: ranges, done: make(chan struct{})}
	s := signedBytes{r: r, ranges: ranges}
	d := opts.NewSHA256(ranges[1] + ranges[3])
	go func() {
		defer close(a.done)
		a.sum, a.err = hashSigned(d, s.reader())
	}()
	return a
}

// forRanges is a when it was taken of these ranges, else nil.
func (a *signedDigestAhead) forRanges(ranges [4]int64) *signedDigestAhead {
	if a == nil || a.ranges != ranges {
		return nil
	}
	return a
}
