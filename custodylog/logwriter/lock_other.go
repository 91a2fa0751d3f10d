//go:build !unix

package logwriter

import (
	"errors"
	"os"
	"time"
)

// lockBundle: without flock, appending could lose a concurrent event, so
// it is refused rather than done unsafely.
func lockBundle(path string, wait time.Duration) (*os.File, error) {
	return nil, errors.New("custody log append needs file locking (flock), which this platform lacks")
}
