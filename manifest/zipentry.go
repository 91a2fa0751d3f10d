package manifest

import (
	"archive/zip"
	"bufio"
	"compress/flate"
	"errors"
	"hash"
	"hash/crc32"
	"io"
	"sync"
)

// Reading an entry of a repacked container (OpenRepacked) from the
// compact index, as archive/zip's File.Open reads it.
//
// archive/zip's zip.File is about 300 bytes an entry, and it was held for
// as long as a repacked bundle was verified: 45 MB at 150,000 entries,
// which kept the collector running without pause under the verifier's
// soft memory limit (most of the CPU of such a run). OpenRepacked now
// keeps the same few numbers per entry as a canonical container does
// (entry: where the data starts, both sizes, CRC-32, method, flags) and
// opens entries itself. archive/zip offers no way to open an entry
// without its zip.File, so this file repeats what File.Open does, in the
// same order and with the same errors, so that no report changes:
// the local header's error at opening, the data read from a section of
// the compressed size, inflated for a deflated entry, zip.ErrFormat past
// the uncompressed size, io.ErrUnexpectedEOF short of it, then the data
// descriptor's CRC-32 (with or without its signature) or the central
// directory's when it is not 0, zip.ErrChecksum when they differ.
// TestZipEntryAgrees holds it to archive/zip's reader on repacked
// bundles and on changes of every byte of one.

// dataDescriptorLen is what archive/zip reads of a data descriptor: the
// signature, the CRC-32 and two 32-bit sizes.
const dataDescriptorLen = 16

// openZipEntry opens an entry of a repacked container (File.Open).
func (b *Bundle) openZipEntry(name string, e entry) (io.ReadCloser, error) {
	if err := b.headerErr[name]; err != nil {
		return nil, err
	}
	data := io.NewSectionReader(b.zip, e.data, e.csize)
	var rc io.ReadCloser
	switch e.method {
	case zip.Store:
		rc = io.NopCloser(data)
	case zip.Deflate:
		rc = newInflater(data)
	default: // OpenRepacked refuses other methods
		return nil, zip.ErrAlgorithm
	}
	z := &zipEntryReader{rc: rc, crc: crc32.NewIEEE(), e: e}
	if e.flags&0x8 != 0 {
		z.descriptor = io.NewSectionReader(b.zip, e.data+e.csize, dataDescriptorLen)
	}
	return z, nil
}

// zipEntryReader is archive/zip's checksumReader over the compact entry.
type zipEntryReader struct {
	rc         io.ReadCloser
	crc        hash.Hash32
	e          entry
	descriptor io.Reader // nil without a data descriptor
	nread      int64
	err        error // sticky
}

func (z *zipEntryReader) Read(p []byte) (int, error) {
	if z.err != nil {
		return 0, z.err
	}
	n, err := z.rc.Read(p)
	z.crc.Write(p[:n])
	z.nread += int64(n)
	if z.nread > z.e.size {
		return 0, zip.ErrFormat // not sticky, as archive/zip's
	}
	if err == nil {
		return n, nil
	}
	if err == io.EOF {
		if z.nread != z.e.size {
			return 0, io.ErrUnexpectedEOF // not sticky
		}
		err = z.checkEnd()
	}
	z.err = err
	return n, err
}

// checkEnd compares the data's CRC-32 at its end: io.EOF when it matches.
func (z *zipEntryReader) checkEnd() error {
	if z.descriptor != nil {
		switch err := readDataDescriptor(z.descriptor, z.e.crc); {
		case err == io.EOF:
			return io.ErrUnexpectedEOF
		case err != nil:
			return err
		}
	} else if z.e.crc == 0 {
		return io.EOF // archive/zip: a writer may not have known it
	}
	if z.crc.Sum32() != z.e.crc {
		return zip.ErrChecksum
	}
	return io.EOF
}

func (z *zipEntryReader) Close() error { return z.rc.Close() }

// readDataDescriptor checks the CRC-32 of a data descriptor, which may
// lack its signature (archive/zip's readDataDescriptor; the sizes are
// not compared).
func readDataDescriptor(r io.Reader, crc uint32) error {
	var buf [dataDescriptorLen]byte
	if _, err := io.ReadFull(r, buf[:4]); err != nil {
		return err
	}
	off := 0
	if le32(buf[:4]) != 0x08074b50 {
		off = 4 // no signature: these four bytes are the CRC-32
	}
	if _, err := io.ReadFull(r, buf[off:12]); err != nil {
		return err
	}
	if le32(buf[:4]) != crc { // with a signature, the CRC-32 was read over it
		return zip.ErrChecksum
	}
	return nil
}

// inflaters reuses flate's decoder (about 40 KB) and its input buffer
// from one opening to the next, as archive/zip does.
var inflaters sync.Pool

type inflaterState struct {
	fr io.ReadCloser
	br *bufio.Reader
}

// inflater is a pooled flate reader over one entry's data.
type inflater struct {
	mu sync.Mutex // a reader may be closed from another goroutine
	s  *inflaterState
}

func newInflater(data io.Reader) *inflater {
	s, ok := inflaters.Get().(*inflaterState)
	if ok {
		s.br.Reset(data)
		s.fr.(flate.Resetter).Reset(s.br, nil)
	} else {
		br := bufio.NewReader(data)
		s = &inflaterState{fr: flate.NewReader(br), br: br}
	}
	return &inflater{s: s}
}

func (f *inflater) Read(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.s == nil {
		return 0, errReadAfterClose
	}
	return f.s.fr.Read(p)
}

var errReadAfterClose = errors.New("Read after Close") // archive/zip's wording

func (f *inflater) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.s == nil {
		return nil
	}
	err := f.s.fr.Close()
	f.s.br.Reset(nil)
	inflaters.Put(f.s)
	f.s = nil
	return err
}
