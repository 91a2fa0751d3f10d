package manifest

import (
	"archive/zip"
	"io"
	"os"
)

// A deflated manifest of a repacked container, decoded once.
//
// The verifier reads manifest.json about twelve times (its digest, its
// head, then each check that walks the messages reads them again rather
// than hold them). A canonical container's manifest is stored, and each
// reading is a read of the file; a repacked one's is usually deflated,
// and each reading inflated it again: up to 64 MiB twelve times, about a
// fifth of the CPU of verifying a repacked bundle of 150,000 messages.
// The opening reads it through anyway (checkManifestReadable); it now
// writes what it decodes into a temporary file, and every later reading
// of the manifest is a read of that file, ending as the entry's own
// reading ended (its CRC-32 matching or not). On the disk, not in memory:
// the verifier's memory stays bounded whatever the manifest's size. When
// no temporary file can be made (the web verifier has no file system) or
// written, the manifest is inflated at each reading as before.

// manifestSpill writes the manifest's bytes into a temporary file as the
// opening reads them; the zero value writes nowhere.
type manifestSpill struct {
	f   *os.File
	err error // the first write error: the spill is then not used
}

// newManifestSpill starts a spill for a deflated manifest of a repacked
// container; none for a stored one, which is read in place.
func (b *Bundle) newManifestSpill(e entry) *manifestSpill {
	if !b.zipped || e.method == zip.Store {
		return &manifestSpill{}
	}
	f, err := os.CreateTemp("", "custody-manifest-*")
	if err != nil {
		return &manifestSpill{}
	}
	return &manifestSpill{f: f}
}

// writer is where the opening copies the manifest: a write error leaves
// the spill unused but never fails the reading (it is not the bundle's).
func (s *manifestSpill) writer() io.Writer {
	if s.f == nil {
		return io.Discard
	}
	return s
}

func (s *manifestSpill) Write(p []byte) (int, error) {
	if s.err == nil {
		_, s.err = s.f.Write(p)
	}
	return len(p), nil
}

func (s *manifestSpill) discard() {
	if s.f != nil {
		s.f.Close()
		os.Remove(s.f.Name())
	}
}

// keep returns the spilled manifest, whose readings end with end (io.EOF,
// or zip.ErrChecksum when the entry's CRC-32 did not match); nil when
// nothing was spilled. Close removes the file.
func (s *manifestSpill) keep(b *Bundle, end error) *spilled {
	if s.f == nil {
		return nil
	}
	if s.err != nil {
		s.discard()
		return nil
	}
	b.onClose(s.discard)
	size, _ := b.Size(ManifestName)
	return &spilled{data: io.NewSectionReader(s.f, 0, size), end: end}
}

// spilled is a manifest decoded once (manifestSpill).
type spilled struct {
	data *io.SectionReader
	end  error
}

func (s *spilled) open() io.ReadCloser {
	return &spilledReader{r: io.NewSectionReader(s.data, 0, s.data.Size()), end: s.end}
}

type spilledReader struct {
	r   *io.SectionReader
	end error
}

func (s *spilledReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if err == io.EOF {
		err = s.end
	}
	return n, err
}

func (s *spilledReader) Close() error { return nil }
