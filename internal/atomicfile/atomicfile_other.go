//go:build !linux

package atomicfile

import "os"

// Only Linux has O_TMPFILE: elsewhere every file starts with a temporary
// name.

func createUnnamed(dir, path string) (*os.File, error) {
	return nil, errUnsupported
}

func linkUnnamed(f *os.File, path string, overwrite bool) error {
	return errUnsupported
}
