//go:build !cgo

package pkcs11

import (
	"errors"
	"testing"

	"github.com/custody-toolkit/custody/keys"
)

// Without cgo (custody's release cross-builds) a valid URI is refused with
// the reason, and a malformed one with its own.
func TestOpenWithoutCgo(t *testing.T) {
	if _, err := Open("pkcs11:token=t;object=k", keys.LoadOptions{}); !errors.Is(err, errNoCgo) {
		t.Errorf("Open without cgo: %v, want %v", err, errNoCgo)
	}
	if _, err := Open("pkcs11:token=t", keys.LoadOptions{}); err == nil || errors.Is(err, errNoCgo) {
		t.Errorf("Open of a URI naming no key: %v", err)
	}
}
