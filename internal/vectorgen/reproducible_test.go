package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestReproducible generates the vectors twice and requires the same
// bytes, and the same bytes as those committed in
// testdata/vectors/conformance: a vector's expectation is only as good as
// the program that made it, so the committed files must be its output.
// (Regenerate with go run ./internal/vectorgen.)
func TestReproducible(t *testing.T) {
	if testing.Short() {
		t.Skip("generates every vector twice")
	}
	a, b := t.TempDir(), t.TempDir()
	for _, dir := range []string{a, b} {
		if err := generate(dir); err != nil {
			t.Fatal(err)
		}
	}
	committed := filepath.Join("..", "..", "testdata", "vectors", "conformance")
	first := files(t, a)
	if second := files(t, b); !sameFiles(t, "a second run", first, second) {
		return
	}
	sameFiles(t, "the committed vectors (run go run ./internal/vectorgen)", first, files(t, committed))
}

func files(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		rel, _ := filepath.Rel(dir, path)
		out[filepath.ToSlash(rel)] = data
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func sameFiles(t *testing.T, what string, want, got map[string][]byte) bool {
	t.Helper()
	ok := true
	for name, data := range want {
		if g, found := got[name]; !found {
			t.Errorf("%s: %s missing", what, name)
			ok = false
		} else if !bytes.Equal(g, data) {
			t.Errorf("%s: %s differs", what, name)
			ok = false
		}
	}
	for name := range got {
		if _, found := want[name]; !found {
			t.Errorf("%s: %s is extra", what, name)
			ok = false
		}
	}
	return ok
}
