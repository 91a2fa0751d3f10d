//go:build js && wasm

package main

import (
	"bytes"
	"io"
	"math/rand/v2"
	"syscall/js"
	"testing"
)

// countedBlob is a Blob of data whose slice calls are counted, with the
// bytes they cover: the File reads the page makes.
func countedBlob(data []byte) (blob js.Value, reads *int, read *int64) {
	arr := js.Global().Get("Uint8Array").New(len(data))
	js.CopyBytesToJS(arr, data)
	inner := js.Global().Get("Blob").New([]any{arr})
	reads, read = new(int), new(int64)
	blob = js.Global().Get("Object").New()
	blob.Set("size", len(data))
	slice := js.FuncOf(func(_ js.Value, args []js.Value) any {
		*reads++
		*read += int64(args[1].Float() - args[0].Float())
		return inner.Call("slice", args[0], args[1])
	})
	blob.Set("slice", slice)
	return blob, reads, read
}

// TestFileReader: the page's reader of a File gives the File's bytes for
// reads anywhere, of any length, past its end (io.EOF); a stream of small
// reads is read in few, growing slices (up to readAhead blocks), and
// reads of a few bytes far apart (a ZIP's local headers) a block each,
// not a whole read-ahead. Run by web's TestWasmUnderNode.
func TestFileReader(t *testing.T) {
	data := make([]byte, 20<<20+12345)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range data {
		data[i] = byte(rng.Uint32())
	}
	blob, reads, read := countedBlob(data)
	f := newFileReader(blob)

	// A stream of 32 KiB reads over 10 MiB, from an odd offset.
	var got bytes.Buffer
	if _, err := io.CopyBuffer(&got, io.NewSectionReader(f, 777, 10<<20), make([]byte, 32<<10)); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), data[777:777+10<<20]) {
		t.Fatal("a stream of reads gives other bytes than the File's")
	}
	if *reads > 12 || *read > 10<<20+readAhead*blockSize {
		t.Errorf("10 MiB streamed in %d reads of the File, %d bytes: want a few growing reads", *reads, *read)
	}

	// 40 reads of 30 bytes, 400 KiB apart, and one across the File's end.
	*reads, *read = 0, 0
	f = newFileReader(blob)
	for k := range 40 {
		off := int64(k) * 400 << 10
		p := make([]byte, 30)
		if _, err := f.ReadAt(p, off); err != nil || !bytes.Equal(p, data[off:off+30]) {
			t.Fatalf("30 bytes at %d: %v, or other bytes than the File's", off, err)
		}
	}
	if *read > 40*blockSize {
		t.Errorf("40 reads of 30 bytes far apart read %d bytes of the File: want a block each", *read)
	}
	p := make([]byte, 100)
	n, err := f.ReadAt(p, int64(len(data)-40))
	if n != 40 || err != io.EOF || !bytes.Equal(p[:n], data[len(data)-40:]) {
		t.Errorf("a read across the end: %d bytes, %v", n, err)
	}

	// Random reads agree with the File's bytes.
	for range 300 {
		off, n := rng.Int64N(int64(len(data))), rng.IntN(200<<10)
		p := make([]byte, n)
		m, err := f.ReadAt(p, off)
		want := data[off:min(int64(len(data)), off+int64(n))]
		if m != len(want) || !bytes.Equal(p[:m], want) || m < n && err != io.EOF {
			t.Fatalf("%d bytes at %d: %d, %v, or other bytes than the File's", n, off, m, err)
		}
	}
}
