package atomicfile

import (
	"errors"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// createUnnamed opens an unnamed file in dir: it has no directory entry
// until linkUnnamed gives it one, so a killed process leaves nothing. path
// only names the file in errors. errUnsupported means: use a named
// temporary file instead.
func createUnnamed(dir, path string) (*os.File, error) {
	fd, err := openTmpfile(dir)
	switch err {
	case nil:
	// What kernels without O_TMPFILE (EISDIR: it reads as O_DIRECTORY, or
	// EINVAL) and file systems without it (EOPNOTSUPP) answer.
	case unix.EOPNOTSUPP, unix.EISDIR, unix.EINVAL:
		return nil, errUnsupported
	default:
		return nil, &fs.PathError{Op: "create", Path: path, Err: err}
	}
	f := os.NewFile(uintptr(fd), path)
	// linkat names the file through /proc; without /proc (some chroots and
	// sandboxes) the data could never get a name.
	if _, err := os.Stat(procPath(f)); err != nil {
		f.Close()
		return nil, errUnsupported
	}
	return f, nil
}

// openTmpfile is a variable so that the tests can play a kernel or file
// system without O_TMPFILE, which this machine may not offer.
var openTmpfile = func(dir string) (int, error) {
	for {
		// 0o600 as os.CreateTemp: the umask applies, as it does there.
		fd, err := unix.Open(dir, unix.O_TMPFILE|unix.O_RDWR|unix.O_CLOEXEC, 0o600)
		if err != unix.EINTR {
			return fd, err
		}
	}
}

// procPath names f's inode for linkat with AT_SYMLINK_FOLLOW, which, unlike
// AT_EMPTY_PATH on the descriptor, needs no CAP_DAC_READ_SEARCH.
func procPath(f *os.File) string {
	return "/proc/self/fd/" + strconv.FormatUint(uint64(f.Fd()), 10)
}

// linkUnnamed gives the unnamed file f the name path. Without overwrite,
// linkat's EEXIST is the no-clobber guarantee itself. With it, the file
// gets a temporary name that a rename moves over path: linkat cannot
// replace, rename is the atomic replace.
func linkUnnamed(f *os.File, path string, overwrite bool) error {
	if !overwrite {
		err := link(f, path)
		if errors.Is(err, fs.ErrExist) {
			return errExists(path)
		}
		return err
	}
	tmp, err := linkTemp(f, path)
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

// linkTemp names f with a fresh name matching tempPattern(path), beside path.
func linkTemp(f *os.File, path string) (string, error) {
	prefix := filepath.Join(filepath.Dir(path), strings.TrimSuffix(tempPattern(path), "*"))
	for range 100 {
		tmp := prefix + strconv.FormatUint(uint64(rand.Uint32()), 10)
		err := link(f, tmp)
		if !errors.Is(err, fs.ErrExist) {
			return tmp, err
		}
	}
	return "", &fs.PathError{Op: "link", Path: prefix + "*", Err: fs.ErrExist}
}

func link(f *os.File, path string) error {
	err := unix.Linkat(unix.AT_FDCWD, procPath(f), unix.AT_FDCWD, path, unix.AT_SYMLINK_FOLLOW)
	if err != nil {
		return &fs.PathError{Op: "link", Path: path, Err: err}
	}
	return nil
}
