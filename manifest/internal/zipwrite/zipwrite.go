// Package zipwrite writes the bundle's ZIP container: stored entries only,
// either of known size and CRC-32 (in the local header, no data
// descriptor) or streamed (a data descriptor after the content), then the
// central directory, with Zip64 records where sizes, offsets or the
// number of entries need them. Continue adds entries to a container
// already written, copying its entries and its directory as they are
// (continue.go).
//
// Why not archive/zip: its Writer keeps a *FileHeader and a header for
// every entry until Close writes the central directory, about 300 bytes an
// entry, which made the directory the one thing that grew with the
// messages in an export (up to 200,000 entries, manifest.MaxEntries). This
// writer keeps a fixed 32-byte record per entry and the names in one
// buffer, about 60 bytes an entry. And the bundle's container is canonical
// (docs/bundle-format.md §1): its bytes are ours, not a Go release's
// (archive/zip promises no stable output, and its Zip64 rules changed in
// recent releases).
//
// The bytes are those of archive/zip of Go 1.27 for the same entries
// (CreateRaw with the sizes and CRC-32 set, CreateHeader with Method Store
// and no time), which the differential test proves against archive/zip
// itself. Only what a bundle uses is written: no compression, no times, no
// extra fields but Zip64's, no comments, ASCII names.
package zipwrite

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
)

const (
	version20  = 20 // stored entries (APPNOTE 4.4.3)
	version45  = 45 // Zip64
	uint16max  = 1<<16 - 1
	uint32max  = 1<<32 - 1
	flagStream = 0x8 // sizes and CRC-32 in a data descriptor after the content

	localHeaderLen   = 30
	centralHeaderLen = 46
	endLen           = 22
	end64Len         = 56
	end64LocatorLen  = 20
	zip64ExtraID     = 0x0001
)

// entry is what the central directory needs of an entry, once written.
type entry struct {
	offset  uint64 // of its local header
	size    uint64 // stored: compressed and uncompressed sizes are equal
	nameEnd uint32 // its name is names[previous entry's nameEnd:nameEnd]
	crc     uint32
	flags   uint16
}

// Writer writes a ZIP file to an io.Writer. An entry's content is written
// to the io.Writer that Create* returns, before the next Create* or Close.
type Writer struct {
	w      *bufio.Writer
	count  uint64 // bytes written so far: the next offset
	dir    []entry
	names  []byte
	open   *entryWriter // the entry being written, if any
	closed bool
	prior  prior // the entries of the container a Continue'd Writer extends
}

// New returns a Writer writing to w.
func New(w io.Writer) *Writer {
	return &Writer{w: bufio.NewWriter(w)}
}

// Len is the number of entries begun so far by this Writer (not counting
// those of the container it continues).
func (w *Writer) Len() int { return len(w.dir) }

// Name is the name of entry i, in the order written.
func (w *Writer) Name(i int) string { return string(w.name(i)) }

// Size is the size of entry i, once ended.
func (w *Writer) Size(i int) int64 { return int64(w.dir[i].size) }

// CompareNames compares the names of entries i and j as strings.Compare
// would, without making strings of them.
func (w *Writer) CompareNames(i, j int) int { return bytes.Compare(w.name(i), w.name(j)) }

func (w *Writer) name(i int) []byte {
	start := uint32(0)
	if i > 0 {
		start = w.dir[i-1].nameEnd
	}
	return w.names[start:w.dir[i].nameEnd]
}

// CreateSized begins an entry of size bytes with that CRC-32, both in its
// local header: exactly size bytes must be written to it, with that CRC-32,
// or EndEntry (or the next Create* or Close) fails.
func (w *Writer) CreateSized(name string, size int64, crc uint32) (io.Writer, error) {
	if size < 0 {
		return nil, fmt.Errorf("zip: entry %q of %d bytes", name, size)
	}
	return w.create(name, entry{size: uint64(size), crc: crc})
}

// CreateStreamed begins an entry whose size and CRC-32 are known only at
// its end: they follow its content in a data descriptor.
func (w *Writer) CreateStreamed(name string) (io.Writer, error) {
	return w.create(name, entry{flags: flagStream})
}

