package zipwrite

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"slices"
)

// Continuing a container: entries added after those of a container
// already written, without reading its directory into memory.
//
// Adding entries at the end of a container changes none of its entries'
// bytes (local headers, contents, data descriptors) and none of their
// central-directory records, which hold only the entries' own fields and
// the offsets of their local headers, which do not move. Only the end
// records change: they count the records and say where the directory
// starts. So Continue copies the entries as they are, the new entries
// follow, and Close copies the old records one at a time before the new
// ones' and writes the end records for all of them. What the Writer
// holds of the old container is a count, whatever its number of entries. For a container that New wrote, the result is what New
// writes for its entries and the new ones, byte for byte
// (TestContinueWritesNewsBytes).

// prior is what Close needs of the container a Writer continues.
type prior struct {
	directory *io.SectionReader // its central-directory records, copied at Close
	records   uint64            // how many: counted as they are copied
}

// Continue returns a Writer that adds entries to an existing container.
// entries holds the container's bytes before its central directory (its
// local headers, contents and data descriptors), copied to w now;
// directory holds its central-directory records, without the end records
// that follow them, copied by Close record by record before those of the
// entries added. Entry indexes (Name, Size, CompareNames) count the
// entries added only.
func Continue(w io.Writer, entries, directory *io.SectionReader) (*Writer, error) {
	zw := New(w)
	n, err := zw.w.ReadFrom(entries)
	zw.count = uint64(n)
	if err == nil && n != entries.Size() {
		err = io.ErrUnexpectedEOF
	}
	if err != nil {
		return nil, fmt.Errorf("zip: copying the entries of the container continued: %w", err)
	}
	zw.prior.directory = directory
	return zw, nil
}

// copyPriorDirectory copies the central-directory records of the
// container w continues, if any, counting them. Whether one of them has
// Zip64 fields need not be read: a size or an offset of 2³²−1 or more,
// before the directory, puts the directory's start past 2³²−1, which asks
// for the Zip64 end records anyway (writeEnd).
func (w *Writer) copyPriorDirectory() error {
	dir := w.prior.directory
	if dir == nil {
		return nil
	}
	r := bufio.NewReaderSize(dir, 64<<10)
	var h [centralHeaderLen]byte // a record's fixed part
	var tail []byte              // its name, extra field and comment: reused
	var copied int64
	for copied < dir.Size() {
		if _, err := io.ReadFull(r, h[:]); err != nil {
			return fmt.Errorf("zip: reading the directory continued at byte %d: %w", copied, err)
		}
		if binary.LittleEndian.Uint32(h[:]) != 0x02014b50 {
			return fmt.Errorf("zip: no central-directory record at byte %d of the directory continued", copied)
		}
		u16 := binary.LittleEndian.Uint16
		n := int(u16(h[28:])) + int(u16(h[30:])) + int(u16(h[32:])) // name, extra field, comment
		tail = slices.Grow(tail[:0], n)[:n]
		if _, err := io.ReadFull(r, tail); err != nil {
			return fmt.Errorf("zip: reading the record at byte %d of the directory continued: %w", copied, err)
		}
		if err := w.write(h[:]); err != nil {
			return err
		}
		if err := w.write(tail); err != nil {
			return err
		}
		copied += centralHeaderLen + int64(len(tail))
		w.prior.records++
	}
	return nil
}
