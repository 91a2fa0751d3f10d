package manifest

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// agreeOnOpen holds openCanonical to the reader through archive/zip: what
// it accepts, openDiagnosed accepts with the same index, names and
// descriptor form (so the hand parser changes no verdict); and what
// openDiagnosed accepts, it accepts too (so every genuine bundle is read
// record by record). It returns whether the input was accepted.
func agreeOnOpen(t *testing.T, name string, data []byte) bool {
	t.Helper()
	r := bytes.NewReader(data)
	fast, ok := openCanonical(r, int64(len(data)))
	slow, err := openDiagnosed(r, int64(len(data)))
	switch {
	case ok && err != nil:
		t.Fatalf("%s: read record by record, but archive/zip's reader refuses it: %v", name, err)
	case !ok && err == nil:
		t.Fatalf("%s: archive/zip's reader accepts it, the record-by-record reader does not", name)
	case !ok:
		return false
	}
	if !slices.Equal(fast.Names(), slow.Names()) || !reflect.DeepEqual(fast.entries, slow.entries) ||
		!reflect.DeepEqual(fast.byName, slow.byName) || fast.form != slow.form || !fast.canonical ||
		fast.dirStart != slow.dirStart || fast.dirEnd != slow.dirEnd {
		t.Fatalf("%s: the two readers index it differently", name)
	}
	return true
}

// TestOpenCanonicalAgrees: on every conformance vector and on every
// single-byte change of a bundle's ZIP structure, openCanonical and the
// reader through archive/zip agree (agreeOnOpen).
func TestOpenCanonicalAgrees(t *testing.T) {
	vectors, _ := filepath.Glob("../testdata/vectors/*/*/*.custody")
	more, _ := filepath.Glob("../testdata/vectors/*/*.custody")
	accepted := 0
	for _, path := range append(vectors, more...) {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if agreeOnOpen(t, path, data) {
			accepted++
		}
	}
	if accepted < 10 {
		t.Fatalf("only %d of %d vectors open: the vectors were not found", accepted, len(vectors)+len(more))
	}
	data := writerBundle(t)
	if !agreeOnOpen(t, "writer's bundle", data) {
		t.Fatal("the writer's bundle does not open")
	}
	structure := headerBytes(data)
	for _, at := range structure {
		for _, delta := range []byte{1, 0x80, 0xff} {
			mutated := bytes.Clone(data)
			mutated[at] += delta
			agreeOnOpen(t, fmt.Sprintf("byte %d + %d", at, delta), mutated)
		}
	}
	t.Logf("%d vectors accepted; %d header bytes changed three ways each", accepted, len(structure))
}

// writerBundle is a small bundle by manifest.Writer, with a streamed
// attachment (a data descriptor) and a message entry.
func writerBundle(t testing.TB) []byte {
	var buf bytes.Buffer
	w, err := NewWriter(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.AddBytes(MessageEntryName(0), []byte(`{"id":"m1"}`)); err != nil {
		t.Fatal(err)
	}
	if _, err := w.AddFile("attachments/000001-01.jpg", strings.NewReader("not really a JPEG")); err != nil {
		t.Fatal(err)
	}
	if _, err := w.AddBytes(ManifestName, []byte("{}")); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// headerBytes lists the offsets of every byte of data's ZIP structure
// (local headers, descriptors, central directory, end record), found by
// the readers' own walk: everything but the entries' data.
func headerBytes(data []byte) []int {
	b, err := openDiagnosed(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil
	}
	isData := make([]bool, len(data))
	for _, e := range b.entries {
		for i := e.data; i < e.data+e.size; i++ {
			isData[i] = true
		}
	}
	var at []int
	for i := range data {
		if !isData[i] {
			at = append(at, i)
		}
	}
	return at
}

// FuzzOpenCanonical: on any input, openCanonical accepts only what the
// reader through archive/zip accepts, with the same index.
func FuzzOpenCanonical(f *testing.F) {
	f.Add(writerBundle(f))
	vectors, _ := filepath.Glob("../testdata/vectors/conformance/container/*.custody")
	for _, path := range vectors {
		if data, err := os.ReadFile(path); err == nil {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r := bytes.NewReader(data)
		fast, ok := openCanonical(r, int64(len(data)))
		if !ok {
			return
		}
		slow, err := openDiagnosed(r, int64(len(data)))
		if err != nil {
			t.Fatalf("read record by record, but archive/zip's reader refuses it: %v", err)
		}
		if !slices.Equal(fast.Names(), slow.Names()) || !reflect.DeepEqual(fast.entries, slow.entries) || fast.form != slow.form {
			t.Fatal("the two readers index it differently")
		}
	})
}
