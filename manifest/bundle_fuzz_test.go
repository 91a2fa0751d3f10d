package manifest_test

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/custody-toolkit/custody/conversation"
	"github.com/custody-toolkit/custody/custody"
	"github.com/custody-toolkit/custody/internal/testbundle"
	"github.com/custody-toolkit/custody/manifest"
)

// smallBundle exports a two-message conversation with one small
// attachment, without the PDF rendering, so that fuzz inputs stay small.
func smallBundle(tb testing.TB) []byte {
	tb.Helper()
	dir := tb.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "media"), 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "media", "a.jpg"), []byte("\xff\xd8\xff\xe0 not really a JPEG"), 0o644); err != nil {
		tb.Fatal(err)
	}
	doc := `{"format": "custody.conversation/v1", "id": "c-1", "title": "t",
	 "participants": [{"id": "dr", "role": "clinician"}, {"id": "pt", "role": "patient"}],
	 "messages": [
	  {"id": "m1", "time": "2026-04-12T09:14:03+02:00", "from": "pt", "text": "analítica",
	   "attachments": [{"path": "media/a.jpg", "name": "a.jpg", "type": "image/jpeg"}]},
	  {"id": "m2", "time": "2026-04-12T09:40:27+02:00", "from": "dr", "text": "gracias"}]}`
	if err := os.WriteFile(filepath.Join(dir, "conversation.json"), []byte(doc), 0o644); err != nil {
		tb.Fatal(err)
	}
	c, err := conversation.Load(dir)
	if err != nil {
		tb.Fatal(err)
	}
	fx := testbundle.New(tb, "ed25519")
	out := filepath.Join(tb.TempDir(), "small.custody")
	_, err = custody.Export(context.Background(), c, custody.Options{Out: out, Signer: fx.Signer, Timestampers: []custody.Timestamper{fx}, NoRecord: true})
	if err != nil {
		tb.Fatal(err)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

// FuzzOpenBundle: OpenBundle never panics on any bytes, and what it
// accepts is bounded by the input: the manifest within its limit, every
// entry name clean, every entry readable to at most its declared size,
// which is at most the input's size (stored entries cannot expand).
func FuzzOpenBundle(f *testing.F) {
	real := smallBundle(f)
	f.Logf("seed bundle: %d bytes", len(real))
	f.Add(real)
	for _, n := range []int{0, 4, 38, 100, len(real) / 2, len(real) - 23, len(real) - 1} {
		f.Add(real[:n])
	}
	f.Add(append(bytes.Clone(real), 0))                        // appended byte
	f.Add(append([]byte{0}, real...))                          // prefix
	f.Add(bytes.Replace(real, []byte("m1"), []byte("M1"), -1)) // entry names and data
	flipped := bytes.Clone(real)
	flipped[len(real)-10] ^= 0xff // inside the end record
	f.Add(flipped)
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := manifest.OpenBundle(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			if b != nil {
				t.Fatalf("OpenBundle returned a bundle and the error %v", err)
			}
			return
		}
		if m, err := b.ReadManifest(); err != nil || len(m) > manifest.MaxManifestSize || len(m) > len(data) {
			t.Fatalf("manifest of %d bytes from %d bytes of input (%v)", len(m), len(data), err)
		}
		names := b.Names()
		if len(names) == 0 || names[0] != manifest.MimetypeName {
			t.Fatalf("accepted with entries %q", names)
		}
		for _, name := range names {
			if err := manifest.CheckEntryName(name); err != nil {
				t.Fatalf("accepted entry: %v", err)
			}
			size, ok := b.Size(name)
			if !ok || size < 0 || size > int64(len(data)) {
				t.Fatalf("entry %s: size %d from %d bytes of input", name, size, len(data))
			}
			rc, err := b.Open(name)
			if err != nil {
				continue
			}
			n, _ := io.Copy(io.Discard, io.LimitReader(rc, size+1))
			rc.Close()
			if n > size {
				t.Fatalf("entry %s: read more than its %d bytes", name, size)
			}
		}
	})
}
