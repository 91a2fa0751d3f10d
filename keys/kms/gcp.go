package kms

import (
	"crypto"

	"github.com/sigstore/sigstore/pkg/signature/kms/gcp"
	"google.golang.org/api/option"
)

// loadGCP opens a Google Cloud KMS key (gcpkms://projects/…/cryptoKeys/K,
// optionally /cryptoKeyVersions/V; without a version, the newest enabled
// one). Its algorithm is the key version's: RSA_SIGN_PKCS1_*_SHA256 and
// EC_SIGN_P256_SHA256 seal; a PSS or SHA-512 version is refused at the
// first signature (checkedSigner; the service refuses a SHA-256 digest
// for a SHA-512 version itself), as the provider does not show the
// algorithm.
func loadGCP(uri string) (crypto.Signer, error) {
	return cryptoSigner(gcp.LoadSignerVerifier(background(), uri, gcpClientOptions...))
}

// gcpClientOptions are options for Google's KMS client: none in use (the
// client's defaults: kms.googleapis.com, application default
// credentials). Tests point it at a fake service (cloud_fake_test.go).
var gcpClientOptions []option.ClientOption
