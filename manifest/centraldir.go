package manifest

import (
	"archive/zip"
	"bufio"
	"encoding/binary"
	"io"
	"slices"
)

// Reading a canonical container record by record.
//
// archive/zip reads a whole central directory into a zip.File per entry,
// about 300 bytes each: up to MaxEntries of them, some 60 MB, held until
// OpenBundle had compacted them into its index, and a map of the names
// folded to lower case beside them for the duplicate check. That was the
// highest transient of a verification. A canonical container needs none
// of it: every byte of its ZIP structure follows from the entries' names,
// contents and order (checkLayout), so openCanonical walks the central
// directory as a stream, one record at a time, checks each record and its
// local header with checkLocal and the record's own checks (the ones
// checkLayout makes), and keeps of each entry only the compact index
// (name, data offset, size, CRC-32). It is written by hand because
// archive/zip offers no way to read a directory without holding it, and a
// strict reader needs no more of ZIP than the canonical form.
//
// It only ever accepts: anything it does not find canonical, it leaves to
// the reader through archive/zip (openDiagnosed), which says what is wrong
// with today's words and verdicts, and whose checks are the same functions.
// So the hand parser cannot change a verdict, only make the accepted case
// cheap; TestOpenCanonicalAgrees and FuzzOpenCanonical hold it to accept
// nothing that the reader through archive/zip would refuse, with the same
// index.

// endLen is the length of the end-of-central-directory record; zip64EndLen
// that of the ZIP64 end record and its locator, when they are needed.
const (
	endLen      = 22
	endSig      = 0x06054b50
	zip64EndLen = 56 + 20
)

// canonicalDirectory reads the end records of a canonical container: the
// number of entries and where the central directory starts (checkEnd
// holds them to the canonical form once the directory is read).
func canonicalDirectory(r io.ReaderAt, size int64) (entries uint64, cdStart int64, ok bool) {
	var e [endLen]byte
	if size < endLen {
		return 0, 0, false
	}
	if _, err := r.ReadAt(e[:], size-endLen); err != nil || le32(e[:]) != endSig {
		return 0, 0, false
	}
	entries, cdStart = uint64(le16(e[10:])), int64(le32(e[16:]))
	if entries != 0xffff && cdStart != 0xffffffff {
		return entries, cdStart, true
	}
	var z [zip64EndLen]byte
	if size < endLen+zip64EndLen {
		return 0, 0, false
	}
	if _, err := r.ReadAt(z[:], size-endLen-zip64EndLen); err != nil || le32(z[:]) != 0x06064b50 {
		return 0, 0, false
	}
	return binary.LittleEndian.Uint64(z[32:]), int64(binary.LittleEndian.Uint64(z[48:])), true
}

// openCanonical opens r if it is a canonical container whose entries pass
// checkEntries' rules, reading its central directory record by record;
// false for anything else, which openDiagnosed then explains.
func openCanonical(r io.ReaderAt, size int64) (*Bundle, bool) {
	entries, cdStart, ok := canonicalDirectory(r, size)
	// Each entry takes at least a local header and a central record: a
	// count the file cannot hold is not believed, and not allocated.
	if !ok || entries == 0 || entries > MaxEntries || cdStart < 0 || cdStart >= size ||
		entries > uint64(size/(30+centralLen)) {
		return nil, false
	}
	n := int(entries)
	b := &Bundle{zip: r, names: newNameTable(n, min(size-cdStart-int64(n)*centralLen, int64(n)*255)), entries: make([]entry, 0, n)}
	cd := bufio.NewReaderSize(io.NewSectionReader(r, cdStart, size-cdStart), 64<<10)
	var form formTally
	var buf []byte   // a central record, reused
	var hdr [30]byte // a local header, reused (it escapes to the heap)
	pos, cdPos, needZip64 := int64(0), cdStart, n >= 0xffff
	for range n {
		var f record
		var tailLen int64
		f, tailLen, buf, ok = readCanonicalRecord(cd, pos, buf, &b.names)
		if !ok {
			return nil, false
		}
		if _, err := r.ReadAt(hdr[:], pos); err != nil || le32(hdr[:]) != 0x04034b50 {
			return nil, false
		}
		end, err := checkLocal(r, pos, hdr[:], f)
		if err != nil || end > size || !entryAllowed(f) {
			return nil, false
		}
		needZip64 = needZip64 || needsZip64(f, pos)
		b.entries = append(b.entries, entry{size: int64(f.size), data: pos + 30 + int64(len(f.name)) + int64(le16(hdr[28:])), crc: f.crc})
		form.add(f.name, f.flags&0x8 != 0)
		pos, cdPos = end, cdPos+centralLen+tailLen
	}
	needZip64 = needZip64 || cdPos-cdStart >= 0xffffffff || cdStart >= 0xffffffff
	if pos != cdStart || checkEnd(r, size, cdPos, cdStart, n, needZip64) != nil || foldedDuplicate(&b.names) {
		return nil, false
	}
	b.index()
	b.canonical, b.form = true, form.form()
	b.dirStart, b.dirEnd = cdStart, cdPos
	if !b.mimetypeCanonical() || !b.Has(ManifestName) {
		return nil, false
	}
	return b, true
}

