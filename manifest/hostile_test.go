package manifest_test

// Hostile inputs of issue 7, crafted byte by byte: each must be refused
// with a ContainerError (verdict FAILED) or ErrNotBundle (exit 2) whose
// message names the problem, without a panic and within bounded time and
// memory.

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/binary"
	"encoding/pem"
	"errors"
	"hash/crc32"
	"io"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/custody-toolkit/custody/internal/testbundle"
	"github.com/custody-toolkit/custody/manifest"
)

// openHostile opens data, recovering a panic as a test failure.
func openHostile(t *testing.T, data []byte) (b *manifest.Bundle, err error) {
	t.Helper()
	defer func() {
		if p := recover(); p != nil {
			t.Fatalf("OpenBundle panicked: %v", p)
		}
	}()
	return manifest.OpenBundle(bytes.NewReader(data), int64(len(data)))
}

// refused asserts a FAILED-class or unreadable error whose message holds
// want (case-insensitive).
func refused(t *testing.T, data []byte, want string) {
	t.Helper()
	b, err := openHostile(t, data)
	t.Logf("refused: %v", err)
	if err == nil {
		t.Fatalf("accepted (%d entries); want an error about %q", len(b.Names()), want)
	}
	var cerr *manifest.ContainerError
	if !errors.As(err, &cerr) && !errors.Is(err, manifest.ErrNotBundle) {
		t.Fatalf("error %v (%T) is neither a ContainerError nor ErrNotBundle", err, err)
	}
	if !strings.Contains(strings.ToLower(err.Error()), strings.ToLower(want)) {
		t.Errorf("error %q does not name the problem (%q)", err, want)
	}
}

var manifestEntry = testbundle.Stored("manifest.json", []byte(`{}`))