func (w *Writer) create(name string, e entry) (io.Writer, error) {
	if err := w.EndEntry(); err != nil {
		return nil, err
	}
	if w.closed {
		return nil, errors.New("zip: create after close")
	}
	if err := checkName(name); err != nil {
		return nil, err
	}
	if len(w.names)+len(name) > uint32max {
		return nil, errors.New("zip: more than 4 GiB of entry names")
	}
	e.offset = w.count
	w.names = append(w.names, name...)
	e.nameEnd = uint32(len(w.names))
	w.dir = append(w.dir, e)
	if err := w.writeLocalHeader(name, e); err != nil {
		return nil, err
	}
	w.open = &entryWriter{w: w, crc: crc32.NewIEEE()}
	return w.open, nil
}

// checkName refuses what would make archive/zip's bytes differ from ours
// (a name that needs the UTF-8 flag) or the name's length overflow.
func checkName(name string) error {
	if len(name) == 0 || len(name) > uint16max {
		return fmt.Errorf("zip: entry name of %d bytes", len(name))
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; c < 0x20 || c > 0x7d || c == '\\' {
			return fmt.Errorf("zip: entry name %q: byte %#x is outside the portable ASCII of entry names", name, c)
		}
	}
	if name[len(name)-1] == '/' {
		return fmt.Errorf("zip: entry name %q: a folder entry", name)
	}
	return nil
}

// writeLocalHeader writes the entry's local header: the sizes and CRC-32
// if known (Zip64 placeholders and extra field if a size exceeds 32 bits),
// zeroes if streamed (archive/zip's choice: no Zip64 in a streamed local
// header, the data descriptor says).
func (w *Writer) writeLocalHeader(name string, e entry) error {
	var b [localHeaderLen + 20]byte
	sized := e.flags&flagStream == 0
	zip64 := sized && e.size > uint32max
	h := b[:0]
	h = le32(h, 0x04034b50)
	h = le16(h, pick(zip64, version45, version20))
	h = le16(h, e.flags)
	h = le16(h, 0) // method: stored
	h = le32(h, 0) // time and date: none
	switch {
	case zip64:
		h = le32(h, e.crc)
		h = le32(h, uint32max)
		h = le32(h, uint32max)
	case sized:
		h = le32(h, e.crc)
		h = le32(h, uint32(e.size))
		h = le32(h, uint32(e.size))
	default:
		h = append(h, make([]byte, 12)...)
	}
	h = le16(h, uint16(len(name)))
	h = le16(h, pick(zip64, 20, 0))
	if err := w.write(h); err != nil {
		return err
	}
	if err := w.write([]byte(name)); err != nil {
		return err
	}
	if zip64 {
		x := le16(b[:0], zip64ExtraID)
		x = le16(x, 16)
		x = le64(x, e.size)
		x = le64(x, e.size)
		return w.write(x)
	}
	return nil
}

// EndEntry ends the entry being written, if any: checks a sized entry's
// bytes, writes a streamed one's data descriptor. The next Create* or
// Close does it too; calling it names the entry that was wrong at once.
func (w *Writer) EndEntry() error {
	ew := w.open
	if ew == nil {
		return nil
	}
	w.open = nil
	ew.closed = true
	e := &w.dir[len(w.dir)-1]
	if e.flags&flagStream == 0 {
		if ew.n != e.size || ew.crc.Sum32() != e.crc {
			return fmt.Errorf("zip: entry %q: %d bytes with CRC-32 %08x written, %d bytes with %08x announced",
				w.Name(len(w.dir)-1), ew.n, ew.crc.Sum32(), e.size, e.crc)
		}
		return nil
	}
	e.size, e.crc = ew.n, ew.crc.Sum32()
	d := le32(make([]byte, 0, 24), 0x08074b50)
	d = le32(d, e.crc)
	if e.size > uint32max {
		d = le64(le64(d, e.size), e.size)
	} else {
		d = le32(le32(d, uint32(e.size)), uint32(e.size))
	}
	return w.write(d)
}

// Close ends the last entry and writes the central directory and its end
// records; it does not close the underlying writer.
func (w *Writer) Close() error {
	if err := w.EndEntry(); err != nil {
		return err
	}
	if w.closed {
		return errors.New("zip: writer closed twice")
	}
	w.closed = true
	start, zip64 := w.count, false
	if err := w.copyPriorDirectory(); err != nil {
		return err
	}
	for i := range w.dir {
		used, err := w.writeCentralHeader(i)
		if err != nil {
			return err
		}
		zip64 = zip64 || used
	}
	if err := w.writeEnd(start, zip64); err != nil {
		return err
	}
	return w.w.Flush()
}