// readCanonicalRecord reads the next central-directory record from cd and
// returns its entry if the record is canonical for a local header at
// offset (centralCanonical, centralTailMatches), with the length of its
// name and extra field. The record is read into buf (returned, grown if
// need be: a buffer per record was most of what the opening allocated),
// its name into names (the entry's name from then on: a string of its
// own each was most of the rest).
func readCanonicalRecord(cd *bufio.Reader, offset int64, buf []byte, names *nameTable) (f record, tailLen int64, _ []byte, ok bool) {
	buf = slices.Grow(buf[:0], centralLen)[:centralLen]
	if _, err := io.ReadFull(cd, buf); err != nil || le32(buf) != centralSig {
		return record{}, 0, buf, false
	}
	nameLen, extraLen := int(le16(buf[28:])), int(le16(buf[30:]))
	buf = slices.Grow(buf, nameLen+extraLen)[:centralLen+nameLen+extraLen]
	h, tail := buf[:centralLen], buf[centralLen:]
	if _, err := io.ReadFull(cd, tail); err != nil {
		return record{}, 0, buf, false
	}
	f = record{name: names.addBytes(tail[:nameLen]), flags: le16(h[8:]), crc: le32(h[16:]),
		csize: uint64(le32(h[20:])), size: uint64(le32(h[24:]))}
	if f.size == 0xffffffff {
		// The canonical ZIP64 field holds both sizes, and the offset
		// after them when it needs one (canonicalExtra).
		extra := tail[nameLen:]
		if len(extra) < 20 {
			return record{}, 0, buf, false
		}
		f.size, f.csize = binary.LittleEndian.Uint64(extra[4:]), binary.LittleEndian.Uint64(extra[12:])
	}
	if !centralCanonical(h, f, offset) || !centralTailMatches(tail, f, offset) {
		return record{}, 0, buf, false
	}
	return f, int64(len(tail)), buf, true
}

// entryAllowed is checkEntries' rule for one entry of a canonical record
// (which is stored, with flags 0 or 8): a clean name, equal sizes, a
// regular file as archive/zip's Mode says.
func entryAllowed(f record) bool {
	mode := (&zip.FileHeader{Name: f.name, CreatorVersion: zipVersion20}).Mode() // canonical: made by 2.0 or 4.5 on MS-DOS, attributes 0
	return CheckEntryName(f.name) == nil && f.csize == f.size && mode.IsRegular()
}

// foldedDuplicate reports whether two names are equal under case folding.
// The names passed CheckEntryName, so they are ASCII: sorting indexes of
// them is enough, where a map of folded names took about 100 bytes an
// entry.
func foldedDuplicate(names *nameTable) bool {
	order := make([]int32, names.len())
	for i := range order {
		order[i] = int32(i)
	}
	folded := func(i, j int32) int { return compareFoldASCII(names.at(int(i)), names.at(int(j))) }
	slices.SortFunc(order, folded)
	for k := 1; k < len(order); k++ {
		if folded(order[k-1], order[k]) == 0 {
			return true
		}
	}
	return false
}

// compareFoldASCII compares a and b as strings.ToLower would leave them,
// for ASCII names, without allocating.
func compareFoldASCII(a, b string) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		ca, cb := lowerASCII(a[i]), lowerASCII(b[i])
		if ca != cb {
			return int(ca) - int(cb)
		}
	}
	return len(a) - len(b)
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// mimetypeCanonical is checkEntries' rule for the first entry: mimetype,
// stored without extra field or data descriptor, holding MediaType.
func (b *Bundle) mimetypeCanonical() bool {
	if b.names.at(0) != MimetypeName || b.entries[0].size != int64(len(MediaType)) || b.entries[0].data != 30+int64(len(MimetypeName)) {
		return false
	}
	got, err := b.ReadSmall(MimetypeName, 256)
	return err == nil && string(got) == MediaType
}

