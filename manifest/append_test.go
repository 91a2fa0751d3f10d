package manifest

import (
	"archive/zip"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// appendWithArchiveZip is how the custody log added entries before
// AppendEntries (custodylog/logwriter's rewrite through archive/zip):
// every entry copied raw, then the new ones stored with StoredHeader. The
// reference for bundles without Zip64 entries.
func appendWithArchiveZip(t testing.TB, data []byte, add []StoredEntry) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, zf := range zr.File {
		if err := zw.Copy(zf); err != nil {
			t.Fatal(err)
		}
	}
	for _, e := range add {
		w, err := zw.CreateRaw(StoredHeader(e.Name, e.Data))
		if err != nil {
			t.Fatal(err)
		}
		w.Write(e.Data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func appendEntries(t testing.TB, data []byte, add []StoredEntry) []byte {
	t.Helper()
	b, err := OpenBundle(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := b.AppendEntries(&out, add); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// event is what the custody log adds: an event's entries.
func event(seq int) []StoredEntry {
	name := fmt.Sprintf("META-INF/custody/%04d", seq)
	return []StoredEntry{
		{name + ".json", []byte(`{"seq":` + fmt.Sprint(seq) + `}`)},
		{name + ".sig", bytes.Repeat([]byte{0xa5}, 64)},
		{name + ".pem", []byte("-----BEGIN PUBLIC KEY-----\n...\n-----END PUBLIC KEY-----\n")},
		{name + ".tsr", []byte{}},
	}
}

// TestAppendEntriesSameBytesAsArchiveZip: on every conformance vector that
// opens, the writer's bundle in each descriptor form, and bundles around
// 65,535 entries (where the Zip64 end records begin), the entries added
// come out byte for byte as archive/zip wrote them; twice, as a second
// event follows the first; and the result opens.
func TestAppendEntriesSameBytesAsArchiveZip(t *testing.T) {
	bundles := map[string][]byte{"writer's bundle": writerBundle(t)}
	vectors, _ := filepath.Glob("../testdata/vectors/*/*/*.custody")
	for _, path := range vectors {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := OpenBundle(bytes.NewReader(data), int64(len(data))); err == nil {
			bundles[path] = data
		}
	}
	if len(bundles) < 100 {
		t.Fatalf("only %d bundles open: the vectors were not found", len(bundles))
	}
	if !testing.Short() {
		bundles["65,531 entries"] = bundleOf(t, 65_531)   // 65,535 with an event
		bundles["65,540 entries"] = bundleOf(t, 65_540)   // Zip64 end records already
		bundles["158,000 entries"] = bundleOf(t, 158_000) // the largest bundle
	}
	for name, data := range bundles {
		got, want := data, data
		for seq := 9001; seq <= 9002; seq++ { // numbers no vector's log has
			got, want = appendEntries(t, got, event(seq)), appendWithArchiveZip(t, want, event(seq))
			if !bytes.Equal(got, want) {
				t.Fatalf("%s, event %d: %d bytes, archive/zip wrote %d; first difference at byte %d", name, seq, len(got), len(want), firstDiff(got, want))
			}
		}
		if _, err := OpenBundle(bytes.NewReader(got), int64(len(got))); err != nil {
			t.Errorf("%s: the bundle appended to does not open: %v", name, err)
		}
	}
}

// bundleOf is a bundle of n entries in all, written by Writer: messages,
// an attachment streamed in every tenth, a manifest.
func bundleOf(t testing.TB, n int) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := NewWriter(&buf)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < n-1; i++ {
		if i%10 == 0 {
			_, err = w.AddFile(fmt.Sprintf("attachments/%06d-01.jpg", i), strings.NewReader("not really a JPEG"))
		} else {
			_, err = w.AddBytes(MessageEntryName(i), []byte(fmt.Sprintf(`{"id":"m%d"}`, i)))
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.AddBytes(ManifestName, []byte("{}")); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// TestAppendEntriesRefuses: names the bundle could not hold, and a bundle
// not read in the canonical layout, are refused with nothing written.
func TestAppendEntriesRefuses(t *testing.T) {
	data := writerBundle(t)
	b, err := OpenBundle(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	for name, add := range map[string][]StoredEntry{
		"an existing name":         {{ManifestName, nil}},
		"an existing name's case":  {{"Manifest.JSON", nil}},
		"twice the same name":      {{"META-INF/custody/0002.json", nil}, {"META-INF/custody/0002.JSON", nil}},
		"a name outside the rules": {{"../escape", nil}},
	} {
		var out bytes.Buffer
		if err := b.AppendEntries(&out, add); err == nil || out.Len() > 0 {
			t.Errorf("%s: %v, %d bytes written", name, err, out.Len())
		}
	}
	repacked, err := OpenRepacked(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := repacked.AppendEntries(&out, event(2)); err == nil || out.Len() > 0 {
		t.Errorf("a repacked bundle: %v, %d bytes written", err, out.Len())
	}
}
