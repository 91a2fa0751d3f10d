// Package kms lets keys.Load open a key a hospital keeps in a key
// management service, through sigstore's KMS providers: a program imports
// it for its effect, as custody does.
//
//	import _ "github.com/custody-toolkit/custody/keys/kms"
//
// Four services are wired, each by its provider's URI (docs/identity.md
// gives examples, the permissions a key needs and what each costs):
//
//   - hashivault://KEY: HashiCorp Vault's (or OpenBao's) transit engine,
//     VAULT_ADDR and VAULT_TOKEN (or BAO_ADDR, BAO_TOKEN) in the
//     environment, the mount in TRANSIT_SECRET_ENGINE_PATH;
//   - awskms:///alias/NAME, awskms:///KEY-ID or an ARN, optionally
//     awskms://HOST:PORT/… for another endpoint: AWS KMS, with the SDK's
//     usual credentials (environment, ~/.aws, an instance role);
//   - gcpkms://projects/P/locations/L/keyRings/R/cryptoKeys/K[/cryptoKeyVersions/V]:
//     Google Cloud KMS, with application default credentials;
//   - azurekms://VAULT.vault.azure.net/KEY[/VERSION]: Azure Key Vault,
//     with the Azure SDK's default credentials (AZURE_* environment, a
//     managed identity, the az CLI).
//
// Every provider signs the digest custody computes; which algorithm it
// signs with is the service's choice (the key's first listed algorithm
// for AWS, the key version's for Google, the key size for Azure), not
// custody's. So a key is refused when it is opened if the service would
// sign with another algorithm than the bundle format's for its key type
// (where the provider lets custody see that), and every signature the
// service returns is verified before custody uses it (checkedSigner): a
// PSS or SHA-384 signature never reaches a bundle, a log or a PDF, where
// a verifier would call it forged.
//
// It is a package apart so that custody-verify links none of it (its
// dependency test).
package kms

import (
	"context"
	"crypto"
	"fmt"
	"time"

	"github.com/custody-toolkit/custody/keys"
)

func init() {
	keys.RegisterOpener("hashivault", opener(loadVault))
	keys.RegisterOpener("awskms", opener(loadAWS))
	keys.RegisterOpener("gcpkms", opener(loadGCP))
	keys.RegisterOpener("azurekms", opener(loadAzure))
}

// A loader opens the key uri names in one provider and reads its public
// key (a server out of reach, missing credentials or a wrong key name
// fail here rather than at the first signature). The crypto.Signer it
// returns signs through the service with no deadline of its own.
type loader func(uri string) (crypto.Signer, error)

// openTimeout bounds opening a key: the providers' credential chains may
// probe metadata servers or wait on a network that drops packets.
var openTimeout = 60 * time.Second

// opener is the keys.Opener for a provider's URIs. The key must be of an
// algorithm custody signs with (keys.NewSigner says which); it carries no
// certificate chain (--pdf-cert gives one).
func opener(load loader) keys.Opener {
	return func(uri string, _ keys.LoadOptions) (*keys.Signer, error) {
		key, err := loadWithin(openTimeout, uri, load)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", uri, err)
		}
		s, err := keys.NewSigner(key, nil)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", uri, err)
		}
		return s, nil
	}
}

// loadWithin runs load, giving up after timeout: not every provider takes
// a context for every request it makes while opening a key.
func loadWithin(timeout time.Duration, uri string, load loader) (*checkedSigner, error) {
	type result struct {
		key crypto.Signer
		err error
	}
	done := make(chan result, 1)
	go func() {
		key, err := load(uri)
		done <- result{key, err}
	}()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case r := <-done:
		if r.err != nil {
			return nil, r.err
		}
		return newCheckedSigner(r.key)
	case <-timer.C:
		return nil, fmt.Errorf("the key service did not answer within %s", timeout)
	}
}

// cryptoSigner is the crypto.Signer of the key a provider loaded (or
// loading's error). Every sigstore provider reads the key's public half
// in CryptoSigner, if it has not already.
func cryptoSigner(sv interface {
	CryptoSigner(context.Context, func(error)) (crypto.Signer, crypto.SignerOpts, error)
}, err error,
) (crypto.Signer, error) {
	if err != nil {
		return nil, err
	}
	signer, _, err := sv.CryptoSigner(background(), nil)
	return signer, err
}

// background is the context the providers' signers keep for their
// requests: a signature is bounded by the caller (keys.Signer.SignMessage)
// and by the SDKs' own timeouts.
func background() context.Context { return context.Background() }
