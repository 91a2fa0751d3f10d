package manifest

import (
	"archive/zip"
	"bytes"
	"fmt"
	"hash/crc32"
	"io"
	"runtime"
	"strings"
	"testing"

	"github.com/custody-toolkit/custody/internal/peakrss"
)

// add is one call of the bundle writer: AddBytes, AddFile or AddSized.
type add struct {
	name string
	data []byte
	how  string // "bytes", "file" or "sized"
}

// withArchiveZip writes the calls as Writer did with archive/zip before
// it wrote through zipwrite: the reference its bytes are held to.
func withArchiveZip(t *testing.T, calls []add) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, c := range append([]add{{MimetypeName, []byte(MediaType), "bytes"}}, calls...) {
		var w io.Writer
		var err error
		if c.how == "file" {
			w, err = zw.CreateHeader(&zip.FileHeader{Name: c.name, Method: zip.Store})
		} else {
			w, err = zw.CreateRaw(StoredHeader(c.name, c.data))
		}
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(c.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func withWriter(t *testing.T, calls []add) []byte {
	var buf bytes.Buffer
	w, err := NewWriter(&buf)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range calls {
		var f File
		switch c.how {
		case "bytes":
			f, err = w.AddBytes(c.name, c.data)
		case "file":
			f, err = w.AddFile(c.name, iotestHalfReader{bytes.NewReader(c.data)})
		case "sized":
			f, err = w.AddSized(c.name, bytes.NewReader(c.data), int64(len(c.data)), crc32.ChecksumIEEE(c.data))
		}
		if err != nil {
			t.Fatal(err)
		}
		if f.Path != c.name || f.Size != int64(len(c.data)) {
			t.Fatalf("%s: %+v", c.name, f)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// iotestHalfReader reads in small pieces, as a file or pipe may.
type iotestHalfReader struct{ r io.Reader }

func (h iotestHalfReader) Read(p []byte) (int, error) { return h.r.Read(p[:min(len(p), 1000)]) }

// bundleCalls is an export's sequence of entries with n messages: a source,
// messages, an attachment every fifth, the rendering, the manifest, META-INF.
func bundleCalls(n int) []add {
	calls := []add{{"sources/chat.txt", bytes.Repeat([]byte("[1/2/23, 9:00] A: hola\n"), 100), "file"}}
	for i := 1; i <= n; i++ {
		calls = append(calls, add{MessageEntryName(i), fmt.Appendf(nil, `{"id":"m%d","text":"…"}`, i), "bytes"})
		if i%5 == 0 {
			calls = append(calls, add{fmt.Sprintf("attachments/%06d-01.jpg", i), bytes.Repeat([]byte{byte(i)}, i%3000), "file"})
		}
	}
	return append(calls,
		add{RecordName, bytes.Repeat([]byte("%PDF "), 300_000), "file"},
		add{ManifestName, bytes.Repeat([]byte(`{"m":1}`), 10*n), "sized"},
		add{SignatureName, make([]byte, 64), "bytes"},
		add{"META-INF/empty", nil, "bytes"},
	)
}

// TestWriterWritesArchiveZipBytes: bundles of several shapes come out of
// Writer byte for byte as archive/zip wrote them, past 65,535 entries
// (Zip64 end records) too. Sizes and offsets past 4 GiB are zipwrite's
// own test.
func TestWriterWritesArchiveZipBytes(t *testing.T) {
	shapes := map[string][]add{
		"mimetype only":  nil,
		"small bundle":   bundleCalls(12),
		"70,000 entries": bundleCalls(58_400),
	}
	for name, calls := range shapes {
		t.Run(name, func(t *testing.T) {
			want, got := withArchiveZip(t, calls), withWriter(t, calls)
			if !bytes.Equal(got, want) {
				t.Errorf("%d bytes, archive/zip wrote %d", len(got), len(want))
			}
		})
	}
}

// TestWriterRefusesDuplicates: names equal but for case are refused (a
// reader refuses them), and a name whose hash is known but that is not
// written is not.
func TestWriterRefusesDuplicates(t *testing.T) {
	w, err := NewWriter(io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.AddBytes("messages/000001.json", nil); err != nil {
		t.Fatal(err)
	}
	for _, dup := range []string{"messages/000001.json", "Messages/000001.JSON", "MIMETYPE"} {
		if _, err := w.AddBytes(dup, nil); err == nil || !strings.Contains(err.Error(), "duplicate entry") {
			t.Errorf("%s: %v", dup, err)
		}
	}
	w.folded[w.hash("messages/000002.json")] = struct{}{} // as if another name's hash were equal
	if _, err := w.AddBytes("messages/000002.json", nil); err != nil {
		t.Errorf("a hash collision taken for a duplicate: %v", err)
	}
}

// TestWriterMemoryPerEntry: what the writer keeps until Close is a few
// dozen bytes an entry (archive/zip's directory alone was about 300), so
// that the largest container a verifier reads costs a few MB.
func TestWriterMemoryPerEntry(t *testing.T) {
	if testing.Short() {
		t.Skip("200,000 entries")
	}
	w, err := NewWriter(io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	runtime.GC() // what earlier tests left
	live := peakrss.SampleLiveHeap()
	for i := 1; i < MaxEntries; i++ {
		if _, err := w.AddBytes(MessageEntryName(i), []byte("{}")); err != nil {
			t.Fatal(err)
		}
	}
	peakrss.AtMost(t, live(), 40<<20, "the writer's state per entry")
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}
