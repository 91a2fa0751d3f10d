//go:build js && wasm

package main

import (
	"errors"
	"io"
	"slices"
	"sync"
	"syscall/js"
)

// blockSize is the least of the File read at once: the ZIP reader checks
// each entry's local header (and data descriptor), a few dozen bytes
// spread over the whole container, and read a whole MiB for each, 81 MB
// for a 510 MB bundle of 24 large files (docs/performance.md).
const blockSize = 64 << 10

// cachedBlocks bounds the memory held for the file: 16 MiB of blocks.
const cachedBlocks = 256

// readAhead is the most blocks read at once, 8 MiB: each read of the
// File costs a millisecond or more beside its bytes (a round trip to the
// browser's process), so the rendering comparison, which streams
// record.pdf and the photos in small reads, read 228 MiB in 1.3 s 1 MiB
// at a time. A read that goes on where the one before ended reads twice
// as many blocks as it, up to readAhead; any other reads one block (a
// local header read after the data descriptor before it is not a stream).
const readAhead = 128

// fileReader is an io.ReaderAt over a browser File, read with
// File.slice().arrayBuffer() one block at a time. Safe for concurrent use
// (the verifier renders and hashes at once).
type fileReader struct {
	file js.Value
	size int64

	mu     sync.Mutex
	blocks map[int64][]byte // by block index
	order  []int64          // least recently used first
	// The last read of the File: the block after it, and its length in
	// blocks (readAhead's doubling).
	nextBlock, lastRead int64
}

func newFileReader(file js.Value) *fileReader {
	return &fileReader{file: file, size: int64(file.Get("size").Float()), blocks: map[int64][]byte{}}
}

func (f *fileReader) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errors.New("negative offset")
	}
	n := 0
	for n < len(p) && off < f.size {
		b, err := f.block(off / blockSize)
		if err != nil {
			return n, err
		}
		c := copy(p[n:], b[off%blockSize:])
		n += c
		off += int64(c)
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

func (f *fileReader) block(i int64) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if b, ok := f.blocks[i]; ok {
		f.touch(i)
		return b, nil
	}
	n := int64(1)
	if i == f.nextBlock && f.lastRead > 0 {
		n = min(2*f.lastRead, readAhead)
	}
	f.nextBlock, f.lastRead = i+n, n
	data, err := f.slice(i*blockSize, min(f.size, (i+n)*blockSize))
	if err != nil {
		return nil, err
	}
	for j := int64(0); j*blockSize < int64(len(data)); j++ {
		if _, ok := f.blocks[i+j]; ok {
			continue
		}
		if len(f.order) == cachedBlocks {
			delete(f.blocks, f.order[0])
			f.order = f.order[1:]
		}
		f.blocks[i+j] = data[j*blockSize : min(int64(len(data)), (j+1)*blockSize)]
		f.order = append(f.order, i+j)
	}
	return f.blocks[i], nil
}

// syncReader is a FileReaderSync, which only a Web Worker has (the
// page's worker, web/site/worker.js): there a slice is read at once,
// without a Promise to wait for, which the page's thread must.
var syncReader = func() js.Value {
	if c := js.Global().Get("FileReaderSync"); c.Type() == js.TypeFunction {
		return c.New()
	}
	return js.Undefined()
}()

// touch moves block i, just used, to the end of the order: the renderer
// reads a photo twice in a row (its structure, then its rows), and the
// second read finds it here.
func (f *fileReader) touch(i int64) {
	if k := slices.Index(f.order, i); k >= 0 && k < len(f.order)-1 {
		copy(f.order[k:], f.order[k+1:])
		f.order[len(f.order)-1] = i
	}
}

// slice reads bytes [from, to) of the File, waiting for the browser.
func (f *fileReader) slice(from, to int64) ([]byte, error) {
	var buf js.Value
	var err error
	if syncReader.IsUndefined() {
		buf, err = await(f.file.Call("slice", from, to).Call("arrayBuffer"))
	} else {
		buf, err = readSync(f.file.Call("slice", from, to))
	}
	if err != nil {
		return nil, errors.New("reading the file: " + err.Error())
	}
	arr := js.Global().Get("Uint8Array").New(buf)
	data := make([]byte, arr.Length())
	js.CopyBytesToGo(data, arr)
	return data, nil
}

// readSync reads blob with syncReader; a JavaScript exception (the file
// changed or went away) is an error, not a panic.
func readSync(blob js.Value) (buf js.Value, err error) {
	defer func() {
		if p := recover(); p != nil {
			jsErr, ok := p.(js.Error)
			if !ok {
				panic(p)
			}
			err = jsErr
		}
	}()
	return syncReader.Call("readAsArrayBuffer", blob), nil
}