func TestHostileZIP(t *testing.T) {
	craft := func(e ...testbundle.Crafted) []byte {
		return testbundle.Craft(t, append([]testbundle.Crafted{manifestEntry}, e...)...)
	}
	stored := testbundle.Stored
	valid := craft(stored("messages/000001.json", []byte("{}")))
	if _, err := openHostile(t, valid); err != nil {
		t.Fatalf("the crafting baseline is refused: %v", err)
	}
	symlink := stored("attachments/000001-01", []byte("/etc/passwd"))
	symlink.Header.CreatorVersion = 3 << 8 // Unix
	symlink.Header.ExternalAttrs = 0o120777 << 16
	encrypted := stored("attachments/000001-01", []byte("x"))
	encrypted.Header.Flags = 0x1
	deflated := func(name string, data []byte) testbundle.Crafted {
		var buf bytes.Buffer
		w, _ := flate.NewWriter(&buf, flate.BestCompression)
		w.Write(data)
		w.Close()
		c := testbundle.Crafted{Header: zip.FileHeader{Name: name, Method: zip.Deflate,
			CompressedSize64: uint64(buf.Len()), UncompressedSize64: uint64(len(data))}, Data: buf.Bytes()}
		c.Header.CRC32 = crc(data)
		return c
	}

	tests := []struct {
		name string
		data func() []byte
		want string
	}{
		{"duplicate names", func() []byte { return craft(stored("a/x", nil), stored("a/x", nil)) }, "duplicate"},
		{"names differing only in case", func() []byte { return craft(stored("messages/a", nil), stored("Messages/A", nil)) }, "duplicate"},
		{"dot-dot element", func() []byte { return craft(stored("attachments/../../evil", nil)) }, "clean relative path"},
		{"dot-dot alone", func() []byte { return craft(stored("..", nil)) }, "clean relative path"},
		{"absolute path", func() []byte { return craft(stored("/etc/passwd", nil)) }, "absolute"},
		{"drive letter", func() []byte { return craft(stored("C:/x", nil)) }, "not allowed"},
		{"backslash", func() []byte { return craft(stored(`attachments\x`, nil)) }, "not allowed"},
		{"directory entry", func() []byte { return craft(stored("messages/", nil)) }, "directory"},
		{"symlink entry", func() []byte { return craft(symlink) }, "not a regular file"},
		{"encrypted flag", func() []byte { return craft(encrypted) }, "encrypted"},
		{"invalid UTF-8 name", func() []byte { return craft(stored("attachments/\xff\xfe", nil)) }, "not allowed"},
		{"NFC é", func() []byte { return craft(stored("attachments/caf\u00e9", nil)) }, "not allowed"},
		{"NFD e+U+0301", func() []byte { return craft(stored("attachments/cafe\u0301", nil)) }, "not allowed"},
		{"control character", func() []byte { return craft(stored("attachments/a\x00b", nil)) }, "not allowed"},
		{"name over 255 bytes", func() []byte { return craft(stored("attachments/"+strings.Repeat("a", 250), nil)) }, "longer than 255"},
		{"deflate bomb (16 MiB of zeros)", func() []byte { return craft(deflated("attachments/bomb", make([]byte, 16<<20))) }, "compressed"},
		{"mimetype not first", func() []byte {
			return testbundle.WriteEntries(t, []testbundle.Entry{{Name: "manifest.json", Data: []byte("{}")},
				{Name: "mimetype", Data: []byte(manifest.MediaType)}})
		}, "first entry"},
		{"wrong media type", func() []byte {
			return testbundle.Craft(t, stored("mimetype", []byte("application/vnd.custody.bundle+zap")), manifestEntry)
		}, "mimetype"},
		{"no manifest", func() []byte { return testbundle.Craft(t, stored("messages/000001.json", nil)) }, "manifest.json"},
		{"data before the archive", func() []byte { return append([]byte("MZ\x90\x00 a self-extractor stub"), valid...) }, "byte 0"},
		{"data after the archive", func() []byte { return append(bytes.Clone(valid), "trailing"...) }, "end-of-central-directory"},
		{"a comment", func() []byte {
			d := append(bytes.Clone(valid), "hidden words"...)
			testbundle.PutUint16(d, len(valid)-2, uint16(len("hidden words")))
			return d
		}, "end-of-central-directory"},
		{"local header names another entry", func() []byte {
			d := bytes.Clone(valid)
			p := testbundle.Map(t, d).Part(t, "messages/000001.json")
			d[p.Local+testbundle.LocalLen] = 'M'
			return d
		}, "local header names"},
		{"local header method differs", func() []byte {
			d := bytes.Clone(valid)
			testbundle.PutUint16(d, testbundle.Map(t, d).Part(t, "manifest.json").Local+8, zip.Deflate)
			return d
		}, "local header"},
		{"two central records on one local header", func() []byte {
			d := bytes.Clone(valid)
			l := testbundle.Map(t, d)
			testbundle.PutUint32(d, l.Part(t, "messages/000001.json").Central+42, uint32(l.Part(t, "manifest.json").Local))
			return d
		}, "local header"},
		{"a gap between two entries", func() []byte {
			// The second entry's data grows by 8 bytes in its central size
			// only: the reader would skip them as no one's.
			d := bytes.Clone(valid)
			l := testbundle.Map(t, d)
			p := l.Part(t, "messages/000001.json")
			gap := []byte("HIDDEN!!")
			out := append(append(bytes.Clone(d[:p.LocalEnd+p.Size]), gap...), d[p.LocalEnd+p.Size:]...)
			shift := func(off int) { testbundle.PutUint32(out, off, binary.LittleEndian.Uint32(out[off:])+uint32(len(gap))) }
			for _, q := range l.Parts {
				if q.Local > p.Local {
					shift(q.Central + len(gap) + 42)
				}
			}
			shift(len(out) - testbundle.EndLen + 16)
			return out
		}, "no central-directory record"},
		{"huge declared size", func() []byte {
			d := bytes.Clone(valid)
			p := testbundle.Map(t, d).Part(t, "messages/000001.json")
			for _, off := range []int{p.Local + 18, p.Local + 22, p.Central + 20, p.Central + 24} {
				testbundle.PutUint32(d, off, 0xfffffff0)
			}
			return d
		}, "runs past the end"},
		{"entry count declared beyond the file", func() []byte {
			d := bytes.Clone(valid)
			testbundle.PutUint16(d, len(d)-testbundle.EndLen+8, 0xfffe)
			testbundle.PutUint16(d, len(d)-testbundle.EndLen+10, 0xfffe)
			return d
		}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := tt.data()
			// Refusing is cheap whatever the input claims: no declared
			// size or count is trusted before it is checked.
			if alloc := allocated(func() { refused(t, data, tt.want) }); alloc > 4<<20 {
				t.Errorf("refusing %d bytes allocated %d bytes", len(data), alloc)
			}
		})
	}

	t.Run("deflate bomb is refused without inflating", func(t *testing.T) {
		data := craft(deflated("attachments/bomb", make([]byte, 64<<20)))
		if alloc := allocated(func() { openHostile(t, data) }); alloc > 8<<20 {
			t.Errorf("refusing a %d-byte bomb allocated %d bytes", len(data), alloc)
		}
	})

	t.Run("entry count above the cap", func(t *testing.T) {
		data := testbundle.ManyEntries(manifest.MaxEntries + 1)
		start := time.Now()
		var err error
		alloc := allocated(func() { _, err = openHostile(t, data) })
		var cerr *manifest.ContainerError
		if !errors.As(err, &cerr) || !strings.Contains(err.Error(), "200001 entries") {
			t.Fatalf("error %v; want a ContainerError naming 200001 entries", err)
		}
		// The directory is walked, not held, before archive/zip would
		// parse it whole (about 5 times the input's size, 54 MB here).
		took := time.Since(start)
		t.Logf("%d-byte central directory: refused in %v, %d MB allocated", len(data), took.Round(time.Millisecond), alloc>>20)
		if took > 20*time.Second {
			t.Errorf("refusing took %v", took)
		}
		if alloc > int64(len(data)) {
			t.Errorf("allocated %d bytes for a %d-byte input", alloc, len(data))
		}
	})

	// Found by this suite and the mutation suite (docs/security.md, W1–W3)
	// and refused since the reader requires the canonical layout: no byte
	// of the ZIP structure is free.
	t.Run("local header sizes lie", func(t *testing.T) {
		d := bytes.Clone(valid)
		p := testbundle.Map(t, d).Part(t, "messages/000001.json")
		testbundle.PutUint32(d, p.Local+18, 0)
		testbundle.PutUint32(d, p.Local+22, 0)
		refused(t, d, "local header is not in the canonical form")
	})
	t.Run("extra field with hidden bytes", func(t *testing.T) {
		e := stored("messages/000001.json", []byte("{}"))
		e.Header.Extra = append([]byte{0x99, 0x99, 12, 0}, "hidden words"...)
		refused(t, craft(e), "local header is not in the canonical form")
	})
	t.Run("entry comment with hidden bytes", func(t *testing.T) {
		e := stored("messages/000001.json", []byte("{}"))
		e.Header.Comment = "hidden words"
		refused(t, craft(e), "central-directory record is not in the canonical form")
	})
	t.Run("zip64 extra field on a small entry", func(t *testing.T) {
		e := stored("messages/000001.json", []byte("{}"))
		var z [20]byte
		binary.LittleEndian.PutUint16(z[0:], 0x0001)
		binary.LittleEndian.PutUint16(z[2:], 16)
		binary.LittleEndian.PutUint64(z[4:], 1<<40)
		binary.LittleEndian.PutUint64(z[12:], 1<<40)
		e.Header.Extra = z[:]
		refused(t, craft(e), "local header is not in the canonical form")
	})
	// Issue 13, item 7: the local records in another order than the
	// central directory's, and mimetype's elsewhere than at byte 0, read
	// the same entries: one order only.
	t.Run("local records in another order", func(t *testing.T) {
		refused(t, testbundle.SwapLocal(t, valid, "manifest.json", "messages/000001.json"), "central directory's order")
	})
	t.Run("mimetype not at byte 0", func(t *testing.T) {
		refused(t, testbundle.SwapLocal(t, valid, "mimetype", "manifest.json"), "central directory's order")
	})
	t.Run("data descriptor on an entry that is not streamed", func(t *testing.T) {
		e := stored("messages/000001.json", []byte("{}"))
		e.Header.Flags = 0x8
		refused(t, craft(e), "data descriptor")
	})
	t.Run("data descriptor on an attachment", func(t *testing.T) {
		e := stored("attachments/000001-01.jpg", []byte("jpeg"))
		e.Header.Flags = 0x8
		if _, err := openHostile(t, craft(e)); err != nil {
			t.Fatalf("a streamed attachment is refused: %v", err)
		}
	})
	t.Run("bytes between the central directory and the end record", func(t *testing.T) {
		l := testbundle.Map(t, valid)
		out := append(append(bytes.Clone(valid[:l.End]), "HIDDEN!!"...), valid[l.End:]...)
		testbundle.PutUint32(out, len(out)-testbundle.EndLen+12, uint32(l.End-l.Directory+8))
		refused(t, out, "between the central directory and the end record")
	})
}

