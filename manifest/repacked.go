package manifest

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"
)

// Reading the files of a bundle out of a container that is not the sealed
// one (docs/bundle-format.md §1.1).
//
// OpenBundle accepts only the canonical container, byte for byte. But a
// bundle unzipped and zipped again by another tool, or extracted into a
// folder, still holds the sealed files: each can be checked against the
// signed manifest, and the verifier can say "the content is intact, the
// container is not the sealed one" instead of condemning the evidence.
// OpenRepacked and OpenDir read such containers tolerantly (entries in any
// order, stored or deflated, with any ZIP headers, extra fields, data
// descriptors or comment) and stay strict where a trick could make two
// readers see different content: names (CheckEntryName inside the bundle's
// folders, a clean relative path anywhere), duplicates under case folding,
// symbolic links, encryption, sizes (an entry is read as archive/zip
// reads it, stopped at its declared size and held to its CRC-32:
// zipentry.go; a folder's file must keep the size it had when listed).

// bundleSpace is what a bundle's names can be: anything else in a repacked
// container or a folder is not part of it, and is reported as ignored.
var bundleSpace = []string{MessagesDir, AttachmentsDir, SourcesDir, IntakeDir, MetaDir, CustodyDir}

func inBundleSpace(name string) bool {
	switch name {
	case MimetypeName, ManifestName, RecordName:
		return true
	}
	for _, dir := range bundleSpace {
		if strings.HasPrefix(name, dir) {
			return true
		}
	}
	return false
}

// isJunk: files that file managers and archivers add on their own (Finder's
// .DS_Store and ._ AppleDouble files, __MACOSX/, Windows' Thumbs.db and
// desktop.ini). No sealed name has these forms, so leaving them out can
// hide nothing that was sealed.
func isJunk(name string) bool {
	base := path.Base(name)
	return base == ".DS_Store" || strings.HasPrefix(base, "._") || base == "Thumbs.db" ||
		base == "desktop.ini" || name == "__MACOSX" || strings.HasPrefix(name, "__MACOSX/")
}

// checkForeignName refuses, outside the bundle's folders too, the names
// that escape a folder or read differently on another system.
func checkForeignName(name string) error {
	if !fs.ValidPath(name) || strings.ContainsAny(name, "\\\x00") || strings.HasPrefix(name, "/") {
		return fmt.Errorf("entry name %q is not a clean relative path", name)
	}
	return nil
}

// tolerant collects the files of a repacked container into a Bundle.
type tolerant struct {
	b      *Bundle
	folded map[string]string
}

func newTolerant() *tolerant {
	return &tolerant{b: &Bundle{}, folded: map[string]string{}}
}

// take adds a file of the container, or notes it as ignored; it refuses
// links and tricky or duplicate names.
func (t *tolerant) take(name string, mode fs.FileMode, add func()) error {
	if t.b.names.len()+len(t.b.Ignored) >= MaxEntries {
		return containerErr("more than the %d entries allowed", MaxEntries)
	}
	if !t.b.names.fits(len(name)) {
		return containerErr("the entry names take more than the %d bytes allowed", int64(maxNameBytes))
	}
	if mode&fs.ModeSymlink != 0 {
		return containerErr("%q is a symbolic link", name)
	}
	if err := checkForeignName(strings.TrimSuffix(name, "/")); err != nil {
		return containerErr("%v", err)
	}
	if prev, dup := t.folded[strings.ToLower(name)]; dup {
		return containerErr("duplicate entry %q (also %q)", name, prev)
	}
	t.folded[strings.ToLower(name)] = name
	switch {
	case mode.IsDir() || strings.HasSuffix(name, "/"):
		return nil // folders hold the files; they are not files of the bundle
	case !mode.IsRegular():
		return containerErr("%q is not a regular file (%v)", name, mode.Type())
	case isJunk(name) || !inBundleSpace(name):
		t.b.Ignored = append(t.b.Ignored, name)
		return nil
	}
	if err := CheckEntryName(name); err != nil {
		return containerErr("%v", err)
	}
	add()
	return nil
}

func (t *tolerant) finish() (*Bundle, error) {
	t.b.index()
	return t.b, t.b.checkManifestReadable()
}

