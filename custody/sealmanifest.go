package custody

import (
	"bufio"
	"crypto/sha256"
	"fmt"
	"hash/crc32"
	"io"
	"os"

	"github.com/custody-toolkit/custody/internal/atomicfile"
	"github.com/custody-toolkit/custody/manifest"
)

// encodedManifest is manifest.json encoded into a file without a name next
// to the bundle (spool.go), with the size, CRC-32 and SHA-256 gathered as it
// was written: the bundle's entry needs the first two before its bytes
// (the canonical layout has no data descriptor), the seal the third. The
// signature, the bundle entry and a transparency log statement read the
// bytes again from the file (open), so that a manifest of any length is
// never held.
type encodedManifest struct {
	f      *os.File
	close  func()
	size   int64
	crc    uint32
	sha256 [32]byte
}

func encodeManifest(dir string, m *manifest.Manifest, lists manifest.Lists) (*encodedManifest, error) {
	f, closeFile, err := atomicfile.Scratch(dir)
	if err != nil {
		return nil, err
	}
	e := &encodedManifest{f: f, close: closeFile}
	h, c := sha256.New(), crc32.NewIEEE()
	counted := &countingWriter{}
	buf := bufio.NewWriterSize(io.MultiWriter(f, h, c, counted), 1<<16)
	if err := manifest.Encode(buf, m, lists); err != nil {
		e.close()
		return nil, err
	}
	if err := buf.Flush(); err != nil {
		e.close()
		return nil, err
	}
	e.size, e.crc = counted.n, c.Sum32()
	h.Sum(e.sha256[:0])
	if e.size > manifest.MaxManifestSize {
		// A reader refuses it (OpenBundle): better no bundle than one that
		// no verifier reads.
		e.close()
		return nil, fmt.Errorf("manifest.json would be %d bytes, more than the %d a verifier reads: export fewer messages (--from, --to, --messages)", e.size, manifest.MaxManifestSize)
	}
	return e, nil
}

// open reads the encoded bytes from the start.
func (e *encodedManifest) open() (io.Reader, error) { return io.NewSectionReader(e.f, 0, e.size), nil }

// countingWriter counts the bytes written through it.
type countingWriter struct{ n int64 }

func (c *countingWriter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return len(p), nil
}
