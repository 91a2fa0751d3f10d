package manifest

import (
	"archive/zip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"os"
	"slices"
	"strings"
	"sync"
)

// Limits bound what OpenBundle accepts, so that a hostile file cannot make a
// reader use unbounded memory or time.
const (
	MaxEntries       = 200_000
	MaxManifestSize  = 64 << 20
	MaxMessageSize   = 16 << 20
	MaxMetaEntrySize = 1 << 20
)

// ErrNotBundle is returned (wrapped) when the input cannot be read as a ZIP
// at all: an unreadable input, not an altered bundle.
var ErrNotBundle = errors.New("not a custody bundle")

// ContainerError is a violation of the container rules by a readable ZIP:
// evidence of alteration or forgery.
type ContainerError struct{ Reason string }

func (e *ContainerError) Error() string { return e.Reason }

// TooLargeError is a manifest larger than this reader reads
// (MaxManifestSize): a limit of the reader, which bounds its memory, not
// a rule of the format, and one that an exporter of about 160,000
// messages passes. Not proof that anything was altered.
type TooLargeError struct {
	Name        string
	Size, Limit int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%s is %d bytes, more than the %d this verifier reads", e.Name, e.Size, e.Limit)
}

// checkManifestReadable reads the manifest through to its end, as its
// bytes were once read here whole, so that an entry that cannot be read
// (a deflated one that does not inflate to its size) is refused at the
// opening, whatever its CRC-32 says (the manifest's own signature is what
// holds its bytes, and a CRC-32 edited alone must not decide between a
// repacked and an altered bundle: TolerateCRC). It holds none of it:
// ReadManifest and OpenManifest read it again.
func (b *Bundle) checkManifestReadable() error {
	if size, _ := b.Size(ManifestName); size > MaxManifestSize {
		return &TooLargeError{Name: ManifestName, Size: size, Limit: MaxManifestSize}
	}
	e, ok := b.lookup(ManifestName)
	if !ok {
		return containerErr("entry %s: %v", ManifestName, containerErr("no entry %s", ManifestName))
	}
	rc, err := b.openRaw(ManifestName, e)
	if err != nil {
		return containerErr("entry %s: %v", ManifestName, err)
	}
	defer rc.Close()
	spill := b.newManifestSpill(e)
	n, err := io.Copy(spill.writer(), io.LimitReader(rc, e.size+1))
	end := error(io.EOF)
	if errors.Is(err, zip.ErrChecksum) { // as OpenManifest reads it (crcTolerant)
		b.noteCRC(ManifestName)
		end, err = err, nil
	}
	if err := readErr(ManifestName, n, e.size, err); err != nil {
		spill.discard()
		return err
	}
	b.manifestSpill = spill.keep(b, end)
	return nil
}

// ReadManifest reads the manifest's exact bytes (up to MaxManifestSize),
// whatever its CRC-32 (checkManifestReadable): check them against the
// signature. A verifier that does not hold them reads OpenManifest.
func (b *Bundle) ReadManifest() ([]byte, error) {
	return b.readSmall(ManifestName, MaxManifestSize, true)
}

// OpenManifest streams the manifest's bytes, whatever its CRC-32, as
// ReadManifest reads them.
func (b *Bundle) OpenManifest() (io.ReadCloser, error) {
	e, ok := b.lookup(ManifestName)
	if !ok {
		return nil, containerErr("no entry %s", ManifestName)
	}
	return b.openEntry(ManifestName, e, true)
}

func containerErr(format string, args ...any) error {
	return &ContainerError{Reason: fmt.Sprintf(format, args...)}
}

