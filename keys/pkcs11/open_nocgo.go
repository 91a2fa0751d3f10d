//go:build !cgo

package pkcs11

import (
	"errors"

	"github.com/custody-toolkit/custody/keys"
)

// errNoCgo is why a custody built without cgo cannot open a token: the
// PKCS#11 module is a C library.
var errNoCgo = errors.New("this custody was built without cgo, and a PKCS#11 module is a C library: " +
	"build custody with CGO_ENABLED=1 (go install ./cmd/custody with a C compiler) to sign with a smart card or HSM")

func open(uri string, opts keys.LoadOptions) (*keys.Signer, error) {
	if _, err := ParseURI(uri); err != nil {
		return nil, err
	}
	return nil, errNoCgo
}

// Available reports whether this build can open a PKCS#11 module.
const Available = false
