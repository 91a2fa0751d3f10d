package verify

import (
	"github.com/custody-toolkit/custody/internal/regfile"

	"fmt"
	"io"
)

// File verifies what is at path: a .custody bundle, or a standalone PDF
// that carries one (recognised by its %PDF- header, not by its name). The
// error is non-nil only when the file cannot be read at all.
func File(path string, opts Options) (*Report, error) {
	f, size, err := regfile.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	head := make([]byte, 5)
	n, _ := io.ReadFull(f, head)
	var rep *Report
	if string(head[:n]) == "%PDF-" {
		rep, err = PDF(f, size, opts)
	} else {
		rep, err = Bundle(f, size, opts)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	rep.File = path
	return rep, nil
}
