package zipwrite

import (
	"archive/zip"
	"bytes"
	"fmt"
	"hash/crc32"
	"io"
	"strings"
	"testing"
)

// spec is an entry of a test container: its content, and whether it is
// written streamed (data descriptor) or sized (sizes in the local header).
type spec struct {
	name     string
	data     []byte // the content, or
	zeros    int64  // that many zero bytes (large entries)
	streamed bool
}

func (s spec) content() io.Reader {
	if s.data != nil {
		return bytes.NewReader(s.data)
	}
	return io.LimitReader(zeroReader{}, s.zeros)
}

func (s spec) size() int64 { return int64(len(s.data)) + s.zeros }

func (s spec) crc() uint32 {
	c := crc32.NewIEEE()
	io.Copy(c, s.content())
	return c.Sum32()
}

var copyBuffer = make([]byte, 1<<20)

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// withArchiveZip writes the entries as the bundle writer wrote them with
// archive/zip (manifest/writer.go before this package): the reference.
func withArchiveZip(t testing.TB, out io.Writer, entries []spec) {
	zw := zip.NewWriter(out)
	for _, s := range entries {
		var w io.Writer
		var err error
		if s.streamed {
			w, err = zw.CreateHeader(&zip.FileHeader{Name: s.name, Method: zip.Store})
		} else {
			w, err = zw.CreateRaw(&zip.FileHeader{
				Name: s.name, Method: zip.Store, CreatorVersion: 20, ReaderVersion: 20,
				CRC32: s.crc(), CompressedSize64: uint64(s.size()), UncompressedSize64: uint64(s.size()),
			})
		}
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.CopyBuffer(w, s.content(), copyBuffer); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
}

func withZipwrite(t testing.TB, out io.Writer, entries []spec) {
	add(t, New(out), entries)
}

func many(n int, streamedEvery int) []spec {
	entries := []spec{{name: "mimetype", data: []byte("application/vnd.custody.bundle+zip")}}
	for i := 1; i < n; i++ {
		s := spec{name: fmt.Sprintf("messages/%06d.json", i), data: []byte(fmt.Sprintf(`{"id":"m%d"}`, i))}
		if streamedEvery > 0 && i%streamedEvery == 0 {
			s = spec{name: fmt.Sprintf("attachments/%06d-01.jpg", i), data: bytes.Repeat([]byte{byte(i)}, i%300), streamed: true}
		}
		entries = append(entries, s)
	}
	return entries
}

// TestSameBytesAsArchiveZip: every shape of container the bundle writer
// makes comes out byte for byte as archive/zip wrote it.
func TestSameBytesAsArchiveZip(t *testing.T) {
	shapes := map[string][]spec{
		"empty":          nil,
		"mimetype only":  many(1, 0),
		"sized":          many(20, 0),
		"streamed":       {{name: "record.pdf", data: []byte("%PDF-1.7 ..."), streamed: true}},
		"mixed":          many(200, 3),
		"empty contents": {{name: "a", data: []byte{}}, {name: "attachments/b", data: []byte{}, streamed: true}, {name: "c", data: []byte("x")}},
		"long name":      {{name: strings.Repeat("n", 65535), data: []byte("x")}, {name: "s/" + strings.Repeat("m", 1000), data: []byte("y"), streamed: true}},
		// Zip64 end records: archive/zip writes them from 65,535 entries.
		"65,534 entries":  many(65534, 7),
		"65,535 entries":  many(65535, 7),
		"200,000 entries": many(200_000, 10),
	}
	for name, entries := range shapes {
		t.Run(name, func(t *testing.T) {
			var want, got bytes.Buffer
			withArchiveZip(t, &want, entries)
			withZipwrite(t, &got, entries)
			if !bytes.Equal(got.Bytes(), want.Bytes()) {
				t.Errorf("%d bytes, archive/zip wrote %d; first difference at byte %d", got.Len(), want.Len(), firstDifference(got.Bytes(), want.Bytes()))
			}
		})
	}
}

// TestSameBytesAsArchiveZipPast4GiB: sizes and offsets at and past
// 2³²−1, where the Zip64 fields of the local header, the data descriptor
// and the central directory each have their own threshold.
func TestSameBytesAsArchiveZipPast4GiB(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 2 × 12 GiB")
	}
	entries := []spec{
		{name: "mimetype", data: []byte("application/vnd.custody.bundle+zip")},
		{name: "attachments/exactly-4GiB-1", zeros: 1<<32 - 1, streamed: true},
		{name: "after-4GiB", data: []byte("offset past 2^32-1")},
		{name: "sized-4GiB", zeros: 1 << 32},
		{name: "attachments/streamed-4GiB", zeros: 1<<32 + 1, streamed: true},
		{name: "sized-4GiB-1", zeros: 1<<32 - 1},
		{name: "last", data: []byte("x")},
	}
	want, got := &zeroRuns{}, &zeroRuns{}
	withArchiveZip(t, want, entries)
	withZipwrite(t, got, entries)
	if !want.equal(got) {
		t.Errorf("the containers differ: %d parts, archive/zip %d", len(got.parts), len(want.parts))
	}
}

