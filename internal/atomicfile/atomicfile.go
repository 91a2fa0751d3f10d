// Package atomicfile writes a file so that its final path holds either
// nothing or the complete content: the data goes to a temporary file in the
// same folder, is synced, and only then gets its name. A process killed at
// any moment leaves at most a temporary file, never a half-written one at
// the final path.
//
//	f, err := atomicfile.Create("case.custody")
//	defer f.Abort() // no-op after Commit
//	... write to f ...
//	err = f.Commit(false) // false: fail if case.custody exists
package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// File is a temporary file that becomes path on Commit.
type File struct {
	*os.File
	path string
	done bool
}

// Create starts writing path. It fails early when the folder is missing or
// not writable.
func Create(path string) (*File, error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return nil, err
	}
	return &File{File: tmp, path: path}, nil
}

// Commit syncs the data and gives the file its final name. Without
// overwrite, an existing file at the final path is an error and is left
// untouched (the no-clobber rename is a hard link, which cannot replace).
func (f *File) Commit(overwrite bool) error {
	if f.done {
		return errors.New("atomicfile: already committed or aborted")
	}
	if err := f.Sync(); err != nil {
		f.Abort()
		return err
	}
	if err := f.Close(); err != nil {
		f.Abort()
		return err
	}
	var err error
	if overwrite {
		err = os.Rename(f.Name(), f.path)
	} else {
		err = linkNoClobber(f.Name(), f.path)
	}
	if err != nil {
		f.Abort()
		return err
	}
	f.done = true
	syncDir(filepath.Dir(f.path))
	return nil
}

// Absent fails when path exists and overwrite is false: the early check
// that spares a long export whose end Commit would refuse anyway.
func Absent(path string, overwrite bool) error {
	if overwrite {
		return nil
	}
	if _, err := os.Lstat(path); err == nil {
		return errExists(path)
	}
	return nil
}

func errExists(path string) error {
	return fmt.Errorf("%s already exists (use --force to replace it)", path)
}

// linkNoClobber gives tmp the name path unless path exists: a hard link is
// the portable atomic "create if absent" for a complete file, where rename
// would silently replace.
func linkNoClobber(tmp, path string) error {
	err := os.Link(tmp, path)
	if errors.Is(err, fs.ErrExist) {
		return errExists(path)
	}
	if err != nil {
		// Some file systems have no hard links: check, then rename.
		if err := Absent(path, false); err != nil {
			return err
		}
		return os.Rename(tmp, path)
	}
	os.Remove(tmp) // path holds the data now; the temporary name is litter
	return nil
}

// WriteFile writes data to path atomically with permissions perm.
func WriteFile(path string, data []byte, perm fs.FileMode, overwrite bool) error {
	f, err := Create(path)
	if err != nil {
		return err
	}
	defer f.Abort()
	if err := f.Chmod(perm); err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return f.Commit(overwrite)
}

// Abort removes the temporary file; it is safe to call more than once.
func (f *File) Abort() {
	if f.done {
		return
	}
	f.done = true
	f.Close()
	os.Remove(f.Name())
}

// syncDir makes the rename durable; errors are ignored because some file
// systems cannot sync a directory, and the data itself is already synced.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