// Bundle is an opened bundle: by OpenBundle, a container that passed the
// strict checks; by OpenRepacked or OpenDir, the files of a bundle read
// from another container (repacked.go).
type Bundle struct {
	names   nameTable
	entries []entry // entries[i] is the i-th name's
	// byName indexes names in sorted order, for a lookup by binary
	// search: 4 bytes an entry where a map took about 60 (index).
	byName []int32
	zip    io.ReaderAt // of the ZIP entries
	// zipped: the entries are a ZIP's read as archive/zip reads them
	// (OpenRepacked; zipentry.go), headerErr holding the error of a
	// local header that could not be read, by name. root: the entries
	// are files of an extracted folder (OpenDir).
	zipped    bool
	headerErr map[string]error
	root      *os.Root
	// manifestSpill holds a deflated manifest's bytes, decoded once at
	// the opening, for the readings after it (spill.go).
	manifestSpill *spilled
	// Ignored lists what OpenRepacked and OpenDir left out as not part of
	// a bundle (operating-system junk, names outside the bundle's
	// folders); always empty for OpenBundle.
	Ignored []string

	// canonical: opened by OpenBundle, in the canonical layout; form is
	// then its data-descriptor form (descriptor.go), and the central
	// directory's records run from dirStart to dirEnd (AppendEntries).
	canonical        bool
	form             DescriptorForm
	dirStart, dirEnd int64

	mu      sync.Mutex
	closers []func() // what Close releases

	// tolerateCRC: see TolerateCRC; crcWrong lists the entries read
	// whose CRC-32 did not match their data (under mu: a verifier reads
	// entries from two goroutines).
	tolerateCRC bool
	crcWrong    []string
	// skipCRC: see SkipCRC.
	skipCRC bool
}

// TolerateCRC makes an entry whose ZIP CRC-32 does not match its data
// read to its end without error; CRCMismatches lists it instead. A
// CRC-32 is framing, not content: a verifier that holds every entry's
// bytes to the seal (a digest or a signature) learns from the seal
// whether the content was altered, and from this list that the container
// is not the one sealed (bundle-format.md §1.1), the same for a CRC-32
// edited alone as for any other header field.
func (b *Bundle) TolerateCRC() { b.tolerateCRC = true }

// SkipCRC has the entries of a canonical container read without their
// CRC-32 computed: none is compared, none noted. For a second reader of a
// container whose every entry another reader holds to the seal and to its
// CRC-32: the web verifier's Web Worker, which renders record.pdf again
// while the page's own instance checks each entry (a CRC-32 that does not
// match is reported there, CONTAINER_REPACKED, and a comparison reads on
// past it, as verify's own does under TolerateCRC). The worker read its
// photos three times, a CRC-32 each time: a tenth of its work
// (docs/performance.md, "The web verifier: digesters, reads ahead, warmed
// up"). A repacked container's entries
// are read by archive/zip, which checks them still.
func (b *Bundle) SkipCRC() { b.skipCRC = true }

// CRCMismatches lists, in the order they were read, the entries whose
// CRC-32 did not match their data (TolerateCRC).
func (b *Bundle) CRCMismatches() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.crcWrong)
}

// noteCRC lists name once, however often it is read.
func (b *Bundle) noteCRC(name string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !slices.Contains(b.crcWrong, name) && len(b.crcWrong) < maxCRCNoted {
		b.crcWrong = append(b.crcWrong, name)
	}
}

// maxCRCNoted bounds the list (and the time to keep it unique): a few
// names say that the container is not the sealed one as well as all.
const maxCRCNoted = 16

// crcTolerant ends an entry at its data's end when only its CRC-32 is
// wrong, and notes the entry (TolerateCRC).
type crcTolerant struct {
	io.ReadCloser
	b    *Bundle
	name string
}

func (r *crcTolerant) Read(p []byte) (int, error) {
	n, err := r.ReadCloser.Read(p)
	if errors.Is(err, zip.ErrChecksum) {
		r.b.noteCRC(r.name)
		err = io.EOF
	}
	return n, err
}

// entry is one file of a bundle, held as a few numbers, 32 bytes: a
// bundle has up to MaxEntries of them, and archive/zip's zip.File, about
// 300 bytes each, was a fifth of what a verifier of 100,000 messages
// held. An entry of a canonical container (OpenBundle) is read in place
// (storedReader), one of a repacked ZIP as archive/zip reads it
// (zipentry.go), a file of an extracted folder by its name (Bundle.root).
type entry struct {
	size  int64 // uncompressed
	data  int64 // where a ZIP entry's data starts in the bundle's zip
	csize int64 // a repacked entry's compressed size
	crc   uint32
	// a repacked entry's compression method and general-purpose flags
	method, flags uint16
}

func (b *Bundle) add(name string, e entry) {
	b.names.add(name)
	b.entries = append(b.entries, e)
}

