// Package regfile opens the files custody reads whole by offset (bundles,
// PDFs): regular files only, so that a FIFO or a device never stands in for
// evidence, and with their size, which the ZIP and PDF readers need.
package regfile

import (
	"fmt"
	"os"
)

// Open opens path for reading and returns its size; path must be a regular
// file.
func Open(path string) (*os.File, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, 0, fmt.Errorf("%s is not a regular file", path)
	}
	return f, st.Size(), nil
}
