// Package nofollow reads files inside an input folder without following
// any symbolic link, file or directory.
//
// An input folder (a native conversation, a WhatsApp or Telegram export)
// names its files by relative paths. Following a link in it would let the
// folder's author seal whatever the link points at, the doctor's key file
// or /etc/passwd, into a bundle that verifies: so every component of a
// path is checked with Lstat, under an os.Root that keeps the open inside
// the folder even if a component is swapped for a link in between.
//
//	f, info, err := nofollow.Open(dir, "media/x-ray.jpg")
//
// The folder itself, named by the user, may be reached through a link.
package nofollow

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// LinkError is a symbolic link met inside an input folder.
type LinkError struct{ Path string }

func (e *LinkError) Error() string {
	return fmt.Sprintf("%s is a symbolic link: custody follows no link inside its input", e.Path)
}

// Stat describes the regular file at rel inside dir, following no link;
// anything else there (a link, a folder, a device) is an error naming it.
func Stat(dir, rel string) (fs.FileInfo, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	return regular(root, dir, rel)
}

// Open opens the regular file at rel inside dir for reading, following no
// link, and describes it.
func Open(dir, rel string) (*os.File, fs.FileInfo, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, nil, err
	}
	defer root.Close()
	if _, err := regular(root, dir, rel); err != nil {
		return nil, nil, err
	}
	f, err := root.Open(filepath.Clean(rel))
	if err != nil {
		return nil, nil, err
	}
	info, err := f.Stat()
	if err != nil || !info.Mode().IsRegular() {
		f.Close()
		return nil, nil, fmt.Errorf("%s is not a regular file", filepath.Join(dir, rel))
	}
	return f, info, nil
}

// regular checks each component of rel with Lstat: no link anywhere, and
// a regular file at the end.
func regular(root *os.Root, dir, rel string) (fs.FileInfo, error) {
	clean := filepath.Clean(rel)
	if !filepath.IsLocal(clean) {
		return nil, fmt.Errorf("%s leaves the folder %s", rel, dir)
	}
	parts := strings.Split(clean, string(filepath.Separator))
	var info fs.FileInfo
	for i := range parts {
		prefix := filepath.Join(parts[:i+1]...)
		var err error
		if info, err = root.Lstat(prefix); err != nil {
			if os.IsNotExist(err) {
				return nil, fmt.Errorf("file %s does not exist", filepath.Join(dir, rel))
			}
			return nil, err
		}
		if info.Mode()&fs.ModeSymlink != 0 {
			return nil, &LinkError{Path: filepath.Join(dir, prefix)}
		}
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", filepath.Join(dir, rel))
	}
	return info, nil
}
