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
	crc   hash.Hash32
	e     entry
	nread int64
	err   error // sticky, as archive/zip's
}

func newStoredReader(zip io.ReaderAt, e entry) *storedReader {
	return &storedReader{r: io.NewSectionReader(zip, e.data, e.size), crc: crc32.NewIEEE(), e: e}
}

func (s *storedReader) Read(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	n, err := s.r.Read(p)
	s.crc.Write(p[:n])
	s.nread += int64(n)
	if err != io.EOF {
		return n, err
	}
	if s.nread != s.e.size {
		return 0, io.ErrUnexpectedEOF // not sticky, as archive/zip's
	}
	if s.crc.Sum32() != s.e.crc {
		err = zip.ErrChecksum
	}
	s.err = err
	return n, err
}

func (s *storedReader) Close() error { return nil }
