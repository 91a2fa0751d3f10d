//go:build js && wasm

package main

import (
	"bytes"
	"crypto/sha256"
	"hash/crc32"
	"io"
	"os"
	"syscall/js"
	"testing"
)

// TestDigestRange: the page's JavaScript (web/site/digest.js) gives
// crypto/sha256's digest and hash/crc32's CRC-32 of any range of a File,
// read through a section (a standalone PDF's bundle), with Web Crypto on
// the whole range and streamed through hash-wasm across its pieces; and
// declines what it cannot read itself (another reader) or is not worth it.
func TestDigestRange(t *testing.T) {
	defer func(max int64) { webCryptoMax = max }(webCryptoMax)
	data, file := fileOfBytes(t)
	section := io.NewSectionReader(file, 1000, int64(len(data)-1000))
	least := js.Global().Get("custodyDigestRange").Get("min")
	js.Global().Get("custodyDigestRange").Set("min", 0)
	for _, max := range []int64{128 << 20, 1000} { // Web Crypto, then hash-wasm
		webCryptoMax = max
		digest := newDigestRange()
		if digest == nil {
			t.Fatal("no DigestRange here")
		}
		for _, r := range []struct{ off, n int64 }{{0, 0}, {0, 1}, {3, 9}, {999, 1001}, {0, int64(len(data) - 1000)}, {17, int64(len(data) - 2000)}} {
			sum, crc, err := digest(section, r.off, r.n)
			want := data[1000+r.off : 1000+r.off+r.n]
			if err != nil || sum != sha256.Sum256(want) || crc != crc32.ChecksumIEEE(want) {
				t.Errorf("webCryptoMax %d, [%d, +%d): %x %08x %v, want %x %08x", max, r.off, r.n, sum, crc, err, sha256.Sum256(want), crc32.ChecksumIEEE(want))
			}
		}
		if _, _, err := digest(io.NewSectionReader(os.Stdin, 0, 10), 0, 10); err == nil {
			t.Error("a range of another reader than the File was hashed in the page")
		}
	}
	js.Global().Get("custodyDigestRange").Set("min", least)
	if _, _, err := newDigestRange()(section, 0, 1000); err == nil {
		t.Error("a small range was hashed in JavaScript")
	}
}

// fileOfBytes loads hash-wasm, crc32.js and digest.js, as the page does, and makes
// a File (a Blob) of a little over 4 MiB, digest.js's pieces, to be read
// as the page reads one.
func fileOfBytes(t *testing.T) ([]byte, *fileReader) {
	t.Helper()
	loadHashWasm(t)
	loadScript(t, "../site/crc32.js")
	loadScript(t, "../site/digest.js")
	data := make([]byte, 4<<20+3001)
	for i := range data {
		data[i] = byte(i*7 + i>>11)
	}
	arr := js.Global().Get("Uint8Array").New(len(data))
	js.CopyBytesToJS(arr, data)
	return data, newFileReader(js.Global().Get("Blob").New([]any{arr}))
}

// loadScript loads one of the site's scripts, as the page's <script> tag.
func loadScript(t *testing.T, path string) {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	js.Global().Call("eval", string(src))
}

// TestHashReadsFileSections: the page's SHA-256 hashes (Web Crypto's and
// hash-wasm's) give crypto/sha256's digest when verify copies into them
// the sections of the File a PDF signature covers (io.MultiReader's, one
// of them partly read already), when they read them in JavaScript and
// when they cannot (without digest.js, another reader).
func TestHashReadsFileSections(t *testing.T) {
	defer func(max int64) { webCryptoMax = max }(webCryptoMax)
	data, file := fileOfBytes(t)
	digest := js.Global().Get("custodyDigestRange")
	defer js.Global().Set("custodyDigestRange", digest)
	least := digest.Get("min")
	defer digest.Set("min", least)
	digest.Set("min", 0)
	calls := js.Global().Call("eval", `(digest) => {
		const calls = {n: 0};
		for (const f of ["update", "readInto"]) {
			const g = digest[f];
			digest[f] = (...args) => { calls.n++; return g(...args); };
		}
		return calls;
	}`).Invoke(digest)
	for _, withJS := range []bool{true, false} {
		if !withJS {
			js.Global().Delete("custodyDigestRange")
		}
		for _, max := range []int64{128 << 20, 1000} { // Web Crypto, then hash-wasm
			webCryptoMax = max
			first := io.NewSectionReader(file, 0, 3<<20)
			first.Read(make([]byte, 100)) // read already: its hash starts at 100
			second := io.NewSectionReader(file, 3<<20+7, int64(len(data))-(3<<20+7))
			h := newSHA256()(3<<20 - 100 + second.Size())
			n, err := io.CopyBuffer(h, io.MultiReader(first, second, bytes.NewReader(data[:10])), make([]byte, 256<<10))
			want := sha256.New()
			want.Write(data[100 : 3<<20])
			want.Write(data[3<<20+7:])
			want.Write(data[:10])
			if got := h.Sum(nil); err != nil || n != 3<<20-100+second.Size()+10 || !bytes.Equal(got, want.Sum(nil)) {
				t.Errorf("%T, digest.js %v: %d bytes, %v: %x, want %x", h, withJS, n, err, got, want.Sum(nil))
			}
		}
		if withJS && calls.Get("n").Int() != 4 {
			t.Errorf("the sections read in JavaScript %d times, want 4 (two sections, two hashes)", calls.Get("n").Int())
		}
	}
}