// index makes the entries added so far found by name (lookup): called
// once they are all added, before the first lookup. Names are unique
// (every way of opening a bundle refuses a duplicate).
func (b *Bundle) index() {
	b.names.trim()
	b.byName = make([]int32, b.names.len())
	for i := range b.byName {
		b.byName[i] = int32(i)
	}
	slices.SortFunc(b.byName, func(i, j int32) int { return strings.Compare(b.names.at(int(i)), b.names.at(int(j))) })
}

// lookup returns the entry of that name.
func (b *Bundle) lookup(name string) (entry, bool) {
	k, ok := slices.BinarySearchFunc(b.byName, name, func(i int32, name string) int { return strings.Compare(b.names.at(int(i)), name) })
	if !ok {
		return entry{}, false
	}
	return b.entries[b.byName[k]], true
}

// addZip adds a ZIP entry of r, the bundle's zip, to be read as
// archive/zip reads it (openZipEntry): its local header is read now, and
// an error reading it is kept for the entry's opening, where archive/zip
// gives it.
func (b *Bundle) addZip(r io.ReaderAt, f *zip.File) {
	b.zip, b.zipped = r, true
	data, err := f.DataOffset() // archive/zip's findBodyOffset
	if err != nil {
		if b.headerErr == nil {
			b.headerErr = map[string]error{}
		}
		b.headerErr[f.Name] = err
	}
	b.add(f.Name, entry{size: int64(f.UncompressedSize64), data: data, csize: int64(f.CompressedSize64),
		crc: f.CRC32, method: f.Method, flags: f.Flags})
}

// compact replaces the entries of a canonical container, checked by
// checkLayout, by their numbers (dataAt: where each one's data starts),
// so that archive/zip's directory is not held after OpenBundle.
func (b *Bundle) compact(files []*zip.File, dataAt []int64) {
	for i, f := range files {
		b.entries[i] = entry{size: int64(f.UncompressedSize64), data: dataAt[i], crc: f.CRC32}
	}
	b.zipped, b.headerErr = false, nil
}

// openEntry opens the entry name for streaming; tolerateCRC: see
// TolerateCRC.
func (b *Bundle) openEntry(name string, e entry, tolerateCRC bool) (io.ReadCloser, error) {
	rc, err := b.openRaw(name, e)
	if err != nil || !tolerateCRC {
		return rc, err
	}
	return &crcTolerant{ReadCloser: rc, b: b, name: name}, nil
}

func (b *Bundle) openRaw(name string, e entry) (io.ReadCloser, error) {
	switch {
	case b.root != nil:
		return openSized(b.root, name, e.size)
	case b.manifestSpill != nil && name == ManifestName:
		return b.manifestSpill.open(), nil
	case b.zipped:
		return b.openZipEntry(name, e)
	}
	return newStoredReader(b.zip, e, !b.skipCRC), nil
}

// sectionOf returns an entry's data for random access: a stored ZIP
// entry is read in place, a deflated one (OpenRepacked) is first decoded
// into a temporary file.
func (b *Bundle) sectionOf(name string, e entry) (*io.SectionReader, error) {
	switch {
	case b.root != nil:
		f, err := b.root.Open(name)
		if err != nil {
			return nil, err
		}
		b.onClose(func() { f.Close() })
		return io.NewSectionReader(f, 0, e.size), nil
	case !b.zipped:
	case e.method != zip.Store:
		return b.spill(name, e)
	case b.headerErr[name] != nil:
		return nil, containerErr("entry %s: %v", name, b.headerErr[name])
	}
	return io.NewSectionReader(b.zip, e.data, e.size), nil
}

// spill decodes an entry into a temporary file that Close removes, for
// random access to an entry that is compressed.
func (b *Bundle) spill(name string, e entry) (*io.SectionReader, error) {
	tmp, err := os.CreateTemp("", "custody-entry-*")
	if err != nil {
		return nil, err
	}
	b.onClose(func() { tmp.Close(); os.Remove(tmp.Name()) })
	rc, err := b.openEntry(name, e, b.tolerateCRC)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	if _, err := io.Copy(tmp, rc); err != nil {
		return nil, fmt.Errorf("entry %s: %w", name, err)
	}
	return io.NewSectionReader(tmp, 0, e.size), nil
}

func (b *Bundle) onClose(f func()) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closers = append(b.closers, f)
}

