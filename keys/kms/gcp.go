package kms

import (
	"crypto"

	"github.com/sigstore/sigstore/pkg/signature/kms/gcp"
)

// loadGCP opens a Google Cloud KMS key (gcpkms://projects/…/cryptoKeys/K,
// optionally /cryptoKeyVersions/V; without a version, the newest enabled
// one). Its algorithm is the key version's: RSA_SIGN_PKCS1_*_SHA256 and
// EC_SIGN_P256_SHA256 seal; a PSS or SHA-512 version is refused at the
// first signature (checkedSigner), as the provider does not show the
// algorithm.
func loadGCP(uri string) (crypto.Signer, error) {
	return cryptoSigner(gcp.LoadSignerVerifier(background(), uri))
}
