package manifest

import (
	"archive/zip"
	"hash"
	"hash/crc32"
	"io"
)

// storedReader reads a canonical container's entry in place and checks
// its CRC-32 at the end as archive/zip's reader does (its
// checksumReader), so that holding four numbers per entry instead of a
// zip.File changes no verdict: the same errors (zip.ErrChecksum,
// io.ErrUnexpectedEOF) at the same point. The data descriptor, when
// there is one, was already held to the central directory's CRC-32 and
// sizes by checkLayout; archive/zip reads it again at the end, which
// with that check comes to comparing the data's CRC-32 with the central
// directory's unconditionally. Without a descriptor archive/zip compares
// only a CRC-32 that is not 0 (a writer may not know it); this reader
// compares it always, since a canonical container's writer always knows
// it: otherwise both CRC fields of an entry could be zeroed, four bytes
// changed that no check sees (TestStoredEntryZeroCRC).
type storedReader struct {
	r     *io.SectionReader
	crc   hash.Hash32 // nil: not computed (Bundle.SkipCRC)
	e     entry
	nread int64
	err   error // sticky, as archive/zip's
}

func newStoredReader(zip io.ReaderAt, e entry, checkCRC bool) *storedReader {
	s := &storedReader{r: io.NewSectionReader(zip, e.data, e.size), e: e}
	if checkCRC {
		s.crc = crc32.NewIEEE()
	}
	return s
}

func (s *storedReader) Read(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	n, err := s.r.Read(p)
	if s.crc != nil {
		s.crc.Write(p[:n])
	}
	s.nread += int64(n)
	if err != io.EOF {
		return n, err
	}
	if s.nread != s.e.size {
		return 0, io.ErrUnexpectedEOF // not sticky, as archive/zip's
	}
	if s.crc != nil && s.crc.Sum32() != s.e.crc {
		err = zip.ErrChecksum
	}
	s.err = err
	return n, err
}

func (s *storedReader) Close() error { return nil }

// RangeDigest computes, in one pass, the SHA-256 and the CRC-32 (IEEE) of
// bytes [off, off+n) of r: a bundle's container, from which
// Bundle.DigestStored asks it for a stored entry's data. It returns an
// error when it cannot (r is not a reader it knows, a read failed); the
// entry is then read as usual. The web verifier's reads the range from
// the browser's File in one slice and has the browser's native SHA-256
// digest it, instead of verify's reading it a block at a time through
// its WebAssembly (verify.Options.DigestRange).
type RangeDigest func(r io.ReaderAt, off, n int64) (sha256 [32]byte, crc uint32, err error)

// DigestStored is the SHA-256 of entry name computed by digest over its
// data in place, when the bundle is a canonical container (OpenBundle:
// every entry stored, read in place); the CRC-32 digest gives is held to
// the entry's as reading it with Open holds it: zip.ErrChecksum, or
// noted (TolerateCRC). done is false, and the entry is to be read with
// Open, for any other bundle or entry, and when digest fails: whatever
// that reading would report, it then reports.
func (b *Bundle) DigestStored(name string, digest RangeDigest) (sum [32]byte, done bool, err error) {
	e, ok := b.lookup(name)
	if !ok || b.root != nil || b.zipped || b.manifestSpill != nil && name == ManifestName {
		return sum, false, nil // openRaw reads it otherwise than storedReader
	}
	sum, crc, err := digest(b.zip, e.data, e.size)
	if err != nil {
		return sum, false, nil
	}
	if crc != e.crc {
		if !b.tolerateCRC {
			return sum, true, zip.ErrChecksum
		}
		b.noteCRC(name)
	}
	return sum, true, nil
}
