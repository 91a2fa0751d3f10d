package manifest

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
)

// repackOf unzips a container and zips it again as other tools do:
// entries deflated with data descriptors (zip.Writer.Create), one stored
// with one, one stored without (CreateRaw), the manifest deflated.
func repackOf(t testing.TB, data []byte) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i, f := range zr.File {
		content, err := readZipFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var w io.Writer
		switch {
		case f.Name == ManifestName || i%3 == 1:
			w, err = zw.Create(f.Name)
		case i%3 == 0:
			w, err = zw.CreateHeader(&zip.FileHeader{Name: f.Name, Method: zip.Store})
		default:
			w, err = zw.CreateRaw(&zip.FileHeader{Name: f.Name, Method: zip.Store, CRC32: f.CRC32,
				CompressedSize64: uint64(len(content)), UncompressedSize64: uint64(len(content))})
		}
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(content); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func readZipFile(f *zip.File) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("open: %w", err)
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

// readBundleEntry reads an entry of b as Open gives it, both errors in
// readZipFile's words.
func readBundleEntry(b *Bundle, name string) ([]byte, error) {
	rc, err := b.Open(name)
	if err != nil {
		return nil, fmt.Errorf("open: %w", err)
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

// TestZipEntryAgrees: an entry of a repacked container, opened from the
// compact index (zipentry.go, and the manifest decoded once, spill.go),
// reads the same bytes and ends with the same error as archive/zip's
// File.Open, on a repacked bundle and on every change of each of its
// bytes that OpenRepacked accepts.
func TestZipEntryAgrees(t *testing.T) {
	manifestJSON := `{"messages":[` + strings.Repeat(`{"id":"m1","text":"hello"},`, 200) + `{}]}`
	var canon bytes.Buffer
	w, err := NewWriter(&canon)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 4 {
		if _, err := w.AddBytes(MessageEntryName(i), []byte(strings.Repeat(`{"id":"m1"}`, i+1))); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.AddFile("attachments/000001-01.jpg", strings.NewReader("not really a JPEG")); err != nil {
		t.Fatal(err)
	}
	if _, err := w.AddBytes(ManifestName, []byte(manifestJSON)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	data := repackOf(t, canon.Bytes())
	if n := agreeOnEntries(t, data); n != 7 {
		t.Fatalf("the repacked bundle: %d entries compared, want 7", n)
	}
	compared := 0
	for i := range data {
		for _, change := range []func(byte) byte{func(c byte) byte { return c ^ 0xff }, func(c byte) byte { return c + 1 }} {
			mutated := bytes.Clone(data)
			mutated[i] = change(mutated[i])
			compared += agreeOnEntries(t, mutated)
			if t.Failed() {
				t.Fatalf("after changing byte %d", i)
			}
		}
	}
	// A CRC-32 of 0 is not compared without a data descriptor: zero the
	// CRC-32 of each central record and each descriptor in turn.
	for _, field := range []struct {
		sig []byte
		at  int
	}{{[]byte("PK\x01\x02"), 16}, {[]byte("PK\x07\x08"), 4}} {
		for i := 0; ; i++ {
			k := bytes.Index(data[i:], field.sig)
			if k < 0 {
				break
			}
			i += k
			mutated := bytes.Clone(data)
			copy(mutated[i+field.at:], make([]byte, 4))
			compared += agreeOnEntries(t, mutated)
		}
	}
	t.Logf("%d entries of changed containers compared", compared)
}

// agreeOnEntries opens data with OpenRepacked and compares the reading of
// each of its entries with archive/zip's; the number of entries compared.
func agreeOnEntries(t *testing.T, data []byte) int {
	t.Helper()
	b, err := OpenRepacked(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return 0
	}
	defer b.Close()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		t.Fatalf("OpenRepacked accepts what archive/zip does not read: %v", err)
	}
	byName := map[string]*zip.File{}
	for _, f := range zr.File {
		byName[f.Name] = f
	}
	for _, name := range b.Names() {
		want, wantErr := readZipFile(byName[name])
		got, gotErr := readBundleEntry(b, name)
		if !bytes.Equal(got, want) || fmt.Sprint(gotErr) != fmt.Sprint(wantErr) || errors.Unwrap(gotErr) != errors.Unwrap(wantErr) && !errors.Is(gotErr, errors.Unwrap(wantErr)) {
			t.Errorf("%s: read %d bytes, %v; archive/zip %d bytes, %v", name, len(got), gotErr, len(want), wantErr)
		}
	}
	return len(b.Names())
}

// countingReaderAt counts the reads of a container.
type countingReaderAt struct {
	r     io.ReaderAt
	reads int
}

func (c *countingReaderAt) ReadAt(p []byte, off int64) (int, error) {
	c.reads++
	return c.r.ReadAt(p, off)
}

// TestDeflatedManifestInflatedOnce: after the opening, a repacked
// bundle's deflated manifest is read from its decoded copy, not inflated
// from the container again (the verifier reads it about twelve times),
// with the same bytes; Close removes the copy.
func TestDeflatedManifestInflatedOnce(t *testing.T) {
	data := repackOf(t, writerBundle(t))
	r := &countingReaderAt{r: bytes.NewReader(data)}
	b, err := OpenRepacked(r, int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	opened := r.reads
	for range 3 {
		if got, err := readBundleEntry(b, ManifestName); err != nil || string(got) != "{}" {
			t.Fatalf("manifest read %q, %v", got, err)
		}
	}
	if r.reads != opened {
		t.Errorf("the manifest was read from the container %d more times after the opening", r.reads-opened)
	}
	if b.manifestSpill == nil {
		t.Fatal("no decoded copy")
	}
	file, _, _ := b.manifestSpill.data.Outer()
	copyName := file.(*os.File).Name()
	b.Close()
	if _, err := os.Stat(copyName); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Close left the decoded manifest %s: %v", copyName, err)
	}
}