// Close releases what Section opened or wrote for a bundle that is not a
// canonical container (OpenRepacked, OpenDir); it does nothing for one
// that OpenBundle opened.
func (b *Bundle) Close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, f := range b.closers {
		f()
	}
	b.closers = nil
}

// OpenBundle reads the ZIP structure of a bundle and checks the container:
// mimetype first, stored, exact content at offset 38; every entry stored,
// unencrypted, a regular file with a clean name (CheckEntryName); no
// duplicate names, even under case folding; local headers that agree with
// the central directory and neither overlap nor leave gaps; nothing before
// the first entry; a manifest.json. It does not check digests. It holds
// a few numbers an entry (entry), and reads the central directory of a
// canonical container record by record (openCanonical): at most
// MaxEntries entries, whatever the input.
func OpenBundle(r io.ReaderAt, size int64) (*Bundle, error) {
	b, ok := openCanonical(r, size)
	if !ok {
		var err error
		if b, err = openDiagnosed(r, size); err != nil {
			return nil, err
		}
	}
	if err := b.checkManifestReadable(); err != nil {
		return nil, err
	}
	return b, nil
}

// openDiagnosed is OpenBundle through archive/zip, for a container that
// openCanonical did not accept: it says what breaks the canonical layout
// (the checks are the same functions). It holds archive/zip's directory,
// about 300 bytes an entry, while it checks; a directory of more than
// MaxEntries records is refused before archive/zip reads it
// (walkDirectory).
func openDiagnosed(r io.ReaderAt, size int64) (*Bundle, error) {
	if w, ok := walkDirectory(r, size); ok && w.records > MaxEntries {
		return nil, containerErr("%d entries, more than the %d allowed", w.records, MaxEntries)
	}
	zr, err := zip.NewReader(r, size)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return nil, fmt.Errorf("%w: %v", ErrNotBundle, err)
	}
	if len(zr.File) > MaxEntries {
		return nil, containerErr("%d entries, more than the %d allowed", len(zr.File), MaxEntries)
	}
	b := &Bundle{}
	if err := b.checkEntries(r, zr.File); err != nil {
		return nil, err
	}
	dataAt, dirStart, dirEnd, err := checkLayout(r, size, zr.File)
	if err != nil {
		return nil, err
	}
	b.canonical, b.form = true, descriptorForm(zr.File)
	b.dirStart, b.dirEnd = dirStart, dirEnd
	b.compact(zr.File, dataAt)
	return b, nil
}

func (b *Bundle) checkEntries(r io.ReaderAt, files []*zip.File) error {
	if len(files) == 0 || files[0].Name != MimetypeName {
		return containerErr("the first entry is not %q", MimetypeName)
	}
	folded := map[string]string{}
	for _, f := range files {
		if err := CheckEntryName(f.Name); err != nil {
			return containerErr("%v", err)
		}
		if prev, dup := folded[strings.ToLower(f.Name)]; dup {
			return containerErr("duplicate entry %q (also %q)", f.Name, prev)
		}
		folded[strings.ToLower(f.Name)] = f.Name
		b.addZip(r, f)
		switch {
		case f.Method != zip.Store:
			return containerErr("entry %q is compressed (method %d); format v1 stores every entry", f.Name, f.Method)
		case f.Flags&0x1 != 0:
			return containerErr("entry %q is encrypted", f.Name)
		case f.CompressedSize64 != f.UncompressedSize64:
			return containerErr("entry %q: stored sizes disagree", f.Name)
		case !f.Mode().IsRegular():
			return containerErr("entry %q is not a regular file (%v)", f.Name, f.Mode().Type())
		}
	}
	b.index()
	mt := files[0]
	if mt.UncompressedSize64 != uint64(len(MediaType)) || len(mt.Extra) != 0 || mt.Flags&0x8 != 0 {
		return containerErr("the mimetype entry must be stored without extra field or data descriptor")
	}
	got, err := b.ReadSmall(MimetypeName, 256)
	if err != nil {
		return err
	}
	if string(got) != MediaType {
		return containerErr("mimetype is %q, want %q", got, MediaType)
	}
	if !b.Has(ManifestName) {
		return containerErr("no %s", ManifestName)
	}
	return nil
}

