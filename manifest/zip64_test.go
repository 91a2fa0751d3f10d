package manifest_test

import (
	"bytes"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/custody-toolkit/custody/manifest"
)

// TestOpenBundlePast4GiB: a container the bundle writer makes past 4 GiB
// (a streamed attachment over 4 GiB, entries of exactly 2³²−1 bytes
// streamed and sized, entries whose offsets pass 2³²−1) opens as canonical: the
// ZIP64 fields are read as Go's archive/zip and the writer write them
// (APPNOTE 4.5: version needed 45 where a record has ZIP64 fields,
// version made by 20 always; a sized local header has them only past
// 2³²−1 bytes). The zeros are holes of a sparse file: the test writes
// and reads a few kilobytes of disk.
func TestOpenBundlePast4GiB(t *testing.T) {
	if testing.Short() {
		t.Skip("writes and hashes 12 GiB of zeros")
	}
	f, err := os.Create(filepath.Join(t.TempDir(), "large.custody"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sw := &sparseWriter{f: f}
	w, err := manifest.NewWriter(sw)
	if err != nil {
		t.Fatal(err)
	}
	const exactly = 1<<32 - 1
	add := func(_ manifest.File, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	add(w.AddFile("attachments/000001-01.bin", io.LimitReader(zeroReader{}, 1<<32+1)))
	add(w.AddFile("attachments/000001-02.bin", io.LimitReader(zeroReader{}, exactly)))
	add(w.AddSized("sources/exactly-4GiB-1.bin", io.LimitReader(zeroReader{}, exactly), exactly, zerosCRC(exactly)))
	add(w.AddBytes(manifest.MessageEntryName(1), []byte(`{"id":"m1"}`)))
	add(w.AddBytes(manifest.ManifestName, []byte("{}")))
	add(w.AddBytes(manifest.SignatureName, []byte("not really a signature")))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(sw.off); err != nil {
		t.Fatal(err)
	}
	b, err := manifest.OpenBundle(f, sw.off)
	if err != nil {
		t.Fatalf("the writer's container of %d bytes: %v", sw.off, err)
	}
	defer b.Close()
	if size, _ := b.Size("attachments/000001-01.bin"); size != 1<<32+1 {
		t.Errorf("the attachment's size is %d", size)
	}
	data, err := b.ReadSmall(manifest.MessageEntryName(1), 1<<10)
	if err != nil || string(data) != `{"id":"m1"}` {
		t.Errorf("the entry past 8 GiB reads %q, %v", data, err)
	}
}

// sparseWriter writes into f, leaving runs of zeros as holes.
type sparseWriter struct {
	f   *os.File
	off int64
}

func (s *sparseWriter) Write(p []byte) (int, error) {
	if !allZero(p) {
		if _, err := s.f.WriteAt(p, s.off); err != nil {
			return 0, err
		}
	}
	s.off += int64(len(p))
	return len(p), nil
}

var zeroBlock [1 << 16]byte

func allZero(p []byte) bool {
	for len(p) > 0 {
		n := min(len(p), len(zeroBlock))
		if !bytes.Equal(p[:n], zeroBlock[:n]) {
			return false
		}
		p = p[n:]
	}
	return true
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

func zerosCRC(n int64) uint32 {
	var crc uint32
	for ; n > 0; n -= int64(len(zeroBlock)) {
		crc = crc32.Update(crc, crc32.IEEETable, zeroBlock[:min(n, int64(len(zeroBlock)))])
	}
	return crc
}
