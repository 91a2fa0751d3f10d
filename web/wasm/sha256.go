//go:build js && wasm

package main

import (
	"crypto/sha256"
	"hash"
	"syscall/js"
)

// webCryptoMax is the largest input hashed with the browser's SHA-256.
// Web Crypto's digest is not incremental: it takes the whole input in one
// buffer, so an entry is gathered in the page's memory (twice, briefly,
// when the pieces are joined) before it is hashed. 64 MiB holds the
// photos, voice notes and short videos of a chat; a larger entry is
// hashed by crypto/sha256 as it streams, slower but in bounded memory, so
// that the page never holds a large part of the file.
var webCryptoMax int64 = 64 << 20

// newWebCryptoSHA256 returns a constructor of SHA-256 hashes computed by
// the browser's Web Crypto (native code, with the processor's SHA
// instructions: many times faster than crypto/sha256 compiled to
// WebAssembly, which has none), or nil if this page has no Web Crypto
// (an insecure context): then verify uses crypto/sha256.
func newWebCryptoSHA256() func() hash.Hash {
	subtle := js.Global().Get("crypto")
	if subtle.IsUndefined() || subtle.Get("subtle").IsUndefined() {
		return nil
	}
	return func() hash.Hash { return &webCryptoSHA256{} }
}

// webCryptoSHA256 is a hash.Hash that gathers its input in JavaScript
// buffers and has Web Crypto digest it in Sum. Past webCryptoMax, or if
// Web Crypto fails, it is crypto/sha256 over the same bytes: the digest
// is SHA-256's either way, only the speed differs.
type webCryptoSHA256 struct {
	pieces   []js.Value // Uint8Arrays, in order
	n        int64
	streamed hash.Hash // crypto/sha256, once past webCryptoMax
}

func (h *webCryptoSHA256) Write(p []byte) (int, error) {
	if h.streamed == nil && h.n+int64(len(p)) > webCryptoMax {
		h.streamed = h.goSHA256()
		h.pieces = nil
	}
	if h.streamed != nil {
		return h.streamed.Write(p)
	}
	piece := js.Global().Get("Uint8Array").New(len(p))
	js.CopyBytesToJS(piece, p)
	h.pieces = append(h.pieces, piece)
	h.n += int64(len(p))
	return len(p), nil
}

func (h *webCryptoSHA256) Sum(b []byte) []byte {
	if h.streamed != nil {
		return h.streamed.Sum(b)
	}
	whole := js.Global().Get("Uint8Array").New(h.n)
	at := 0
	for _, piece := range h.pieces {
		whole.Call("set", piece, at)
		at += piece.Length()
	}
	digest, err := await(js.Global().Get("crypto").Get("subtle").Call("digest", "SHA-256", whole))
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
	for _, piece := range h.pieces {
		buf := make([]byte, piece.Length())
		js.CopyBytesToGo(buf, piece)
		g.Write(buf)
	}
	return g
}

func (h *webCryptoSHA256) Reset()         { *h = webCryptoSHA256{} }
func (h *webCryptoSHA256) Size() int      { return sha256.Size }
func (h *webCryptoSHA256) BlockSize() int { return sha256.BlockSize }
