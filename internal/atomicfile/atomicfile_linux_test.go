package atomicfile

import (
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// TestUnsupported plays the answers of kernels and file systems without
// O_TMPFILE: Create must fall back to a named temporary file for those,
// and only for those.
func TestUnsupported(t *testing.T) {
	orig := openTmpfile
	t.Cleanup(func() { openTmpfile = orig })
	for _, errno := range []syscall.Errno{unix.EOPNOTSUPP, unix.EISDIR, unix.EINVAL, unix.EACCES, unix.EROFS, unix.ENOSPC} {
		t.Run(errno.Error(), func(t *testing.T) {
			openTmpfile = func(string) (int, error) { return -1, errno }
			dir := t.TempDir()
			path := filepath.Join(dir, "case.custody")
			fallback := errno == unix.EOPNOTSUPP || errno == unix.EISDIR || errno == unix.EINVAL
			if Unnamed(dir) {
				t.Error("Unnamed = true although O_TMPFILE fails")
			}
			f, err := Create(path)
			if !fallback {
				if !errors.Is(err, errno) || !strings.Contains(err.Error(), path) {
					t.Errorf("Create: %v, want %v naming %s", err, errno, path)
				}
				if err == nil {
					f.Abort()
				}
				return
			}
			if err != nil {
				t.Fatalf("Create did not fall back: %v", err)
			}
			defer f.Abort()
			if f.tmp == "" {
				t.Fatal("Create fell back, but the file has no temporary name")
			}
			data := randomData(100)
			if _, err := f.Write(data); err != nil {
				t.Fatal(err)
			}
			if err := f.Commit(false); err != nil {
				t.Fatal(err)
			}
			checkFile(t, path, data, 0o600)
			if got := list(t, dir); !slices.Equal(got, []string{"case.custody"}) {
				t.Errorf("folder: %q, want only case.custody", got)
			}
		})
	}
}

// TestUnnamedUsed: where the kernel offers O_TMPFILE, Create uses it.
func TestUnnamedUsed(t *testing.T) {
	dir := t.TempDir()
	fd, err := unix.Open(dir, unix.O_TMPFILE|unix.O_RDWR, 0o600)
	if err != nil {
		t.Skipf("no O_TMPFILE in %s: %v", dir, err)
	}
	unix.Close(fd)
	if !Unnamed(dir) {
		t.Error("Unnamed = false where O_TMPFILE works")
	}
	f, err := Create(filepath.Join(dir, "x"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Abort()
	if f.tmp != "" {
		t.Errorf("Create made the named %s where O_TMPFILE works", f.tmp)
	}
}
