//go:build js && wasm

package main

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"hash"
	"sync"
	"syscall/js"
)

// The page hashes the bundle's sealed files with the fastest SHA-256 it
// has, since hashing is most of a large bundle's verification and
// crypto/sha256 compiled to WebAssembly has no SHA instructions (about
// 45 MB/s, against 800 MB/s for Web Crypto and 80 MB/s for hash-wasm:
// docs/performance.md):
//
//   - a file of up to webCryptoMax: Web Crypto, whose digest is not
//     incremental, so the file is gathered in one buffer first;
//   - a larger file: hash-wasm's streaming SHA-256 (vendored in the site,
//     web/site/vendor/hash-wasm), in bounded memory;
//   - either one missing: crypto/sha256.
//
// Each only computes SHA-256 over the bytes verify hands it; what is
// compared, and the verdict, stay verify's. A wrong digest would turn
// genuine evidence into FAILED, or a forgery into PASSED, so hash-wasm is
// used only once it gave crypto/sha256's digests on a sample
// (hashWasmAgrees), and Web Crypto's failure falls back to crypto/sha256
// over the same bytes.

// webCryptoMax is the largest input hashed with the browser's SHA-256:
// the page holds it whole, and Web Crypto copies it while it digests, so
// up to twice this. 128 MiB holds a chat's photos, voice notes, videos
// and scanned documents (the 100 MB documents of docs/performance.md's
// workload: ten times faster than hash-wasm); a larger file streams
// through hash-wasm, so that the page never holds more of the file.
var webCryptoMax int64 = 128 << 20

// newSHA256 returns verify.Options.SHA256 for the page: a constructor of
// SHA-256 hashes for inputs of a known size, or nil if the page has
// neither Web Crypto (an insecure context) nor hash-wasm: then verify
// uses crypto/sha256.
func newSHA256() func(size int64) hash.Hash {
	webCrypto := hasWebCrypto()
	streaming := hashWasmAgrees()
	if !webCrypto && !streaming {
		return nil
	}
	return func(size int64) hash.Hash {
		if webCrypto && size >= 0 && size <= webCryptoMax {
			return &webCryptoSHA256{buf: js.Global().Get("Uint8Array").New(size)}
		}
		if streaming {
			if h, err := newHashWasmSHA256(); err == nil {
				return h
			}
		}
		return sha256.New()
	}
}

func hasWebCrypto() bool {
	crypto := js.Global().Get("crypto")
	return !crypto.IsUndefined() && !crypto.Get("subtle").IsUndefined()
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
	return append(b, digestBytes(digest)...)
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

// hashWasmChunk is the most copied into JavaScript at once for hash-wasm:
// verify writes 1 MiB at a time.
const hashWasmChunk = 1 << 20

// hashWasmSHA256 is a hash.Hash computed by hash-wasm's SHA-256
// (createSHA256: its own WebAssembly instance and memory), fed through
// one reused JavaScript buffer. A JavaScript exception in it panics, as
// syscall/js does: the page then reports an internal error, never a
// digest it did not compute.
type hashWasmSHA256 struct {
	hasher  js.Value // hash-wasm's IHasher
	scratch js.Value // Uint8Array of hashWasmChunk bytes
}

func newHashWasmSHA256() (*hashWasmSHA256, error) {
	lib := js.Global().Get("hashwasm")
	if lib.IsUndefined() || lib.Get("createSHA256").IsUndefined() {
		return nil, errors.New("hash-wasm is not loaded")
	}
	hasher, err := await(lib.Call("createSHA256"))
	if err != nil {
		return nil, err
	}
	hasher.Call("init")
	return &hashWasmSHA256{hasher: hasher, scratch: js.Global().Get("Uint8Array").New(hashWasmChunk)}, nil
}

func (h *hashWasmSHA256) Write(p []byte) (int, error) {
	for written := 0; written < len(p); {
		n := js.CopyBytesToJS(h.scratch, p[written:])
		h.hasher.Call("update", h.scratch.Call("subarray", 0, n))
		written += n
	}
	return len(p), nil
}

// Sum digests what was written and goes on from there: hash-wasm's digest
// ends the hash, so its state is saved before and loaded after.
func (h *hashWasmSHA256) Sum(b []byte) []byte {
	state := h.hasher.Call("save")
	digest := h.hasher.Call("digest", "binary")
	h.hasher.Call("load", state)
	return append(b, digestBytes(digest)...)
}

func (h *hashWasmSHA256) Reset()         { h.hasher.Call("init") }
func (h *hashWasmSHA256) Size() int      { return sha256.Size }
func (h *hashWasmSHA256) BlockSize() int { return sha256.BlockSize }

// digestBytes copies a digest (an ArrayBuffer or a Uint8Array) into Go.
func digestBytes(digest js.Value) []byte {
	sum := make([]byte, sha256.Size)
	js.CopyBytesToGo(sum, js.Global().Get("Uint8Array").New(digest))
	return sum
}

var hashWasmCheck struct {
	once   sync.Once
	agrees bool
}

// hashWasmAgrees reports whether hash-wasm is loaded and gives
// crypto/sha256's digests on a sample that crosses its chunks and sums
// midway; computed once per page (a few tens of milliseconds).
func hashWasmAgrees() bool {
	hashWasmCheck.once.Do(func() { hashWasmCheck.agrees = hashWasmSampleAgrees() })
	return hashWasmCheck.agrees
}

func hashWasmSampleAgrees() (agrees bool) {
	defer func() {
		if recover() != nil {
			agrees = false
		}
	}()
	h, err := newHashWasmSHA256()
	if err != nil {
		return false
	}
	sample := make([]byte, hashWasmChunk+1001)
	for i := range sample {
		sample[i] = byte(i*131 + i>>9)
	}
	const mid = 1000
	h.Write(sample[:mid])
	wantMid, want := sha256.Sum256(sample[:mid]), sha256.Sum256(sample)
	gotMid := h.Sum(nil)
	h.Write(sample[mid:])
	return bytes.Equal(gotMid, wantMid[:]) && bytes.Equal(h.Sum(nil), want[:])
}
