//go:build js && wasm

package main

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"hash"
	"io"
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
// SHA-256 hashes for inputs of an expected size (or -1: not known before
// they are read; an input may also be shorter or longer than expected, as
// an image's rows are against its /Height), or nil if the page has
// neither Web Crypto (an insecure context) nor hash-wasm: then verify
// uses crypto/sha256.
func newSHA256() func(size int64) hash.Hash {
	webCrypto := hasWebCrypto()
	streaming := hashWasmAgrees()
	if !webCrypto && !streaming {
		return nil
	}
	return func(size int64) hash.Hash {
		if webCrypto && size <= webCryptoMax {
			return newWebCryptoSHA256(size, streaming)
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
// buffer and has Web Crypto digest it in Sum. The buffer is of the size
// announced, or, when it is not known (-1), grows up to webCryptoMax.
// Small writes (an image's rows) are staged in Go first, so that each
// crossing into JavaScript carries a useful amount. If the input outgrows
// what it may hold, it goes on in hash-wasm (or crypto/sha256) from the
// bytes gathered; if Web Crypto fails, crypto/sha256 digests the same
// bytes: the digest is SHA-256's either way, only the speed differs.
type webCryptoSHA256 struct {
	buf      js.Value  // Uint8Array
	n        int       // bytes gathered in buf
	fixed    bool      // buf is of the size announced: it does not grow
	staged   []byte    // written, not yet copied into buf
	hashWasm bool      // hash-wasm agreed: the streamed hash to go on in
	streamed hash.Hash // once the input outgrew buf
}

// stageSize is the most staged in Go before it is copied into JavaScript.
const stageSize = 64 << 10

// unknownSizeStart is the first buffer of an input of unknown size.
const unknownSizeStart = 1 << 20

func newWebCryptoSHA256(size int64, hashWasm bool) *webCryptoSHA256 {
	h := &webCryptoSHA256{fixed: size >= 0, hashWasm: hashWasm}
	if !h.fixed {
		size = min(unknownSizeStart, webCryptoMax)
	}
	h.buf = js.Global().Get("Uint8Array").New(size)
	return h
}

func (h *webCryptoSHA256) Write(p []byte) (int, error) {
	if h.streamed != nil {
		return h.streamed.Write(p)
	}
	if len(h.staged)+len(p) <= stageSize {
		h.staged = append(h.staged, p...)
		return len(p), nil
	}
	h.flush()
	if len(p) < stageSize && h.streamed == nil {
		h.staged = append(h.staged, p...)
	} else {
		h.gather(p)
	}
	return len(p), nil
}

// flush copies the staged bytes into buf.
func (h *webCryptoSHA256) flush() {
	if len(h.staged) > 0 {
		h.gather(h.staged)
		h.staged = h.staged[:0]
	}
}

// gather copies p into buf, growing it if the size was not announced, or
// hands the input over to a streamed hash once it cannot hold it.
func (h *webCryptoSHA256) gather(p []byte) {
	if h.streamed == nil && h.n+len(p) > h.buf.Length() && !h.grow(h.n+len(p)) {
		h.streamed = h.goOn()
	}
	if h.streamed != nil {
		h.streamed.Write(p)
		return
	}
	js.CopyBytesToJS(h.buf.Call("subarray", h.n, h.n+len(p)), p)
	h.n += len(p)
}

// grow makes buf hold need bytes, if it may (not past webCryptoMax).
func (h *webCryptoSHA256) grow(need int) bool {
	if h.fixed || int64(need) > webCryptoMax {
		return false
	}
	size := int64(max(need, 2*h.buf.Length()))
	bigger := js.Global().Get("Uint8Array").New(min(size, webCryptoMax))
	bigger.Call("set", h.buf.Call("subarray", 0, h.n))
	h.buf = bigger
	return true
}

// ReadFrom reads r into the buffer in JavaScript when it is a section of
// the page's File (fileSection), else through Write.
func (h *webCryptoSHA256) ReadFrom(r io.Reader) (int64, error) {
	s, file, at, n, digest, ok := fileSection(r)
	if ok && h.streamed == nil {
		h.flush()
		if fits := h.n+int(n) <= h.buf.Length() || h.grow(h.n+int(n)); fits {
			if _, err := await(digest.Call("readInto", file.file, float64(at), float64(n), h.buf, h.n)); err == nil {
				h.n += int(n)
				_, err := s.Seek(0, io.SeekEnd)
				return n, err
			}
		}
	}
	return copyInto(h, r)
}

func (h *webCryptoSHA256) Sum(b []byte) []byte {
	h.flush()
	if h.streamed != nil {
		return h.streamed.Sum(b)
	}
	digest, err := await(js.Global().Get("crypto").Get("subtle").Call("digest", "SHA-256", h.buf.Call("subarray", 0, h.n)))
	if err != nil {
		return h.goSHA256().Sum(b)
	}
	return append(b, digestBytes(digest)...)
}

// goOn is the streamed hash the input goes on in, fed with the bytes
// gathered so far: hash-wasm if it agreed, else crypto/sha256.
func (h *webCryptoSHA256) goOn() hash.Hash {
	if h.hashWasm {
		if s, err := newHashWasmSHA256(); err == nil {
			s.hasher.Call("update", h.buf.Call("subarray", 0, h.n))
			return s
		}
	}
	return h.goSHA256()
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
	h.staged = h.staged[:0]
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

// ReadFrom has hash-wasm read r in JavaScript when it is a section of the
// page's File (fileSection), else reads it through Write. If JavaScript
// fails midway, the hash is taken back to where it was and r read here.
func (h *hashWasmSHA256) ReadFrom(r io.Reader) (int64, error) {
	if s, file, at, n, digest, ok := fileSection(r); ok {
		state := h.hasher.Call("save")
		if _, err := await(digest.Call("update", h.hasher, file.file, float64(at), float64(n))); err == nil {
			_, err := s.Seek(0, io.SeekEnd)
			return n, err
		}
		h.hasher.Call("load", state)
	}
	return copyInto(h, r)
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