// zeroRuns records a byte stream with its runs of zero bytes counted
// rather than kept: equal records, equal streams, however written.
type zeroRuns struct {
	parts []part
}

type part struct {
	literal byte
	zeros   int64
}

func (z *zeroRuns) Write(p []byte) (int, error) {
	n := len(p)
	var block [4096]byte
	for len(p) > 0 {
		if p[0] != 0 {
			z.parts = append(z.parts, part{literal: p[0]})
			p = p[1:]
			continue
		}
		run := 0
		for run+len(block) <= len(p) && bytes.Equal(p[run:run+len(block)], block[:]) {
			run += len(block)
		}
		for run < len(p) && p[run] == 0 {
			run++
		}
		if last := len(z.parts) - 1; last >= 0 && z.parts[last].zeros > 0 {
			z.parts[last].zeros += int64(run)
		} else {
			z.parts = append(z.parts, part{zeros: int64(run)})
		}
		p = p[run:]
	}
	return n, nil
}

func (z *zeroRuns) equal(o *zeroRuns) bool {
	if len(z.parts) != len(o.parts) {
		return false
	}
	for i := range z.parts {
		if z.parts[i] != o.parts[i] {
			return false
		}
	}
	return true
}

func firstDifference(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// TestSizedEntryChecked: a sized entry given other bytes than announced
// is refused, rather than written with a lying header.
func TestSizedEntryChecked(t *testing.T) {
	for _, content := range []string{"abc", "abcd", "abd"} {
		zw := New(io.Discard)
		w, err := zw.CreateSized("x", 3, crc32.ChecksumIEEE([]byte("abc")))
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, content)
		err = zw.EndEntry()
		if (err == nil) != (content == "abc") {
			t.Errorf("%q: %v", content, err)
		}
	}
}

// TestNamesRefused: names whose bytes archive/zip would write otherwise
// (the UTF-8 flag) or that make no file entry.
func TestNamesRefused(t *testing.T) {
	for _, name := range []string{"", "dir/", "café", `a\b`, "a~b", "tab\t", strings.Repeat("n", 65536)} {
		if _, err := New(io.Discard).CreateStreamed(name); err == nil {
			t.Errorf("%q accepted", name)
		}
	}
}

// TestWriteAfterEnd: an ended entry takes no more bytes.
func TestWriteAfterEnd(t *testing.T) {
	zw := New(io.Discard)
	w, _ := zw.CreateStreamed("a")
	zw.CreateStreamed("b")
	if _, err := w.Write([]byte("x")); err == nil {
		t.Error("write to an ended entry accepted")
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err == nil {
		t.Error("closed twice")
	}
}