// directoryWalk is what a walk over the central directory that
// archive/zip would read finds, without holding it: how many records, and
// whether their names are a bundle's (IsBundleZip, but for a mimetype
// entry by its name alone) or a WhatsApp export's.
type directoryWalk struct {
	records              int64
	bundleName, whatsApp bool
}

// walkDirectory walks the central directory that archive/zip would read
// (where the end record that it finds says, or as far after it as the
// end record's own offset says when data was prepended: its baseOffset),
// record by record, holding none: archive/zip reads every record before
// any cap applies, about 300 bytes each, and a directory can state a
// count modulo 65,536 that it does not hold (testbundle.ManyEntries).
// False when there is no end record.
func walkDirectory(r io.ReaderAt, size int64) (directoryWalk, bool) {
	end, dirSize, dirOff, ok := findEnd(r, size)
	if !ok {
		return directoryWalk{}, false
	}
	start := end - dirSize // dirOff plus archive/zip's baseOffset, which may be negative
	if start > dirOff && isCentralAt(r, dirOff) {
		start = dirOff // archive/zip prefers a directory where the end record says
	}
	if start < 0 || start >= size {
		return directoryWalk{}, false
	}
	var w directoryWalk
	cd := bufio.NewReaderSize(io.NewSectionReader(r, start, size-start), 64<<10)
	var h [centralLen]byte // outside the loop: it escapes to the heap
	var name []byte
	for {
		if _, err := io.ReadFull(cd, h[:]); err != nil || le32(h[:]) != centralSig {
			return w, true
		}
		name = slices.Grow(name[:0], int(le16(h[28:])))[:le16(h[28:])]
		if _, err := io.ReadFull(cd, name); err != nil {
			return w, true
		}
		if _, err := cd.Discard(int(le16(h[30:])) + int(le16(h[32:]))); err != nil {
			return w, true
		}
		w.records++
		switch string(name) {
		case ManifestName, SignatureName, MimetypeName:
			w.bundleName = true
		}
		w.whatsApp = w.whatsApp || isWhatsAppName(string(name))
	}
}

func isCentralAt(r io.ReaderAt, off int64) bool {
	var sig [4]byte
	_, err := r.ReadAt(sig[:], off)
	return err == nil && le32(sig[:]) == centralSig
}

// findEnd finds the end record as archive/zip does (the last signature
// within the largest comment from the end whose comment fits) and
// returns where it is, with the directory's size and offset, from the
// ZIP64 end record when the end record's are saturated.
func findEnd(r io.ReaderAt, size int64) (end, dirSize, dirOff int64, ok bool) {
	tail := make([]byte, min(size, endLen+0xffff))
	at := size - int64(len(tail))
	if _, err := r.ReadAt(tail, at); err != nil {
		return 0, 0, 0, false
	}
	for i := len(tail) - endLen; i >= 0; i-- {
		if le32(tail[i:]) != endSig {
			continue
		}
		if i+endLen+int(le16(tail[i+20:])) > len(tail) {
			return 0, 0, 0, false // a truncated comment: archive/zip stops here too
		}
		end, dirSize, dirOff = at+int64(i), int64(le32(tail[i+12:])), int64(le32(tail[i+16:]))
		// archive/zip looks for the ZIP64 records when these are
		// saturated (the size at 16 bits, as it does).
		if le16(tail[i+10:]) == 0xffff || dirSize == 0xffff || dirOff == 0xffffffff {
			if z, ok := zip64End(r, end); ok {
				dirSize, dirOff = int64(binary.LittleEndian.Uint64(z[40:])), int64(binary.LittleEndian.Uint64(z[48:]))
			}
		}
		return end, dirSize, dirOff, true
	}
	return 0, 0, 0, false
}

// zip64End is the ZIP64 end record, its locator just before the end
// record at end.
func zip64End(r io.ReaderAt, end int64) ([56]byte, bool) {
	var loc [20]byte
	var z [56]byte
	if _, err := r.ReadAt(loc[:], end-20); err != nil || le32(loc[:]) != 0x07064b50 {
		return z, false
	}
	off := int64(binary.LittleEndian.Uint64(loc[8:]))
	if _, err := r.ReadAt(z[:], off); err != nil || le32(z[:]) != 0x06064b50 {
		return z, false
	}
	return z, true
}
