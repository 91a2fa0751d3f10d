//go:build js && wasm

package main

import (
	"errors"
	"io"
	"sync"
	"syscall/js"
)

// blockSize is the slice of the File read at once: the ZIP and PDF readers
// make many small reads near each other, the hashing reads of 1 MiB.
const blockSize = 1 << 20

// cachedBlocks bounds the memory held for the file: a few blocks.
const cachedBlocks = 8

// fileReader is an io.ReaderAt over a browser File, read with
// File.slice().arrayBuffer() one block at a time. Safe for concurrent use
// (the verifier renders and hashes at once).
type fileReader struct {
	file js.Value
	size int64

	mu     sync.Mutex
	blocks map[int64][]byte // by block index
	order  []int64          // least recently read first
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
		return b, nil
	}
	b, err := f.slice(i*blockSize, min(f.size, (i+1)*blockSize))
	if err != nil {
		return nil, err
	}
	if len(f.order) == cachedBlocks {
		delete(f.blocks, f.order[0])
		f.order = f.order[1:]
	}
	f.blocks[i] = b
	f.order = append(f.order, i)
	return b, nil
}

// slice reads bytes [from, to) of the File, waiting for the browser.
func (f *fileReader) slice(from, to int64) ([]byte, error) {
	buf, err := await(f.file.Call("slice", from, to).Call("arrayBuffer"))
	if err != nil {
		return nil, errors.New("reading the file: " + err.Error())
	}
	arr := js.Global().Get("Uint8Array").New(buf)
	data := make([]byte, arr.Length())
	js.CopyBytesToGo(data, arr)
	return data, nil
}
