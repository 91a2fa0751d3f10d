//go:build js && wasm

package main

import (
	"crypto/sha256"
	"hash"
	"syscall/js"
)

// webCryptoMax is the largest input hashed with the browser's SHA-256.
// Web Crypto's digest is not incremental: it takes the whole input in one
// buffer, so an entry is gathered in the page's memory before it is
// hashed. 64 MiB holds the photos, voice notes and short videos of a
// chat; a larger entry is hashed by crypto/sha256 as it streams, slower
// but in bounded memory, so that the page never holds a large part of
// the file.
var webCryptoMax int64 = 64 << 20

// newWebCryptoSHA256 returns a constructor of SHA-256 hashes for inputs
// of a known size: computed by the browser's Web Crypto (native code,
// with the processor's SHA instructions: many times faster than
// crypto/sha256 compiled to WebAssembly, which has none) up to
// webCryptoMax, by crypto/sha256 beyond. It returns nil if this page has
// no Web Crypto (an insecure context): then verify uses crypto/sha256.
func newWebCryptoSHA256() func(size int64) hash.Hash {
	crypto := js.Global().Get("crypto")
	if crypto.IsUndefined() || crypto.Get("subtle").IsUndefined() {
		return nil
	}
	return func(size int64) hash.Hash {
		if size < 0 || size > webCryptoMax {
			return sha256.New()
		}
		return &webCryptoSHA256{buf: js.Global().Get("Uint8Array").New(size)}
	}
}

// webCryptoSHA256 is a hash.Hash that gathers its input in one JavaScript
// buffer, of the size announced, and has Web Crypto digest it in Sum. If
// the input outgrows the buffer, or Web Crypto fails, it is crypto/sha256
// over the same bytes: the digest is SHA-256's either way, only the speed
// differs.
type webCryptoSHA256 struct {
	buf      js.Value // Uint8Array
	n        int
	streamed hash.Hash // crypto/sha256, once the input outgrew buf
}

func (h *webCryptoSHA256) Write(p []byte) (int, error) {
	if h.streamed == nil && h.n+len(p) > h.buf.Length() {
		h.streamed = h.goSHA256()
	}
	if h.streamed != nil {
		return h.streamed.Write(p)
	}
	js.CopyBytesToJS(h.buf.Call("subarray", h.n, h.n+len(p)), p)
	h.n += len(p)
	return len(p), nil
}

func (h *webCryptoSHA256) Sum(b []byte) []byte {
	if h.streamed != nil {
		return h.streamed.Sum(b)
	}
	digest, err := await(js.Global().Get("crypto").Get("subtle").Call("digest", "SHA-256", h.buf.Call("subarray", 0, h.n)))
	if err != nil {
		return h.goSHA256().Sum(b)
	}
	sum := make([]byte, sha256.Size)
	js.CopyBytesToGo(sum, js.Global().Get("Uint8Array").New(digest))
	return append(b, sum...)
}

// goSHA256 is crypto/sha256 fed with the bytes gathered so far.
func (h *webCryptoSHA256) goSHA256() hash.Hash {
	g := sha256.New()
	gathered := make([]byte, h.n)
	js.CopyBytesToGo(gathered, h.buf)
	g.Write(gathered)
	return g
}

func (h *webCryptoSHA256) Reset() {
	h.n = 0
	h.streamed = nil
}

func (h *webCryptoSHA256) Size() int      { return sha256.Size }
func (h *webCryptoSHA256) BlockSize() int { return sha256.BlockSize }
