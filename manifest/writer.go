package manifest

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash/crc32"
	"io"
	"slices"
	"strings"

	"github.com/custody-toolkit/custody/manifest/internal/zipwrite"
)

// Writer streams a bundle into a ZIP file. Every entry is stored (never
// compressed: attachments are usually compressed already, and stored
// entries make zip bombs impossible to hide); each is hashed as it is
// written, so every byte is read once. What it keeps per entry until the
// end is fixed and small (the container's directory in zipwrite's compact
// form, a sealed file's digest), for up to 200,000 entries (MaxEntries).
type Writer struct {
	zw  *zipwrite.Writer
	buf []byte // copy buffer, reused for every entry
	// folded are the entries' names in lower case (a reader refuses names
	// equal but for case), by their 64-bit hash: 8 bytes an entry; the
	// container holds the names, compared when a hash matches.
	folded map[uint64]struct{}
	files  []written
}

// written is a sealed-content entry as the writer keeps it until the
// manifest lists it: its name by its place in the container, its digest
// as 32 bytes rather than 64 hex digits in a string.
type written struct {
	entry  uint32 // in the container, whose directory holds its name and size
	sha256 [32]byte
}

func (w *Writer) file(f *written) File {
	i := int(f.entry)
	return File{Path: w.zw.Name(i), SHA256: hex.EncodeToString(f.sha256[:]), Size: w.zw.Size(i)}
}

// NewWriter starts a bundle on w and writes the mimetype entry.
func NewWriter(w io.Writer) (*Writer, error) {
	bw := &Writer{zw: zipwrite.New(w), folded: map[uint64]struct{}{}}
	// mimetype: first, stored, no extra field, no data descriptor, so that
	// its content sits at byte offset 38 as in EPUB, ODF and ASiC.
	if _, err := bw.addSized(MimetypeName, strings.NewReader(MediaType), int64(len(MediaType)), crc32.ChecksumIEEE([]byte(MediaType))); err != nil {
		return nil, err
	}
	bw.folded[bw.hash(MimetypeName)] = struct{}{}
	return bw, nil
}

// AddBytes writes a small entry whose content is known.
func (w *Writer) AddBytes(name string, data []byte) (File, error) {
	return w.AddSized(name, bytes.NewReader(data), int64(len(data)), crc32.ChecksumIEEE(data))
}

// AddFile streams r into a stored entry with a data descriptor, hashing it
// on the way: for the entries that may have one (Streamed).
func (w *Writer) AddFile(name string, r io.Reader) (File, error) {
	if !Streamed(name) {
		return File{}, fmt.Errorf("%s: only attachments, sources and %s are streamed (AddBytes writes the others)", name, RecordName)
	}
	if err := w.reserve(name); err != nil {
		return File{}, err
	}
	// No time: entry times would be bytes outside every digest (see the
	// canonical layout, docs/bundle-format.md §1); the export time is in
	// the manifest.
	ew, err := w.zw.CreateStreamed(name)
	if err != nil {
		return File{}, err
	}
	return w.copyEntry(name, ew, r)
}

// copyEntry copies r into the entry begun, hashing it, and ends it.
func (w *Writer) copyEntry(name string, ew io.Writer, r io.Reader) (File, error) {
	h := sha256.New()
	if w.buf == nil {
		w.buf = make([]byte, 1<<20)
	}
	_, err := io.CopyBuffer(io.MultiWriter(ew, h), r, w.buf)
	if err == nil {
		err = w.zw.EndEntry()
	}
	if err != nil {
		return File{}, fmt.Errorf("%s: %w", name, err)
	}
	return w.record([32]byte(h.Sum(nil))), nil
}

