package verify

import (
	"fmt"
	"io"

	"github.com/custody-toolkit/custody/internal/regfile"
)

// File verifies what is at path: a .custody bundle, or a standalone PDF
// that carries one (recognised by its %PDF- header, not by its name). The
// error is non-nil only when the file cannot be read at all.
func File(path string, opts Options) (*Report, error) {
	return verifyPath(path, opts, func(r io.ReaderAt, size int64, opts Options) (*Report, error) {
		head := make([]byte, 5)
		n, _ := r.ReadAt(head, 0)
		if string(head[:n]) == "%PDF-" {
			return PDF(r, size, opts)
		}
		return Bundle(r, size, opts)
	})
}

// verifyPath opens the regular file at path, verifies it with check and
// names the file in the report and in any error.
func verifyPath(path string, opts Options, check func(io.ReaderAt, int64, Options) (*Report, error)) (*Report, error) {
	f, size, err := regfile.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rep, err := check(f, size, opts)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	rep.File = path
	return rep, nil
}