// checkLayout requires the canonical layout of docs/bundle-format.md §1:
// every byte of the ZIP structure is determined by the entries' names,
// contents and order, so that no byte of a bundle can change without the
// verdict changing. It walks the local headers from byte 0, the k-th being
// the k-th central-directory entry's (the same order, so mimetype's is at
// byte 0), with no gap or overlap; then the central directory, then the
// end record, which must end the file. It returns where each entry's
// data starts, and where the central directory starts and ends.
func checkLayout(r io.ReaderAt, size int64, files []*zip.File) (dataAt []int64, dirStart, dirEnd int64, _ error) {
	offsets := make([]int64, len(files))
	dataAt = make([]int64, len(files))
	var pos int64
	for i, zf := range files {
		f := recordOf(zf)
		var hdr [30]byte
		if _, err := r.ReadAt(hdr[:], pos); err != nil || le32(hdr[:]) != 0x04034b50 {
			return nil, 0, 0, containerErr("no local file header at byte %d (hidden, missing or overlapping data)", pos)
		}
		nameLen, extraLen := int64(le16(hdr[26:])), int64(le16(hdr[28:]))
		if off, err := zf.DataOffset(); err != nil || off != pos+30+nameLen+extraLen {
			return nil, 0, 0, containerErr("the local header at byte %d is not entry %q's: local records must follow the central directory's order", pos, f.name)
		}
		offsets[i], dataAt[i] = pos, pos+30+nameLen+extraLen
		end, err := checkLocal(r, pos, hdr[:], f)
		if err != nil {
			return nil, 0, 0, err
		}
		if pos = end; pos > size {
			return nil, 0, 0, containerErr("entry %q runs past the end of the file", f.name)
		}
	}
	cdStart := pos
	needZip64 := len(files) >= 0xffff
	for i, zf := range files {
		f := recordOf(zf)
		needZip64 = needZip64 || needsZip64(f, offsets[i])
		next, err := checkCentral(r, pos, f, offsets[i])
		if err != nil {
			return nil, 0, 0, err
		}
		pos = next
	}
	needZip64 = needZip64 || pos-cdStart >= 0xffffffff || cdStart >= 0xffffffff
	return dataAt, cdStart, pos, checkEnd(r, size, pos, cdStart, len(files), needZip64)
}

// Header values of the canonical layout: version 2.0 (4.5 for an entry
// that needs ZIP64), no time, no date, no attributes, no comment.
const (
	zipVersion20 = 20
	zipVersion45 = 45
)

// record is what the canonical layout's checks need of an entry's
// central-directory record: its name, flags, CRC-32 and sizes. The
// record decides every other byte of the entry's headers.
type record struct {
	name        string
	flags       uint16
	crc         uint32
	csize, size uint64
}

func recordOf(f *zip.File) record {
	return record{name: f.Name, flags: f.Flags, crc: f.CRC32, csize: f.CompressedSize64, size: f.UncompressedSize64}
}

// bigSize: the entry's sizes need ZIP64 fields in its central-directory
// record (where 0xFFFFFFFF is the placeholder, so that size too).
func bigSize(f record) bool { return f.size >= 0xffffffff }

// pastUint32: the entry's sizes need ZIP64 fields in its local header
// (when sized) and its data descriptor, which archive/zip and the
// bundle writer give them only past 2³²−1 bytes: an entry of exactly
// 0xFFFFFFFF bytes has it there as a plain 32-bit size.
func pastUint32(f record) bool { return f.size > 0xffffffff }

// needsZip64: the entry, whose local header is at offset, needs ZIP64
// fields (its size or its offset).
func needsZip64(f record, offset int64) bool { return bigSize(f) || offset >= 0xffffffff }

