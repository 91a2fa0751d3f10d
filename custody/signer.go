package custody

import (
	"crypto"
	"fmt"

	"github.com/sigstore/sigstore/pkg/signature"

	"github.com/custody-toolkit/custody/keys"
)

// LoadSigner loads the private key at path and returns a sigstore signer
// for it (the exporter signs through sigstore's signature package, so that
// keys held in a KMS can plug in) and the key itself (the PDF signature
// needs a crypto.Signer).
func LoadSigner(path string, opts keys.LoadOptions) (signature.SignerVerifier, crypto.Signer, error) {
	key, err := keys.LoadKey(path, opts)
	if err != nil {
		return nil, nil, err
	}
	sv, err := signature.LoadSignerVerifier(key, crypto.SHA256)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return sv, key, nil
}