// OpenRepacked reads a ZIP holding a bundle's files in a container that is
// not the canonical one. A ZIP that is not a bundle at all (IsBundleZip) is
// ErrNotBundle, with what it seems to be.
//
// It holds archive/zip's directory, about 300 bytes an entry, while it
// opens, and then only the compact index (entry), at most MaxEntries of
// them; the entries are read as archive/zip reads them (zipentry.go). A
// directory of more records is refused before archive/zip reads it
// (walkDirectory), as a bundle's ("more than … entries") when a record
// has one of IsBundleZip's names (a mimetype entry by its name alone),
// else as not a bundle. A deflated manifest is decoded once, into a
// temporary file that Close removes (spillManifest).
func OpenRepacked(r io.ReaderAt, size int64) (*Bundle, error) {
	if w, ok := walkDirectory(r, size); ok && w.records > MaxEntries {
		if !w.bundleName {
			return nil, fmt.Errorf("%w: %s", ErrNotBundle, foreignZip(w.whatsApp))
		}
		return nil, containerErr("more than the %d entries allowed", MaxEntries)
	}
	zr, err := zip.NewReader(r, size)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return nil, fmt.Errorf("%w: %v", ErrNotBundle, err)
	}
	if !IsBundleZip(zr.File) {
		return nil, fmt.Errorf("%w: %s", ErrNotBundle, describeForeignZip(zr.File))
	}
	t := newTolerant()
	for _, f := range zr.File {
		switch {
		case f.Flags&0x1 != 0:
			return nil, containerErr("entry %q is encrypted", f.Name)
		case f.Method != zip.Store && f.Method != zip.Deflate:
			return nil, containerErr("entry %q is compressed with method %d; stored and deflated entries are read", f.Name, f.Method)
		}
		if err := t.take(f.Name, f.Mode(), func() { t.b.addZip(r, f) }); err != nil {
			return nil, err
		}
	}
	return t.finish()
}

// IsBundleZip is the rule that tells a bundle, however repacked, from any
// other ZIP (docs/bundle-format.md §1.1): an entry mimetype holding
// MediaType, or the entries manifest.json or META-INF/manifest.sig.
func IsBundleZip(files []*zip.File) bool {
	for _, f := range files {
		switch f.Name {
		case ManifestName, SignatureName:
			return true
		case MimetypeName:
			if f.UncompressedSize64 == uint64(len(MediaType)) && readsAs(f, MediaType) {
				return true
			}
		}
	}
	return false
}

func readsAs(f *zip.File, want string) bool {
	rc, err := f.Open()
	if err != nil {
		return false
	}
	defer rc.Close()
	got, err := io.ReadAll(io.LimitReader(rc, int64(len(want))+1))
	return err == nil && string(got) == want
}

// describeForeignZip says what a ZIP that is not a bundle seems to be.
func describeForeignZip(files []*zip.File) string {
	return foreignZip(slices.ContainsFunc(files, func(f *zip.File) bool { return isWhatsAppName(f.Name) }))
}

func foreignZip(whatsApp bool) string {
	if whatsApp {
		return "a ZIP archive without the custody mimetype (a WhatsApp export?)"
	}
	return "a ZIP archive without the custody mimetype"
}

// isWhatsAppName: a name of a WhatsApp export's chat.
func isWhatsAppName(name string) bool {
	base := path.Base(name)
	return base == "_chat.txt" || strings.HasPrefix(base, "WhatsApp Chat")
}

// OpenDir reads the files of a bundle extracted into the folder root. No
// symbolic link is followed, in or out of the folder (os.Root keeps every
// open inside it). A folder without manifest.json is not a bundle
// (ErrNotBundle).
func OpenDir(root *os.Root) (*Bundle, error) {
	if _, err := root.Stat(ManifestName); err != nil {
		return nil, fmt.Errorf("%w: a folder without %s", ErrNotBundle, ManifestName)
	}
	t := newTolerant()
	err := fs.WalkDir(root.FS(), ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || name == "." {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if d.IsDir() {
			name += "/"
		}
		return t.take(name, info.Mode(), func() { t.b.add(name, entry{size: info.Size()}) })
	})
	if err != nil {
		return nil, err
	}
	t.b.root = root
	return t.finish()
}

// openSized opens a file of the folder that must still have size bytes:
// the reader fails at its end otherwise (the file changed since listed).
func openSized(root *os.Root, name string, size int64) (io.ReadCloser, error) {
	f, err := root.Open(name)
	if err != nil {
		return nil, err
	}
	return &sizedReader{f: f, name: name, left: size}, nil
}

type sizedReader struct {
	f    *os.File
	name string
	left int64
}

func (s *sizedReader) Read(p []byte) (int, error) {
	n, err := s.f.Read(p)
	s.left -= int64(n)
	switch {
	case s.left < 0:
		return n, fmt.Errorf("%s grew while it was read", s.name)
	case err == io.EOF && s.left > 0:
		return n, fmt.Errorf("%s shrank while it was read", s.name)
	}
	return n, err
}

func (s *sizedReader) Close() error { return s.f.Close() }