// checkLocal checks a local header (hdr, at pos) against the entry and
// returns where the entry (data and descriptor) ends.
func checkLocal(r io.ReaderAt, pos int64, hdr []byte, f record) (int64, error) {
	nameLen, extraLen := int64(le16(hdr[26:])), int64(le16(hdr[28:]))
	name := make([]byte, nameLen)
	if _, err := r.ReadAt(name, pos+30); err != nil || string(name) != f.name {
		return 0, containerErr("entry %q: its local header names %q", f.name, name)
	}
	flags := le16(hdr[6:])
	descriptor := flags == 0x8
	if descriptor && !Streamed(f.name) {
		return 0, containerErr("entry %q has a data descriptor: only attachments, sources and %s may (bundle-format.md §1)", f.name, RecordName)
	}
	version := uint16(zipVersion20)
	wantCRC, wantSize, wantExtra := f.crc, uint32(f.size), int64(0)
	switch {
	case descriptor:
		wantCRC, wantSize = 0, 0
	case pastUint32(f):
		version, wantSize, wantExtra = zipVersion45, 0xffffffff, 20
	}
	if flags != 0 && !descriptor || flags != f.flags || le16(hdr[4:]) != version || le16(hdr[8:]) != zip.Store ||
		le16(hdr[10:]) != 0 || le16(hdr[12:]) != 0 || le32(hdr[14:]) != wantCRC ||
		le32(hdr[18:]) != wantSize || le32(hdr[22:]) != wantSize || extraLen != wantExtra {
		return 0, containerErr("entry %q: its local header is not in the canonical form (version, flags, time, CRC, sizes or extra field)", f.name)
	}
	if wantExtra > 0 && !localZip64Extra(r, pos+30+nameLen, f) {
		return 0, containerErr("entry %q: its local header's ZIP64 extra field is not the canonical one (the two sizes)", f.name)
	}
	end := pos + 30 + nameLen + extraLen + int64(f.csize)
	if !descriptor {
		return end, nil
	}
	n, err := checkDescriptor(r, end, f)
	return end + n, err
}

// localZip64Extra reports whether the extra field at off is the one a
// sized local header past 2³²−1 bytes has: the ZIP64 field with the
// entry's size twice (stored: compressed equals uncompressed).
func localZip64Extra(r io.ReaderAt, off int64, f record) bool {
	var x [20]byte
	if _, err := r.ReadAt(x[:], off); err != nil {
		return false
	}
	u64 := binary.LittleEndian.Uint64
	return le16(x[:]) == 0x0001 && le16(x[2:]) == 16 && u64(x[4:]) == f.size && u64(x[12:]) == f.csize
}

// checkDescriptor checks the data descriptor after an entry's data: with
// its signature, the CRC and both sizes, 64-bit only when needed.
func checkDescriptor(r io.ReaderAt, off int64, f record) (int64, error) {
	var d [24]byte
	n := int64(16)
	if pastUint32(f) {
		n = 24
	}
	if _, err := r.ReadAt(d[:n], off); err != nil {
		return 0, containerErr("entry %q: data descriptor missing", f.name)
	}
	ok := le32(d[:]) == 0x08074b50 && le32(d[4:]) == f.crc
	if n == 16 {
		ok = ok && uint64(le32(d[8:])) == f.csize && uint64(le32(d[12:])) == f.size
	} else {
		ok = ok && binary.LittleEndian.Uint64(d[8:]) == f.csize && binary.LittleEndian.Uint64(d[16:]) == f.size
	}
	if !ok {
		return 0, containerErr("entry %q: data descriptor does not match", f.name)
	}
	return n, nil
}

// checkCentral checks the central-directory record at pos for entry f,
// whose local header is at offset, and returns where the next record
// starts.
func checkCentral(r io.ReaderAt, pos int64, f record, offset int64) (int64, error) {
	var h [centralLen]byte
	if _, err := r.ReadAt(h[:], pos); err != nil || le32(h[:]) != centralSig {
		return 0, containerErr("entry %q: no central-directory record at byte %d", f.name, pos)
	}
	if !centralCanonical(h[:], f, offset) {
		return 0, errCentralForm(f)
	}
	nameLen, extraLen := int64(le16(h[28:])), int64(le16(h[30:]))
	got := make([]byte, nameLen+extraLen)
	if _, err := r.ReadAt(got, pos+centralLen); err != nil || !centralTailMatches(got, f, offset) {
		return 0, errCentralMismatch(f)
	}
	return pos + centralLen + nameLen + extraLen, nil
}

const (
	centralSig = 0x02014b50
	centralLen = 46 // a central-directory record before its name, extra field and comment
)

func errCentralForm(f record) error {
	return containerErr("entry %q: its central-directory record is not in the canonical form (versions, time, attributes, sizes, extra field or comment)", f.name)
}

func errCentralMismatch(f record) error {
	return containerErr("entry %q: its central-directory record does not match", f.name)
}

