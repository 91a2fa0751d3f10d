package manifest

import (
	"errors"
	"fmt"
	"hash/crc32"
	"io"

	"github.com/custody-toolkit/custody/manifest/internal/zipwrite"
)

// Adding entries to a bundle in memory that does not grow with it.
//
// The custody log grows a bundle by a few entries at its end
// (custodylog/logwriter). Through archive/zip that meant reading the whole
// central directory (a zip.File, about 300 bytes, per entry) and writing
// it again (a header per entry, kept until Close): both grew with the
// messages, 158,000 entries in the largest bundle, beside the compact
// index OpenBundle holds. A canonical container needs neither. Every byte
// of it is what a writer writes for its entries (checkLayout), and adding
// entries at its end changes none of them but the end records': the
// entries' local headers, contents and data descriptors stay where they
// are, and their central-directory records hold only their own fields and
// those unchanged offsets. So the container is copied raw up to its
// central directory, the new entries follow, then its records, copied raw
// one at a time, the new ones and new end records (zipwrite.Continue).

// StoredEntry is an entry to add to a bundle: its name and its content,
// stored with its size and CRC-32 in its local header (no data
// descriptor), as the exporter writes META-INF.
type StoredEntry struct {
	Name string
	Data []byte
}

// AppendEntries writes to w the container b was opened from with the
// entries add after its own: b's bytes unchanged up to its central
// directory, the new entries, b's central-directory records, those of the
// new entries and the end records (Zip64 ones by archive/zip's rules).
// For a bundle without entries of 4 GiB or more or past 4 GiB, these are
// the bytes archive/zip wrote when it copied b's entries (Writer.Copy) and
// added these (CreateRaw with StoredHeader); with such entries, archive/zip
// wrote their local headers again from the central directory's Zip64
// fields, out of the canonical form, where these bytes keep them as they
// were. What it holds is the new entries and a copy buffer, whatever the
// number of b's entries. b must come from OpenBundle; a name refused by
// CheckEntryName, or equal to another under case folding, is an error
// before anything is written.
func (b *Bundle) AppendEntries(w io.Writer, add []StoredEntry) error {
	if !b.canonical {
		return errors.New("entries are added only to a bundle in the canonical layout (OpenBundle)")
	}
	for i, e := range add {
		if err := CheckEntryName(e.Name); err != nil {
			return err
		}
		if b.hasFolded(e.Name) || containsFolded(add[:i], e.Name) {
			return fmt.Errorf("duplicate entry %q", e.Name)
		}
	}
	zw, err := zipwrite.Continue(w, io.NewSectionReader(b.zip, 0, b.dirStart), io.NewSectionReader(b.zip, b.dirStart, b.dirEnd-b.dirStart))
	if err != nil {
		return err
	}
	for _, e := range add {
		ew, err := zw.CreateSized(e.Name, int64(len(e.Data)), crc32.ChecksumIEEE(e.Data))
		if err != nil {
			return err
		}
		if _, err := ew.Write(e.Data); err != nil {
			return err
		}
	}
	return zw.Close()
}

// hasFolded reports whether the bundle has an entry named name under case
// folding (the names are ASCII: CheckEntryName).
func (b *Bundle) hasFolded(name string) bool {
	for n := range b.EachName() {
		if compareFoldASCII(n, name) == 0 {
			return true
		}
	}
	return false
}

func containsFolded(entries []StoredEntry, name string) bool {
	for _, e := range entries {
		if compareFoldASCII(e.Name, name) == 0 {
			return true
		}
	}
	return false
}
