package manifest_test

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"runtime"
	"testing"

	"github.com/custody-toolkit/custody/internal/testbundle"
	"github.com/custody-toolkit/custody/manifest"
)

// TestOpenBundleHoldsNumbersPerEntry: an opened canonical bundle keeps
// of each entry its name and a few numbers, not archive/zip's zip.File
// (about 300 bytes) nor a map entry: a bundle has up to MaxEntries of
// them. The names are one string (nameTable): 60 bytes an entry here,
// 76 when each name was a string of its own.
func TestOpenBundleHoldsNumbersPerEntry(t *testing.T) {
	const n = 50_000
	data := bundleOfEntries(t, n)
	before := liveHeap()
	b, err := manifest.OpenBundle(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	held := int64(liveHeap()) - int64(before)
	runtime.KeepAlive(b)
	t.Logf("%d bytes held per entry", held/n)
	if held/n > 68 {
		t.Errorf("the opened bundle holds %d bytes per entry: more than its name and numbers", held/n)
	}
}

func liveHeap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// TestStoredEntryChecksum: an entry read in place is held to its CRC-32
// as archive/zip holds it (zip.ErrChecksum at its end), with and without
// a data descriptor, and reads the same bytes.
func TestStoredEntryChecksum(t *testing.T) {
	entries := []testbundle.Entry{
		{Name: manifest.MimetypeName, Data: []byte(manifest.MediaType)},
		{Name: "attachments/000001-01.bin", Data: []byte("photo bytes")},
		{Name: manifest.MessageEntryName(0), Data: []byte(`{"id":"m1"}`)},
		{Name: manifest.ManifestName, Data: []byte("{}")},
	}
	valid := testbundle.WriteEntriesStreaming(t, entries, manifest.Streamed)
	l := testbundle.Map(t, valid)
	for _, e := range entries[1:3] {
		t.Run(e.Name, func(t *testing.T) {
			got, err := readEntry(valid, e.Name)
			if err != nil || string(got) != string(e.Data) {
				t.Fatalf("read %q, %v; want %q", got, err, e.Data)
			}
			altered := bytes.Clone(valid)
			altered[l.Part(t, e.Name).LocalEnd] ^= 1 // the data, not its CRC-32
			if _, err := readEntry(altered, e.Name); !errors.Is(err, zip.ErrChecksum) {
				t.Errorf("altered data read with error %v, want %v", err, zip.ErrChecksum)
			}
		})
	}
}

func readEntry(data []byte, name string) ([]byte, error) {
	b, err := manifest.OpenBundle(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("open: %w", err)
	}
	rc, err := b.Open(name)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

// withCRC is a canonical container of one attachment, whose CRC-32 is
// crc in both its headers, whatever its data.
func withCRC(t *testing.T, crc uint32) (container []byte, attachment testbundle.Entry) {
	t.Helper()
	entries := []testbundle.Entry{
		{Name: manifest.MimetypeName, Data: []byte(manifest.MediaType)},
		{Name: "attachments/000001-01.bin", Data: []byte("photo bytes")},
		{Name: manifest.ManifestName, Data: []byte("{}")},
	}
	container = testbundle.WriteEntries(t, entries)
	p := testbundle.Map(t, container).Part(t, entries[1].Name)
	testbundle.PutUint32(container, p.Local+14, crc)
	testbundle.PutUint32(container, p.Central+16, crc)
	return container, entries[1]
}

// TestStoredEntryZeroCRC: a CRC-32 of 0 in both headers of an entry
// without a data descriptor is held to the data like any other value.
// archive/zip's reader skips the comparison then (a writer may not know
// the CRC), so the field could be zeroed, changing the file's bytes,
// and the bundle still read; a canonical container has no such form.
func TestStoredEntryZeroCRC(t *testing.T) {
	zeroed, attachment := withCRC(t, 0)
	if _, err := readEntry(zeroed, attachment.Name); !errors.Is(err, zip.ErrChecksum) {
		t.Errorf("an entry whose CRC-32 fields were zeroed read with error %v, want %v", err, zip.ErrChecksum)
	}
}

// TestOpenBundleAllocatesNumbersPerEntry: opening a canonical bundle
// allocates, in all, little more per entry than what it keeps (the
// entry's name and numbers): its central directory is read record by
// record, not into archive/zip's zip.File per entry (about 300 bytes)
// and a map of folded names, which made the highest transient of a
// verification.
func TestOpenBundleAllocatesNumbersPerEntry(t *testing.T) {
	const n = 50_000
	data := bundleOfEntries(t, n)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	b, err := manifest.OpenBundle(bytes.NewReader(data), int64(len(data)))
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	runtime.KeepAlive(b)
	perEntry := (after.TotalAlloc - before.TotalAlloc) / n
	t.Logf("%d bytes allocated per entry", perEntry)
	if perEntry > 150 {
		t.Errorf("opening the bundle allocates %d bytes per entry: more than its index", perEntry)
	}
}

// TestOpenBundleDoesNotReadManifestWhole: opening a bundle reads the
// manifest through (its entry must read) without holding it: a verifier
// streams it for its signature and digest (up to MaxManifestSize).
func TestOpenBundleDoesNotReadManifestWhole(t *testing.T) {
	var buf bytes.Buffer
	w, err := manifest.NewWriter(&buf)
	if err != nil {
		t.Fatal(err)
	}
	big := bytes.Repeat([]byte(" "), 8<<20)
	if _, err := w.AddBytes(manifest.ManifestName, big); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	b, err := manifest.OpenBundle(bytes.NewReader(data), int64(len(data)))
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 1<<20 {
		t.Errorf("opening a bundle with a manifest of %d bytes allocates %d bytes", len(big), alloc)
	}
	got, err := b.ReadManifest()
	if err != nil || !bytes.Equal(got, big) {
		t.Fatalf("ReadManifest: %d bytes, %v", len(got), err)
	}
}

// bundleOfEntries is a canonical container of n message entries and a
// manifest, each "{}": what opening costs per entry, without content.
func bundleOfEntries(t *testing.T, n int) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := manifest.NewWriter(&buf)
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if _, err := w.AddBytes(manifest.MessageEntryName(i), []byte("{}")); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.AddBytes(manifest.ManifestName, []byte("{}")); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestOpenRepackedHoldsNumbersPerEntry: an opened repacked bundle keeps
// the same compact index as a canonical one, not archive/zip's zip.File
// per entry (about 300 bytes), which it held for the whole verification.
func TestOpenRepackedHoldsNumbersPerEntry(t *testing.T) {
	const n = 50_000
	data := deflatedCopy(t, bundleOfEntries(t, n))
	before := liveHeap()
	b, err := manifest.OpenRepacked(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	held := int64(liveHeap()) - int64(before)
	runtime.KeepAlive(b)
	t.Logf("%d bytes held per entry", held/n)
	if held/n > 100 {
		t.Errorf("the opened repacked bundle holds %d bytes per entry: more than its name and numbers", held/n)
	}
}

// deflatedCopy zips a container's entries again, each deflated.
func deflatedCopy(t *testing.T, data []byte) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		w, err := zw.Create(f.Name)
		if err == nil {
			_, err = io.Copy(w, rc)
		}
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestSkipCRC: a bundle told SkipCRC reads an entry whose CRC-32 does not
// match its data to its end, without error and without noting it (the
// web verifier's second reader, whose first checks every CRC-32); the
// same bundle not told so fails the read, as before, and the read is the
// same bytes either way.
func TestSkipCRC(t *testing.T) {
	edited, attachment := withCRC(t, 0x12345678)
	for _, skip := range []bool{false, true} {
		b, err := manifest.OpenBundle(bytes.NewReader(edited), int64(len(edited)))
		if err != nil {
			t.Fatal(err)
		}
		if skip {
			b.SkipCRC()
		}
		rc, err := b.Open(attachment.Name)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(rc)
		switch {
		case skip && (err != nil || !bytes.Equal(got, attachment.Data)):
			t.Errorf("SkipCRC: read %q, %v; want the entry's bytes without error", got, err)
		case !skip && !errors.Is(err, zip.ErrChecksum):
			t.Errorf("without SkipCRC: read with error %v, want %v", err, zip.ErrChecksum)
		}
		if wrong := b.CRCMismatches(); len(wrong) != 0 {
			t.Errorf("SkipCRC %t: CRC-32 mismatches noted %v, want none (not TolerateCRC)", skip, wrong)
		}
	}
}