// writeCentralHeader writes entry i's central directory header. As
// archive/zip does, a Zip64 extra field is written when a size or the
// offset reaches 2³²−1, and holds the fields that do.
func (w *Writer) writeCentralHeader(i int) (zip64 bool, err error) {
	e := w.dir[i]
	name := w.name(i)
	var extra []byte
	if e.size >= uint32max || e.offset >= uint32max {
		extra = le16(make([]byte, 0, 28), zip64ExtraID)
		extra = le16(extra, 0) // its size, set below
		if e.size >= uint32max {
			extra = le64(le64(extra, e.size), e.size) // uncompressed, compressed
		}
		if e.offset >= uint32max {
			extra = le64(extra, e.offset)
		}
		binary.LittleEndian.PutUint16(extra[2:], uint16(len(extra)-4))
	}
	h := make([]byte, 0, centralHeaderLen)
	h = le32(h, 0x02014b50)
	h = le16(h, version20) // made by
	h = le16(h, pick(extra != nil, version45, version20))
	h = le16(h, e.flags)
	h = le16(h, 0) // method: stored
	h = le32(h, 0) // time and date: none
	h = le32(h, e.crc)
	h = le32(h, uint32(min(e.size, uint32max)))
	h = le32(h, uint32(min(e.size, uint32max)))
	h = le16(h, uint16(len(name)))
	h = le16(h, uint16(len(extra)))
	h = append(h, make([]byte, 6)...) // comment length, disk number, internal attributes
	h = le32(h, 0)                    // external attributes
	h = le32(h, uint32(min(e.offset, uint32max)))
	if err := w.write(h); err != nil {
		return false, err
	}
	if err := w.write(name); err != nil {
		return false, err
	}
	return extra != nil, w.write(extra)
}

// writeEnd writes the end of central directory record, after the Zip64
// end record and its locator when an entry used Zip64 or the count, size
// or offset of the directory needs it.
func (w *Writer) writeEnd(start uint64, zip64 bool) error {
	end, records := w.count, w.prior.records+uint64(len(w.dir))
	size := end - start
	b := make([]byte, 0, end64Len+end64LocatorLen+endLen)
	if zip64 || records >= uint16max || size >= uint32max || start >= uint32max {
		b = le32(b, 0x06064b50)
		b = le64(b, end64Len-12) // its length after this field
		b = le16(b, version45)   // made by
		b = le16(b, version45)   // needed
		b = le32(b, 0)           // this disk
		b = le32(b, 0)           // the directory's disk
		b = le64(b, records)     // on this disk
		b = le64(b, records)     // in all
		b = le64(b, size)
		b = le64(b, start)
		b = le32(b, 0x07064b50) // locator
		b = le32(b, 0)          // the Zip64 end record's disk
		b = le64(b, end)
		b = le32(b, 1) // disks
	}
	b = le32(b, 0x06054b50)
	b = le32(b, 0) // this disk, the directory's disk
	b = le16(b, uint16(min(records, uint16max)))
	b = le16(b, uint16(min(records, uint16max)))
	b = le32(b, uint32(min(size, uint32max)))
	b = le32(b, uint32(min(start, uint32max)))
	b = le16(b, 0) // comment length
	return w.write(b)
}

func (w *Writer) write(p []byte) error {
	n, err := w.w.Write(p)
	w.count += uint64(n)
	return err
}

// entryWriter takes an entry's content, counting and checksumming it.
type entryWriter struct {
	w      *Writer
	crc    hash.Hash32
	n      uint64
	closed bool
}

func (ew *entryWriter) Write(p []byte) (int, error) {
	if ew.closed {
		return 0, errors.New("zip: write to an entry already ended")
	}
	ew.crc.Write(p)
	n, err := ew.w.w.Write(p)
	ew.w.count += uint64(n)
	ew.n += uint64(n)
	return n, err
}

func pick(cond bool, yes, no uint16) uint16 {
	if cond {
		return yes
	}
	return no
}

func le16(b []byte, v uint16) []byte { return binary.LittleEndian.AppendUint16(b, v) }
func le32(b []byte, v uint32) []byte { return binary.LittleEndian.AppendUint32(b, v) }
func le64(b []byte, v uint64) []byte { return binary.LittleEndian.AppendUint64(b, v) }
