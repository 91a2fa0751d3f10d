//go:build js && wasm

package main

import (
	"bytes"
	"crypto/sha256"
	"os"
	"syscall/js"
	"testing"
)

// TestPageSHA256 requires the page's SHA-256 (Web Crypto up to
// webCryptoMax, hash-wasm beyond) to give crypto/sha256's digest for every
// way the verifier may feed it: empty, in pieces, past webCryptoMax, more
// than the size announced (crypto/sha256 takes over from Web Crypto), fewer
// (the size is only expected: an image's rows as its /Height gives them), of
// a size not announced (-1: the buffer grows, then hash-wasm goes on),
// across hash-wasm's chunks, Sum twice, after Reset. Run by web's
// TestWasmUnderNode (Node has Web Crypto).
func TestPageSHA256(t *testing.T) {
	loadHashWasm(t)
	defer func(max int64) { webCryptoMax = max }(webCryptoMax)
	webCryptoMax = 1000
	newHash := newSHA256()
	if newHash == nil {
		t.Fatal("neither Web Crypto nor hash-wasm here")
	}
	if _, ok := newHash(1001).(*hashWasmSHA256); !ok {
		t.Fatalf("a file over webCryptoMax is hashed by %T, not hash-wasm", newHash(1001))
	}
	data := make([]byte, hashWasmChunk+2500)
	for i := range data {
		data[i] = byte(i * 7)
	}
	for _, n := range []int{0, 1, 999, 1000, 1001, 2500, len(data)} {
		for _, announced := range []int{n, n / 2, 2*n + 1, -1} {
			for _, piece := range []int{1, 64, 333, 1000, 4096, hashWasmChunk + 1} {
				if n > 2500 && piece < 4096 {
					continue // slow: one call into JavaScript per piece
				}
				h := newHash(int64(announced))
				for off := 0; off < n; off += piece {
					h.Write(data[off:min(n, off+piece)])
				}
				want := sha256.Sum256(data[:n])
				if got := h.Sum([]byte("prefix")); !bytes.Equal(got, append([]byte("prefix"), want[:]...)) {
					t.Errorf("%T: %d bytes (%d announced) in pieces of %d: %x, want %x", h, n, announced, piece, got, want)
				}
				if got := h.Sum(nil); !bytes.Equal(got, want[:]) {
					t.Errorf("%T: %d bytes (%d announced) in pieces of %d: the second Sum %x", h, n, announced, piece, got)
				}
				h.Reset()
				h.Write(data[:min(n, 3)])
				if got, want := h.Sum(nil), sha256.Sum256(data[:min(n, 3)]); !bytes.Equal(got, want[:]) {
					t.Errorf("%T after Reset: %x", h, got)
				}
			}
		}
	}
}

// TestHashWasmRefusedIfWrong: a hash-wasm whose digest differs from
// crypto/sha256's on the sample (a broken or altered copy) is not used, so
// that it can neither fail genuine evidence nor pass a forgery.
func TestHashWasmRefusedIfWrong(t *testing.T) {
	loadHashWasm(t)
	lib := js.Global().Get("hashwasm")
	genuine := lib.Get("createSHA256")
	defer lib.Set("createSHA256", genuine)
	lib.Set("createSHA256", js.Global().Call("eval", `(genuine) => async () => {
		const h = await genuine();
		const digest = h.digest.bind(h);
		h.digest = (f) => { const d = digest(f); d[0] ^= 1; return d; };
		return h;
	}`).Invoke(genuine))
	if hashWasmSampleAgrees() {
		t.Fatal("a hash-wasm giving wrong digests passed the sample")
	}
	lib.Set("createSHA256", genuine)
	if !hashWasmSampleAgrees() {
		t.Fatal("the genuine hash-wasm failed the sample")
	}
}

// loadHashWasm loads the site's vendored hash-wasm, as the page's
// <script> tag does.
func loadHashWasm(t *testing.T) {
	t.Helper()
	if !js.Global().Get("hashwasm").IsUndefined() {
		return
	}
	src, err := os.ReadFile("../site/vendor/hash-wasm/sha256.umd.min.js")
	if err != nil {
		t.Fatal(err)
	}
	js.Global().Call("eval", string(src))
	if js.Global().Get("hashwasm").IsUndefined() {
		t.Fatal("hash-wasm did not load")
	}
}
