//go:build unix

package logwriter

import (
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"
)

// lockBundle opens path and takes an exclusive flock on it. Append
// replaces the file by rename, so a waiter may get the lock of a file that
// is no longer at path: it then starts again on the new one. The lock goes
// with the process, so a crashed append never leaves the bundle locked.
func lockBundle(path string, wait time.Duration) (*os.File, error) {
	if wait == 0 {
		wait = DefaultLockWait
	}
	deadline := time.Now().Add(wait)
	for {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			if current(f, path) {
				return f, nil
			}
			f.Close() // replaced while we waited: lock the new file
			continue
		}
		f.Close()
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%s: locking: %w", path, err)
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("%s: %w (waited %v); try again when it has finished", path, ErrLocked, max(wait, 0))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// current reports whether f is still the file at path.
func current(f *os.File, path string) bool {
	a, err1 := f.Stat()
	b, err2 := os.Stat(path)
	return err1 == nil && err2 == nil && os.SameFile(a, b)
}