func crc(b []byte) uint32 { return crc32.ChecksumIEEE(b) }

// allocated measures the bytes allocated by f.
func allocated(f func()) int64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return int64(after.TotalAlloc - before.TotalAlloc)
}

// vectorManifest is the manifest of the committed test vector: the
// signer's exact bytes.
func vectorManifest(t *testing.T) []byte {
	t.Helper()
	zr, err := zip.OpenReader(filepath.Join("..", "testdata", "vectors", "v1", "sample.custody"))
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	rc, err := zr.Open(manifest.ManifestName)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestHostileManifestJSON: every variant of the signed manifest that a
// lax parser could read as the same (or another) document is refused, so
// that no verifier reads anything but the signer's bytes.
func TestHostileManifestJSON(t *testing.T) {
	orig := vectorManifest(t)
	if _, err := manifest.Parse(orig); err != nil {
		t.Fatalf("the vector's manifest does not parse: %v", err)
	}
	replace := func(old, new string) func() []byte {
		return func() []byte {
			if !bytes.Contains(orig, []byte(old)) {
				t.Fatalf("%q not in the vector's manifest", old)
			}
			return bytes.Replace(orig, []byte(old), []byte(new), 1)
		}
	}
	tests := []struct {
		name string
		data func() []byte
	}{
		{"duplicate key, first wins elsewhere", replace(`{"chain":`, `{"chain":{},"chain":`)},
		{"duplicate key, last wins elsewhere", replace(`"format":"custody.bundle/v1"`, `"format":"custody.bundle/v1","format":"custody.bundle/v1"`)},
		{"a space", replace(`{"chain":`, `{ "chain":`)},
		{"a newline at the end", func() []byte { return append(bytes.Clone(orig), '\n') }},
		{"a byte-order mark", func() []byte { return append([]byte("\xef\xbb\xbf"), orig...) }},
		{"escaped é", replace(`María`, `Mar\u00eda`)},
		{"escaped ASCII", replace(`"format"`, `"form\u0061t"`)},
		{"escaped slash", replace(`"custody.bundle/v1"`, `"custody.bundle\/v1"`)},
		{"keys out of order", replace(`{"chain":{"algorithm":"custody-chain-sha256/v1","head":`, `{"chain":{"head":`)},
		{"1e400", replace(`"length":7`, `"length":1e400`)},
		{"2^64", replace(`"length":7`, `"length":18446744073709551616`)},
		{"7.0", replace(`"length":7`, `"length":7.0`)},
		{"-0", replace(`"total":7`, `"total":-0`)},
		{"deep nesting (10,000 levels)", replace(`"length":7`, `"length":`+strings.Repeat("[", 10_000)+strings.Repeat("]", 10_000))},
		{"invalid UTF-8", replace(`María`, "Mar\xc3\x28a")},
		{"lone surrogate", replace(`María`, `Mar\ud800a`)},
		{"a NUL byte", replace(`María`, "Mar\x00a")},
		{"an unknown member", replace(`{"chain":`, `{"algorithm":"none","chain":`)},
		{"trailing data", func() []byte { return append(bytes.Clone(orig), `{}`...) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := tt.data()
			var err error
			func() {
				defer func() {
					if p := recover(); p != nil {
						t.Fatalf("Parse panicked: %v", p)
					}
				}()
				_, err = manifest.Parse(data)
			}()
			if err == nil {
				t.Fatalf("accepted %d bytes that differ from the signer's", len(data))
			}
			if !strings.Contains(err.Error(), "manifest.json") {
				t.Errorf("error %q does not name manifest.json", err)
			}
		})
	}
}

// TestHostileMessageEntryJSON: the same for a message entry, whose bytes
// are sealed through their digest.
func TestHostileMessageEntryJSON(t *testing.T) {
	orig := []byte(`{"from":"pt","id":"m1","text":"analítica","time":"2026-04-12T09:14:03+02:00"}`)
	if _, err := manifest.ParseMessageEntry(orig); err != nil {
		t.Fatalf("the canonical entry does not parse: %v", err)
	}
	for name, variant := range map[string]string{
		"duplicate key":     `{"from":"pt","id":"m1","id":"m2","text":"analítica","time":"2026-04-12T09:14:03+02:00"}`,
		"escaped í":         `{"from":"pt","id":"m1","text":"anal\u00edtica","time":"2026-04-12T09:14:03+02:00"}`,
		"a space":           `{"from": "pt","id":"m1","text":"analítica","time":"2026-04-12T09:14:03+02:00"}`,
		"keys out of order": `{"id":"m1","from":"pt","text":"analítica","time":"2026-04-12T09:14:03+02:00"}`,
		"invalid UTF-8":     "{\"from\":\"pt\",\"id\":\"m1\",\"text\":\"anal\xedtica\",\"time\":\"2026-04-12T09:14:03+02:00\"}",
		"unknown member":    `{"from":"pt","id":"m1","role":"doctor","text":"analítica","time":"2026-04-12T09:14:03+02:00"}`,
		"empty labels":      `{"from":"pt","id":"m1","labels":[],"text":"analítica","time":"2026-04-12T09:14:03+02:00"}`,
	} {
		if _, err := manifest.ParseMessageEntry([]byte(variant)); err == nil {
			t.Errorf("%s: accepted %s", name, variant)
		}
	}
}

// TestHostileSignerKeys: weak or foreign keys are refused whatever the
// manifest claims. The RSA-1024 key is made by openssl when present.
func TestHostileSignerKeys(t *testing.T) {
	pemOf := func(pub any) []byte {
		der, err := x509.MarshalPKIXPublicKey(pub)
		if err != nil {
			t.Fatal(err)
		}
		return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	}
	rsa1024 := func() []byte {
		if _, err := exec.LookPath("openssl"); err == nil {
			dir := t.TempDir()
			key := filepath.Join(dir, "k.pem")
			if out, err := exec.Command("openssl", "genrsa", "-out", key, "1024").CombinedOutput(); err != nil {
				t.Fatalf("openssl genrsa: %v %s", err, out)
			}
			out, err := exec.Command("openssl", "rsa", "-in", key, "-pubout").Output()
			if err != nil {
				t.Fatal(err)
			}
			return out
		}
		k, err := rsa.GenerateKey(rand.Reader, 1024)
		if err != nil {
			t.Fatal(err)
		}
		return pemOf(&k.PublicKey)
	}
	p224, err := ecdsa.GenerateKey(elliptic.P224(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		pem  []byte
		want string
	}{
		{"RSA-1024", rsa1024(), "1024 bits"},
		{"ECDSA P-224", pemOf(&p224.PublicKey), "P-224"},
		{"a private key block", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{0x30, 0}}), "PRIVATE KEY"},
		{"no PEM", []byte("ssh-ed25519 AAAA"), "no PEM"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := manifest.ParsePublicKey(tt.pem)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one naming %q", err, tt.want)
			}
		})
	}
}
