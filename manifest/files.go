package manifest

import (
	"encoding/hex"
	"encoding/json/jsontext"
	jsonv2 "encoding/json/v2"
	"iter"
	"sort"
	"strings"
)

// Files held compactly.
//
// A manifest lists a file for every message entry and attachment: up to
// MaxEntries of them. Decoded, each is a File (its path and its digest
// in hex, two strings: 56 bytes) and the strings' 80-odd bytes, about 133
// bytes a file, 21 MB for the 158,000 messages of a manifest near its
// cap: once the messages were not held (messages.go), the largest thing
// a verifier held. A manifest from ParseStreamed keeps the list in a
// table instead: every path in one string, where each ends, the digests
// as 32 bytes, the sizes; about 66 bytes a file (nameTable, as the
// opened bundle holds its entry names). Files is then nil, and
// FileCount, FileAt, EachFile and FileIndex read the table; the
// canonical comparison encodes it back (filesInOrder). A digest that is
// not lowercase hex, which Check refuses, takes parseWhole's path, so
// that nothing is lost: FileAt gives back the very strings decoded.
//
// Writers (the exporter, the vectors) build Files themselves; every
// reader goes through the accessors, which read Files when it is held.

// compactFiles is the files list of a manifest from ParseStreamed.
type compactFiles struct {
	paths   nameTable
	digests [][32]byte
	sizes   []int64
}

// FileCount is the number of files the manifest lists.
func (m *Manifest) FileCount() int {
	if m.files != nil {
		return m.files.paths.len()
	}
	return len(m.Files)
}

// FileAt is the i-th file the manifest lists.
func (m *Manifest) FileAt(i int) File {
	if m.files == nil {
		return m.Files[i]
	}
	return File{Path: m.filePath(i), SHA256: hex.EncodeToString(m.files.digests[i][:]), Size: m.files.sizes[i]}
}

// EachFile yields the files the manifest lists, in order, with their
// index.
func (m *Manifest) EachFile() iter.Seq2[int, File] {
	return func(yield func(int, File) bool) {
		for i := range m.FileCount() {
			if !yield(i, m.FileAt(i)) {
				return
			}
		}
	}
}

// DropFiles lets the file list go, for a reader done with it (every file
// checked): FileCount is then 0.
func (m *Manifest) DropFiles() { m.Files, m.files = nil, nil }

// filePath is the path of the i-th file, without a copy.
func (m *Manifest) filePath(i int) string {
	if m.files == nil {
		return m.Files[i].Path
	}
	return m.files.paths.at(i)
}

// FileByPath returns the listed file with that path.
func (m *Manifest) FileByPath(p string) (File, bool) {
	i, ok := m.FileIndex(p)
	if !ok {
		return File{}, false
	}
	return m.FileAt(i), true
}

// FileIndex returns the index (for FileAt) of the listed file with that
// path: what a reader keeps per file instead of the path. The files are
// sorted by path (Check).
func (m *Manifest) FileIndex(p string) (int, bool) {
	return sort.Find(m.FileCount(), func(i int) int { return strings.Compare(p, m.filePath(i)) })
}

// compactingFiles decodes the files list of m into m.files, with room
// for n. Anything Check would refuse in a form the table cannot hold (not
// an array, a digest not in lowercase hex) takes parseWhole's path.
func compactingFiles(m *Manifest, n arrayLength) *jsonv2.Unmarshalers {
	return jsonv2.UnmarshalFromFunc(func(dec *jsontext.Decoder, _ *[]File) error {
		room := min(int(n), MaxEntries)
		c := &compactFiles{paths: nameTable{ends: make([]uint32, 0, room)}, digests: make([][32]byte, 0, room), sizes: make([]int64, 0, room)}
		err := decodeElements(dec, func(f *File) error {
			digest, ok := ParseDigest(f.SHA256)
			if !ok || !c.paths.fits(len(f.Path)) {
				return errDiffers
			}
			c.paths.add(f.Path)
			c.digests = append(c.digests, digest)
			c.sizes = append(c.sizes, f.Size)
			return nil
		})
		if err == nil {
			c.paths.trim()
			m.files = c
		}
		return err
	})
}

// filesInOrder yields the files list as decoded.
func (m *Manifest) filesInOrder(yield func(*File) error) error {
	for _, f := range m.EachFile() {
		if err := yield(&f); err != nil {
			return err
		}
	}
	return nil
}
