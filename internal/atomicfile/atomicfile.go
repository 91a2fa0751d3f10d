// Package atomicfile writes a file so that its final path holds either
// nothing or the complete content: the data is written and synced first,
// and only then gets its name.
//
//	f, err := atomicfile.Create("case.custody")
//	defer f.Abort() // no-op after Commit
//	... write to f ...
//	err = f.Commit(false) // false: fail if case.custody exists
//
// On Linux the file is created unnamed in the output's folder (O_TMPFILE)
// and named by linkat at Commit, so a process killed at any moment leaves
// no trace at all: the kernel frees an unnamed file with its last
// descriptor. Elsewhere, and on file systems without O_TMPFILE, the data
// goes to a hidden temporary file ".NAME.tmp-*" beside the output, which a
// killed process leaves behind (never at the final path itself).
//
// Replacing an existing file (Commit(true)) always ends with a rename, the
// only atomic replace: for an unnamed file it first gets a temporary name,
// so a crash in the instant between the link and the rename may leave that
// name, holding the complete content.
package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// File is a file being written that becomes path on Commit.
type File struct {
	*os.File
	path string
	tmp  string // the temporary name; "" while the file is unnamed
	done bool
}

// tryUnnamed lets the tests force the named-temporary-file path on
// systems that have O_TMPFILE.
var tryUnnamed = true

// errUnsupported: this system or file system cannot create unnamed files.
var errUnsupported = errors.New("atomicfile: unnamed files unsupported")

// Create starts writing path, with permissions 0o600 (Chmod to change
// them). It fails early when the folder is missing or not writable.
func Create(path string) (*File, error) {
	dir := filepath.Dir(path)
	if tryUnnamed {
		f, err := createUnnamed(dir, path)
		if err == nil {
			return &File{File: f, path: path}, nil
		}
		if !errors.Is(err, errUnsupported) {
			return nil, err
		}
	}
	tmp, err := os.CreateTemp(dir, tempPattern(path))
	if err != nil {
		return nil, err
	}
	return &File{File: tmp, path: path, tmp: tmp.Name()}, nil
}

// tempPattern names temporary files so that they are hidden and say what
// they were meant to become.
func tempPattern(path string) string {
	return "." + filepath.Base(path) + ".tmp-*"
}

// Unnamed reports whether Create writes unnamed files in dir, that is
// whether a process killed before Commit leaves nothing at all in dir.
func Unnamed(dir string) bool {
	if !tryUnnamed {
		return false
	}
	f, err := createUnnamed(dir, dir)
	if err != nil {
		return false
	}
	f.Close()
	return true
}

// Commit syncs the data and gives the file its final name. Without
// overwrite, an existing file at the final path is an error and is left
// untouched: the name is given by a hard link, which cannot replace, so
// there is no window between a check and the write (except on the rare
// file systems without hard links, where a check precedes a rename).
func (f *File) Commit(overwrite bool) error {
	if f.done {
		return errors.New("atomicfile: already committed or aborted")
	}
	if err := f.syncAndName(overwrite); err != nil {
		f.Abort()
		return err
	}
	f.done = true
	if f.tmp == "" {
		// Now named, the file is complete and synced: closing cannot lose
		// data on the file systems that have O_TMPFILE (NFS, whose close
		// reports write errors, has not). The descriptor had to live until
		// linkat: closing an unnamed file frees it.
		f.Close()
	}
	syncDir(filepath.Dir(f.path))
	return nil
}

func (f *File) syncAndName(overwrite bool) error {
	if err := f.Sync(); err != nil {
		return err
	}
	if f.tmp == "" {
		return linkUnnamed(f.File, f.path, overwrite)
	}
	if err := f.Close(); err != nil {
		return err
	}
	if overwrite {
		return os.Rename(f.tmp, f.path)
	}
	return linkNoClobber(f.tmp, f.path)
}

// Abort drops the file: the kernel frees an unnamed one on Close, a named
// one is removed. It is safe to call more than once, and after Commit.
func (f *File) Abort() {
	if f.done {
		return
	}
	f.done = true
	f.Close()
	if f.tmp != "" {
		os.Remove(f.tmp)
	}
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

// syncDir makes the new name durable; errors are ignored because some file
// systems cannot sync a directory, and the data itself is already synced.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