// centralCanonical reports whether h, the fixed part of a
// central-directory record, is the canonical one of entry f, whose local
// header is at offset.
func centralCanonical(h []byte, f record, offset int64) bool {
	version, size, off := uint16(zipVersion20), uint32(f.size), uint32(offset)
	if needsZip64(f, offset) {
		version = zipVersion45
	}
	if bigSize(f) {
		size = 0xffffffff
	}
	if offset >= 0xffffffff {
		off = 0xffffffff
	}
	// Made by 2.0 always; needed 4.5 with ZIP64 fields (archive/zip's).
	return le16(h[4:]) == zipVersion20 && le16(h[6:]) == version && le16(h[8:]) == f.flags && le16(h[10:]) == zip.Store &&
		le16(h[12:]) == 0 && le16(h[14:]) == 0 && le32(h[16:]) == f.crc && le32(h[20:]) == size && le32(h[24:]) == size &&
		int(le16(h[28:])) == len(f.name) && int(le16(h[30:])) == canonicalExtraLen(f, offset) && le16(h[32:]) == 0 &&
		le16(h[34:]) == 0 && le16(h[36:]) == 0 && le32(h[38:]) == 0 && le32(h[42:]) == off
}

// centralTailMatches reports whether tail, the name and extra field of a
// central-directory record, are entry f's, its local header at offset.
func centralTailMatches(tail []byte, f record, offset int64) bool {
	n := len(f.name)
	return len(tail) >= n && string(tail[:n]) == f.name && string(tail[n:]) == string(canonicalExtra(f, offset))
}

// canonicalExtra is the central-directory extra field of entry f, its
// local header at offset: none, or the ZIP64 field with the sizes and
// the offset that do not fit 32 bits, in that order.
func canonicalExtra(f record, offset int64) []byte {
	if !needsZip64(f, offset) {
		return nil
	}
	var body []byte
	if bigSize(f) {
		body = binary.LittleEndian.AppendUint64(body, f.size)
		body = binary.LittleEndian.AppendUint64(body, f.csize)
	}
	if offset >= 0xffffffff {
		body = binary.LittleEndian.AppendUint64(body, uint64(offset))
	}
	extra := binary.LittleEndian.AppendUint16(nil, 0x0001)
	return append(binary.LittleEndian.AppendUint16(extra, uint16(len(body))), body...)
}

func canonicalExtraLen(f record, offset int64) int {
	n := 0
	if needsZip64(f, offset) {
		n = 4
	}
	if bigSize(f) {
		n += 16
	}
	if offset >= 0xffffffff {
		n += 8
	}
	return n
}

// checkEnd checks what follows the central directory: the end record
// (after the ZIP64 end records when they are needed), ending the file.
func checkEnd(r io.ReaderAt, size, pos, cdStart int64, entries int, needZip64 bool) error {
	cdSize := pos - cdStart
	var e [22]byte
	if size-pos < 22 {
		return containerErr("no end-of-central-directory record")
	}
	if _, err := r.ReadAt(e[:], size-22); err != nil || le32(e[:]) != 0x06054b50 {
		return containerErr("the file does not end with the end-of-central-directory record (appended data or a comment)")
	}
	if needZip64 {
		// The ZIP64 end record (56 bytes) and locator (20) sit between the
		// central directory and the end record, when needed and only then.
		if size-22-pos != 76 || !checkZip64End(r, pos, cdStart, cdSize, entries) {
			return containerErr("the ZIP64 end records are missing or not in the canonical form")
		}
	} else if size-22 != pos {
		return containerErr("unexpected data between the central directory and the end record")
	}
	count := uint16(min(entries, 0xffff))
	wantCD, wantOff := uint32(min(cdSize, 0xffffffff)), uint32(min(cdStart, 0xffffffff))
	if le16(e[4:]) != 0 || le16(e[6:]) != 0 || le16(e[8:]) != count || le16(e[10:]) != count ||
		le32(e[12:]) != wantCD || le32(e[16:]) != wantOff || le16(e[20:]) != 0 {
		return containerErr("the end-of-central-directory record is not in the canonical form")
	}
	return nil
}

