//go:build js && wasm

package main

import (
	"bytes"
	"crypto/sha256"
	"testing"
)

// TestWebCryptoSHA256 requires the browser's SHA-256 to give
// crypto/sha256's digest for every way the verifier may feed it: empty,
// in pieces, past webCryptoMax (crypto/sha256 then), more than the size
// announced (crypto/sha256 takes over), Sum twice, after Reset. Run by
// web's TestWasmUnderNode (Node has Web Crypto).
func TestWebCryptoSHA256(t *testing.T) {
	defer func(max int64) { webCryptoMax = max }(webCryptoMax)
	webCryptoMax = 1000
	newHash := newWebCryptoSHA256()
	if newHash == nil {
		t.Fatal("no Web Crypto here")
	}
	data := make([]byte, 2500)
	for i := range data {
		data[i] = byte(i * 7)
	}
	for _, n := range []int{0, 1, 999, 1000, 1001, 2500} {
		for _, announced := range []int{n, n / 2} {
			for _, piece := range []int{1, 64, 333, 1000, 4096} {
				h := newHash(int64(announced))
				for off := 0; off < n; off += piece {
					h.Write(data[off:min(n, off+piece)])
				}
				want := sha256.Sum256(data[:n])
				if got := h.Sum([]byte("prefix")); !bytes.Equal(got, append([]byte("prefix"), want[:]...)) {
					t.Errorf("%d bytes (%d announced) in pieces of %d: %x, want %x", n, announced, piece, got, want)
				}
				if got := h.Sum(nil); !bytes.Equal(got, want[:]) {
					t.Errorf("%d bytes (%d announced) in pieces of %d: the second Sum %x", n, announced, piece, got)
				}
				h.Reset()
				h.Write(data[:min(n, 3)])
				if got, want := h.Sum(nil), sha256.Sum256(data[:min(n, 3)]); !bytes.Equal(got, want[:]) {
					t.Errorf("after Reset: %x", got)
				}
			}
		}
	}
}
