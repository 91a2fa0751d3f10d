package pkcs11

import (
	"fmt"

	"github.com/custody-toolkit/custody/keys"
)

// Importing the package makes keys.Load open pkcs11: URIs.
func init() { keys.RegisterOpener("pkcs11", Open) }

// Open opens the key uri names (the keys.Opener for "pkcs11"). Errors name
// the URI without its PIN.
func Open(uri string, opts keys.LoadOptions) (*keys.Signer, error) {
	s, err := open(uri, opts)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", keys.RedactURI(uri), err)
	}
	return s, nil
}