func checkZip64End(r io.ReaderAt, pos, cdStart, cdSize int64, entries int) bool {
	var z [76]byte
	if _, err := r.ReadAt(z[:], pos); err != nil {
		return false
	}
	u64 := binary.LittleEndian.Uint64
	return le32(z[:]) == 0x06064b50 && u64(z[4:]) == 44 && le16(z[12:]) == zipVersion45 && le16(z[14:]) == zipVersion45 &&
		le32(z[16:]) == 0 && le32(z[20:]) == 0 && u64(z[24:]) == uint64(entries) && u64(z[32:]) == uint64(entries) &&
		u64(z[40:]) == uint64(cdSize) && u64(z[48:]) == uint64(cdStart) &&
		le32(z[56:]) == 0x07064b50 && le32(z[60:]) == 0 && u64(z[64:]) == uint64(pos) && le32(z[72:]) == 1
}

func le16(b []byte) uint16 { return binary.LittleEndian.Uint16(b) }
func le32(b []byte) uint32 { return binary.LittleEndian.Uint32(b) }

// Names returns the entry names in central-directory order (for an
// extracted folder, in lexical order).
func (b *Bundle) Names() []string { return slices.Collect(b.names.values()) }

// EachName yields the entry names in Names' order, without Names' copy:
// a bundle of 150,000 messages has as many entries.
func (b *Bundle) EachName() iter.Seq[string] { return b.names.values() }

// Has reports whether the bundle has an entry of that name.
func (b *Bundle) Has(name string) bool { _, ok := b.lookup(name); return ok }

// Size returns the size of an entry.
func (b *Bundle) Size(name string) (int64, bool) {
	f, ok := b.lookup(name)
	return f.size, ok
}

// Open opens an entry for streaming. The reader fails at its end if the
// entry's CRC-32 (of a ZIP entry) or size does not match.
func (b *Bundle) Open(name string) (io.ReadCloser, error) {
	f, ok := b.lookup(name)
	if !ok {
		return nil, fmt.Errorf("%s: %w", name, fs.ErrNotExist)
	}
	return b.openEntry(name, f, b.tolerateCRC)
}

// Section returns an entry's data for random access: for a canonical
// bundle, every entry is stored, so its bytes are read in place (a PDF's
// first revision read without copying the file); a compressed entry of a
// repacked bundle is decoded into a temporary file, which Close removes.
// Unlike Open, it does not check the CRC-32: callers compare the content
// with its digest otherwise.
func (b *Bundle) Section(name string) (*io.SectionReader, error) {
	f, ok := b.lookup(name)
	if !ok {
		return nil, fmt.Errorf("%s: %w", name, fs.ErrNotExist)
	}
	return b.sectionOf(name, f)
}

// ReadSmall reads a whole entry that is bounded by the format (manifest,
// message entries, META-INF files).
func (b *Bundle) ReadSmall(name string, limit int64) ([]byte, error) {
	return b.readSmall(name, limit, b.tolerateCRC)
}

func (b *Bundle) readSmall(name string, limit int64, tolerateCRC bool) ([]byte, error) {
	f, ok := b.lookup(name)
	if !ok {
		return nil, containerErr("no entry %s", name)
	}
	if f.size > limit {
		return nil, containerErr("entry %s is %d bytes, more than the %d allowed", name, f.size, limit)
	}
	rc, err := b.openEntry(name, f, tolerateCRC)
	if err != nil {
		return nil, containerErr("entry %s: %v", name, err)
	}
	defer rc.Close()
	// Read into a slice of exactly the stated size: a bytes.Buffer grown
	// to it doubles when it probes for the end.
	data := make([]byte, f.size)
	n, err := io.ReadFull(rc, data)
	if err == nil {
		// Read on to the end, where the entry's CRC-32 is checked and
		// where nothing may follow.
		var probe [1]byte
		var m int
		m, err = io.ReadFull(rc, probe[:])
		n += m
	}
	if err == io.EOF {
		err = nil
	}
	if err := readErr(name, int64(n), f.size, err); err != nil {
		return nil, err
	}
	return data, nil
}

// readErr is the error of reading an entry of size bytes whole, n read
// with err (nil or io.ErrUnexpectedEOF at a premature end).
func readErr(name string, n, size int64, err error) error {
	switch {
	case err == nil && n == size:
		return nil
	case err == nil, err == io.ErrUnexpectedEOF:
		return containerErr("entry %s: %d bytes read, %d expected", name, n, size)
	}
	return containerErr("entry %s: %v", name, err)
}
