package kms

import (
	"crypto"
	"crypto/rsa"
	"fmt"

	"github.com/sigstore/sigstore/pkg/signature/kms/azure"
)

// loadAzure opens an Azure Key Vault key (azurekms://VAULT.vault.azure.net/KEY,
// optionally /VERSION). The provider picks the algorithm from the key
// size: ES256 for P-256, RS256 for RSA-2048, but RS384 and RS512 for
// RSA-3072 and RSA-4096, which custody's SHA-256 digest does not fit; so
// those are refused here.
func loadAzure(uri string) (crypto.Signer, error) {
	signer, err := cryptoSigner(azure.LoadSignerVerifier(background(), uri))
	if err != nil {
		return nil, err
	}
	if pub, ok := signer.Public().(*rsa.PublicKey); ok && pub.Size() != 256 {
		return nil, fmt.Errorf("an RSA-%d key in Azure Key Vault signs with RS384 or RS512 (SHA-384, SHA-512); "+
			"custody needs RS256: use an RSA-2048 or an EC P-256 key", pub.Size()*8)
	}
	return signer, nil
}
