package kms

import (
	"testing"
	"time"
)

// SetOpenTimeout bounds opening a key for the rest of t.
func SetOpenTimeout(t *testing.T, d time.Duration) {
	old := openTimeout
	openTimeout = d
	t.Cleanup(func() { openTimeout = old })
}
