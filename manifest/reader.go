package manifest

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
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

func containerErr(format string, args ...any) error {
	return &ContainerError{Reason: fmt.Sprintf(format, args...)}
}

// Bundle is an opened bundle whose container passed the strict checks.
type Bundle struct {
	r       io.ReaderAt
	entries []*zip.File
	byName  map[string]*zip.File
	// ManifestBytes are the exact bytes of manifest.json.
	ManifestBytes []byte
}

// OpenBundle reads the ZIP structure of a bundle and checks the container:
// mimetype first, stored, exact content at offset 38; every entry stored,
// unencrypted, a regular file with a clean name (CheckEntryName); no
// duplicate names, even under case folding; local headers that agree with
// the central directory and neither overlap nor leave gaps; nothing before
// the first entry; a manifest.json. It does not check digests.
func OpenBundle(r io.ReaderAt, size int64) (*Bundle, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return nil, fmt.Errorf("%w: %v", ErrNotBundle, err)
	}
	if len(zr.File) > MaxEntries {
		return nil, containerErr("%d entries, more than the %d allowed", len(zr.File), MaxEntries)
	}
	b := &Bundle{r: r, entries: zr.File, byName: map[string]*zip.File{}}
	if err := b.checkEntries(); err != nil {
		return nil, err
	}
	if err := checkLayout(r, size, zr.File); err != nil {
		return nil, err
	}
	if b.ManifestBytes, err = b.ReadSmall(ManifestName, MaxManifestSize); err != nil {
		return nil, err
	}
	return b, nil
}

func (b *Bundle) checkEntries() error {
	if len(b.entries) == 0 || b.entries[0].Name != MimetypeName {
		return containerErr("the first entry is not %q", MimetypeName)
	}
	folded := map[string]string{}
	for _, f := range b.entries {
		if err := CheckEntryName(f.Name); err != nil {
			return containerErr("%v", err)
		}
		if prev, dup := folded[strings.ToLower(f.Name)]; dup {
			return containerErr("duplicate entry %q (also %q)", f.Name, prev)
		}
		folded[strings.ToLower(f.Name)] = f.Name
		b.byName[f.Name] = f
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
	mt := b.entries[0]
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
	if _, ok := b.byName[ManifestName]; !ok {
		return containerErr("no %s", ManifestName)
	}
	return nil
}

// checkLayout walks the local headers from byte 0: each must be the local
// header of the next central-directory entry in file order, naming the same
// entry with the same flags and method, and the entries must follow each
// other with no gap or overlap; the central directory must follow the last
// one and the end record must end the file. So no hidden data, no prefix
// or suffix, and no bytes read twice under two names.
func checkLayout(r io.ReaderAt, size int64, files []*zip.File) error {
	byData := map[int64]*zip.File{}
	for _, f := range files {
		off, err := f.DataOffset()
		if err != nil {
			return containerErr("entry %q: %v", f.Name, err)
		}
		byData[off] = f
	}
	var pos int64
	for range files {
		var hdr [30]byte
		if _, err := r.ReadAt(hdr[:], pos); err != nil || binary.LittleEndian.Uint32(hdr[:]) != 0x04034b50 {
			return containerErr("no local file header at byte %d (hidden, missing or overlapping data)", pos)
		}
		nameLen := int64(binary.LittleEndian.Uint16(hdr[26:]))
		extraLen := int64(binary.LittleEndian.Uint16(hdr[28:]))
		dataOff := pos + 30 + nameLen + extraLen
		f, ok := byData[dataOff]
		if !ok {
			return containerErr("the local header at byte %d belongs to no central-directory entry", pos)
		}
		delete(byData, dataOff)
		name := make([]byte, nameLen)
		if _, err := r.ReadAt(name, pos+30); err != nil || string(name) != f.Name {
			return containerErr("entry %q: its local header names %q", f.Name, name)
		}
		if binary.LittleEndian.Uint16(hdr[6:]) != f.Flags || binary.LittleEndian.Uint16(hdr[8:]) != f.Method {
			return containerErr("entry %q: local header flags or method differ from the central directory", f.Name)
		}
		pos = dataOff + int64(f.CompressedSize64)
		if f.Flags&0x8 != 0 {
			n, err := descriptorLen(r, pos, f)
			if err != nil {
				return err
			}
			pos += n
		}
		if pos > size {
			return containerErr("entry %q runs past the end of the file", f.Name)
		}
	}
	var sig [4]byte
	if _, err := r.ReadAt(sig[:], pos); err != nil || binary.LittleEndian.Uint32(sig[:]) != 0x02014b50 {
		return containerErr("unexpected data at byte %d after the last entry", pos)
	}
	var eocd [22]byte
	if size < 22 {
		return containerErr("no end of central directory record")
	}
	if _, err := r.ReadAt(eocd[:], size-22); err != nil || binary.LittleEndian.Uint32(eocd[:]) != 0x06054b50 ||
		binary.LittleEndian.Uint16(eocd[20:]) != 0 {
		return containerErr("the file does not end with the end-of-central-directory record (appended data or a comment)")
	}
	return nil
}

// descriptorLen measures the data descriptor after an entry's data: with or
// without its optional signature, 32- or 64-bit sizes.
func descriptorLen(r io.ReaderAt, off int64, f *zip.File) (int64, error) {
	var d [24]byte
	n, _ := r.ReadAt(d[:], off)
	buf := d[:n]
	var sigLen int64
	if len(buf) >= 4 && binary.LittleEndian.Uint32(buf) == 0x08074b50 {
		buf, sigLen = buf[4:], 4
	}
	want := 12
	if f.CompressedSize64 >= 0xffffffff || f.UncompressedSize64 >= 0xffffffff {
		want = 20
	}
	if len(buf) < want || binary.LittleEndian.Uint32(buf) != f.CRC32 {
		return 0, containerErr("entry %q: data descriptor missing or does not match", f.Name)
	}
	return sigLen + int64(want), nil
}

// Names returns the entry names in central-directory order.
func (b *Bundle) Names() []string {
	names := make([]string, len(b.entries))
	for i, f := range b.entries {
		names[i] = f.Name
	}
	return names
}

// Has reports whether the bundle has an entry of that name.
func (b *Bundle) Has(name string) bool { _, ok := b.byName[name]; return ok }

// Size returns the size of an entry.
func (b *Bundle) Size(name string) (int64, bool) {
	f, ok := b.byName[name]
	if !ok {
		return 0, false
	}
	return int64(f.UncompressedSize64), true
}

// Open opens an entry for streaming. The reader fails at its end if the
// entry's CRC-32 does not match.
func (b *Bundle) Open(name string) (io.ReadCloser, error) {
	f, ok := b.byName[name]
	if !ok {
		return nil, fmt.Errorf("%s: %w", name, fs.ErrNotExist)
	}
	return f.Open()
}

// ReadSmall reads a whole entry that is bounded by the format (manifest,
// message entries, META-INF files).
func (b *Bundle) ReadSmall(name string, limit int64) ([]byte, error) {
	f, ok := b.byName[name]
	if !ok {
		return nil, containerErr("no entry %s", name)
	}
	if f.UncompressedSize64 > uint64(limit) {
		return nil, containerErr("entry %s is %d bytes, more than the %d allowed", name, f.UncompressedSize64, limit)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, containerErr("entry %s: %v", name, err)
	}
	defer rc.Close()
	var buf bytes.Buffer
	buf.Grow(int(f.UncompressedSize64))
	if _, err := io.Copy(&buf, io.LimitReader(rc, limit+1)); err != nil {
		return nil, containerErr("entry %s: %v", name, err)
	}
	return buf.Bytes(), nil
}
