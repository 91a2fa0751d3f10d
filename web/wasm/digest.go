//go:build js && wasm

package main

import (
	"errors"
	"hash/crc32"
	"io"
	"sync"
	"syscall/js"

	"github.com/custody-toolkit/custody/manifest"
)

// The page hashes a bundle's large sealed files without reading them
// through verify: verify asks for "the SHA-256 and the CRC-32 of bytes
// [off, off+n) of the container" (verify.Options.DigestRange), and the
// page answers from the File itself (web/site/digest.js): up to
// webCryptoMax, the range is read in one slice and Web Crypto digests it,
// and its CRC-32 is computed here (crcOf); beyond, hash-wasm and the
// CRC-32 stream in JavaScript. Through verify, the File was read in
// slices of 1 MiB, each copied into the WebAssembly's memory and out
// again into Web Crypto's buffer (docs/performance.md, webfast2). verify
// compares what it is given, as for Options.SHA256; anything the page
// cannot hash this way (a range of another reader than the File, a
// standalone PDF's bundle decoded into memory, a small file, not worth a
// round trip through a Promise) verify reads and hashes itself.

var errNotHere = errors.New("not hashed in the page")

// newDigestRange returns verify.Options.DigestRange for the page, or nil
// without web/site/digest.js or Web Crypto. It hashes in JavaScript the
// ranges of custodyDigestRange.min bytes or more (digest.js says why).
func newDigestRange() manifest.RangeDigest {
	digest := js.Global().Get("custodyDigestRange")
	if digest.Type() != js.TypeFunction || !hasWebCrypto() {
		return nil
	}
	var least int64 // every range, unless digest.js says otherwise
	if min := digest.Get("min"); min.Type() == js.TypeNumber {
		least = int64(min.Float())
	}
	return func(r io.ReaderAt, off, n int64) (sum [32]byte, crc uint32, err error) {
		file, at, ok := fileOf(r, off)
		whole := n <= webCryptoMax
		if !ok || n < least || !whole && !hashWasmAgrees() {
			return sum, 0, errNotHere
		}
		res, err := await(digest.Invoke(file.file, float64(at), float64(n), whole))
		if err != nil {
			return sum, 0, err
		}
		js.CopyBytesToGo(sum[:], res.Get("sha256"))
		if bytes := res.Get("bytes"); !bytes.IsUndefined() {
			return sum, crcOf(bytes), nil
		}
		return sum, uint32(res.Get("crc").Float()), nil
	}
}

// crcOf is the CRC-32 of a JavaScript Uint8Array, computed here a block
// at a time: Go's CRC-32 compiled to WebAssembly is about twice as fast
// as the same algorithm in JavaScript in Chromium, and copying a block
// into Go costs little beside it.
func crcOf(bytes js.Value) uint32 {
	const crcChunk = 1 << 20
	n := bytes.Length()
	block := make([]byte, min(n, crcChunk))
	var crc uint32
	for off := 0; off < n; off += len(block) {
		m := js.CopyBytesToGo(block, bytes.Call("subarray", off, min(n, off+len(block))))
		crc = crc32.Update(crc, crc32.IEEETable, block[:m])
	}
	return crc
}

// fileOf finds the page's File under r (through io.SectionReaders, as a
// standalone PDF's bundle is a section of the PDF) and where off lies in
// it; ok is false when r does not read the File.
func fileOf(r io.ReaderAt, off int64) (file *fileReader, at int64, ok bool) {
	for {
		switch x := r.(type) {
		case *fileReader:
			return x, off, true
		case interface {
			Outer() (io.ReaderAt, int64, int64)
		}:
			outer, base, _ := x.Outer()
			r, off = outer, off+base
		default:
			return nil, 0, false
		}
	}
}

// A hash of the page's reads a section of the File itself, in
// JavaScript, when verify copies one into it: the bytes a PDF signature
// covers, most of a standalone PDF, reach the hash as io.Copy hands it
// the sections of an io.MultiReader (its WriteTo), each to the hash's
// ReadFrom. Read through verify, each byte was copied out of the File
// into the WebAssembly and out again into the hash.

// fileSection is what r, when it is a section of the page's File, has
// still to read there, from at, n bytes; ok is false otherwise, for a
// range under custodyDigestRange.min, and without web/site/digest.js.
func fileSection(r io.Reader) (s *io.SectionReader, file *fileReader, at, n int64, digest js.Value, ok bool) {
	s, ok = r.(*io.SectionReader)
	digest = js.Global().Get("custodyDigestRange")
	if !ok || digest.Type() != js.TypeFunction || digest.Get("update").Type() != js.TypeFunction {
		return nil, nil, 0, 0, digest, false
	}
	pos, err := s.Seek(0, io.SeekCurrent)
	if err != nil {
		return nil, nil, 0, 0, digest, false
	}
	n = s.Size() - pos
	file, at, ok = fileOf(s, pos)
	if min := digest.Get("min"); min.Type() == js.TypeNumber && n < int64(min.Float()) {
		ok = false
	}
	return s, file, at, n, digest, ok
}

// copyBuffers are the buffers of the reads through the WebAssembly when a
// hash's ReadFrom cannot read in JavaScript.
var copyBuffers = sync.Pool{New: func() any { return new([256 << 10]byte) }}

// copyInto is io.Copy into w, a hash whose ReadFrom could not read r in
// JavaScript, through w's Write.
func copyInto(w io.Writer, r io.Reader) (int64, error) {
	buf := copyBuffers.Get().(*[256 << 10]byte)
	defer copyBuffers.Put(buf)
	return io.CopyBuffer(struct{ io.Writer }{w}, r, buf[:])
}