// StoredHeader is the header of a stored entry of known content in the
// canonical layout (no data descriptor, no time, version 2.0), for
// zip.Writer.CreateRaw. Whoever adds entries to a bundle with archive/zip
// (the custody log's appender, the vectors) writes them with it; Writer
// writes the same bytes through zipwrite.
func StoredHeader(name string, data []byte) *zip.FileHeader {
	size := uint64(len(data))
	return &zip.FileHeader{
		Name:               name,
		Method:             zip.Store,
		CreatorVersion:     zipVersion20,
		ReaderVersion:      zipVersion20,
		CRC32:              crc32.ChecksumIEEE(data),
		CompressedSize64:   size,
		UncompressedSize64: size,
	}
}

func (w *Writer) reserve(name string) error {
	if err := CheckEntryName(name); err != nil {
		return err
	}
	h := w.hash(name)
	if _, seen := w.folded[h]; seen && w.holds(name) {
		return fmt.Errorf("duplicate entry %q", name)
	}
	if w.zw.Len() >= MaxEntries {
		// A reader refuses such a container (OpenBundle): better no bundle
		// than one that no verifier reads.
		return fmt.Errorf("%s: the bundle would hold more than %d entries, the most a verifier reads: export fewer messages", name, MaxEntries)
	}
	w.folded[h] = struct{}{}
	return nil
}

// hash is FNV-1a of the name in lower case (entry names are ASCII,
// CheckEntryName). A collision costs a look at the names, not a wrong
// answer (holds).
func (w *Writer) hash(name string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(name); i++ {
		c := name[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		h = (h ^ uint64(c)) * 1099511628211
	}
	return h
}

// holds reports whether an entry has that name but for case: when its
// hash is known, which is a duplicate but for one chance in 2⁶⁴.
func (w *Writer) holds(name string) bool {
	for i := range w.zw.Len() {
		if strings.EqualFold(w.zw.Name(i), name) {
			return true
		}
	}
	return false
}

// record remembers the entry just written for the manifest's files if it
// is sealed content.
func (w *Writer) record(digest [32]byte) File {
	f := written{entry: uint32(w.zw.Len() - 1), sha256: digest}
	file := w.file(&f)
	if CheckContentPath(file.Path) == nil {
		w.files = append(w.files, f)
	}
	return file
}

// EachFile hands the sealed-content entries written so far to yield,
// sorted by path, as the manifest lists them, one at a time: the list
// for Lists.Files.
func (w *Writer) EachFile(yield func(*File) error) error {
	slices.SortFunc(w.files, func(a, b written) int { return w.zw.CompareNames(int(a.entry), int(b.entry)) })
	for i := range w.files {
		f := w.file(&w.files[i])
		if err := yield(&f); err != nil {
			return err
		}
	}
	return nil
}

// FileCount is the number of sealed-content entries written so far.
func (w *Writer) FileCount() int { return len(w.files) }

// Files returns the sealed-content entries written so far, sorted by path,
// as the manifest lists them.
func (w *Writer) Files() []File {
	files := make([]File, 0, len(w.files))
	w.EachFile(func(f *File) error {
		files = append(files, *f)
		return nil
	})
	return files
}

// Close finishes the ZIP (central directory); it does not close the
// underlying writer.
func (w *Writer) Close() error { return w.zw.Close() }

// AddSized writes an entry too large to hold (manifest.json of a long
// conversation) in the canonical layout of a small one: stored, its size
// and CRC-32 in the local header, no data descriptor. The caller has both
// from a first pass (a spooled file); r must give exactly those bytes, or
// the entry is refused (an error: the bundle is not finished).
func (w *Writer) AddSized(name string, r io.Reader, size int64, crc uint32) (File, error) {
	if err := w.reserve(name); err != nil {
		return File{}, err
	}
	return w.addSized(name, r, size, crc)
}

func (w *Writer) addSized(name string, r io.Reader, size int64, crc uint32) (File, error) {
	ew, err := w.zw.CreateSized(name, size, crc)
	if err != nil {
		return File{}, err
	}
	return w.copyEntry(name, ew, r)
}
