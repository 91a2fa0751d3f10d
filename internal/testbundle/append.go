package testbundle

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/custody-toolkit/custody/manifest"
)

// AppendWithArchiveZip is the bundle data with entries added as the
// custody log added them until it used manifest's AppendEntries: every
// entry copied raw through archive/zip (Writer.Copy), then the new ones
// stored with their sizes and CRC-32 (StoredHeader). The reference for
// AppendEntries' bytes.
func AppendWithArchiveZip(t testing.TB, data []byte, add []Entry) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	return writeZipAfter(t, zr.File, add, func(zw *zip.Writer, e Entry) (io.Writer, error) {
		return zw.CreateRaw(manifest.StoredHeader(e.Name, e.Data))
	})
}

// WrittenBundle is a bundle of n entries in all written by
// manifest.Writer, sealed by no one: messages with an attachment
// (streamed) in every tenth, a manifest "{}" and a signature. OpenBundle
// and the custody log's Append take it, and nothing else: for tests of
// the container at sizes an export takes long to reach.
func WrittenBundle(t testing.TB, n int) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := manifest.NewWriter(&buf)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < n-2; i++ {
		if i%10 == 0 {
			_, err = w.AddFile(fmt.Sprintf("attachments/%06d-01.jpg", i), strings.NewReader("not really a JPEG"))
		} else {
			_, err = w.AddBytes(manifest.MessageEntryName(i), fmt.Appendf(nil, `{"id":"m%d"}`, i))
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.AddBytes(manifest.ManifestName, []byte("{}")); err != nil {
		t.Fatal(err)
	}
	if _, err := w.AddBytes(manifest.SignatureName, []byte("not really a signature")); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
