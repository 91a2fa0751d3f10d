package keys

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"fmt"
	"os"

	"github.com/sigstore/sigstore/pkg/cryptoutils"

	"github.com/custody-toolkit/custody/internal/atomicfile"
	"github.com/custody-toolkit/custody/keys/sigalg"
)

// WritePrivate writes key to path encrypted under passphrase (a sigstore
// "ENCRYPTED SIGSTORE PRIVATE KEY" PEM: scrypt and secretbox), with mode
// 0600, and its public key to path+".pub" (PKIX PEM, mode 0644). Each file
// appears whole or not at all; an existing file at either path is never
// overwritten.
func WritePrivate(path string, key crypto.Signer, passphrase []byte) error {
	return writeKeyPair(path, key, passphrase, false)
}

// ReplacePrivate is WritePrivate for `custody keygen --force`: it atomically
// replaces an existing key pair at path. The old key is lost.
func ReplacePrivate(path string, key crypto.Signer, passphrase []byte) error {
	return writeKeyPair(path, key, passphrase, true)
}

func writeKeyPair(path string, key crypto.Signer, passphrase []byte, replace bool) error {
	if len(passphrase) == 0 {
		return fmt.Errorf("%s: refusing to write a private key under an empty passphrase", path)
	}
	if err := checkSigningKey(key); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	// Refused before the key is encrypted (scrypt: 64 MB, a noticeable
	// moment); atomicfile checks again when it writes.
	pubPath := path + ".pub"
	if !replace {
		for _, p := range []string{path, pubPath} {
			if _, err := os.Lstat(p); err == nil {
				return fmt.Errorf("%s already exists; refusing to overwrite a key", p)
			}
		}
	}
	pubPEM, err := sigalg.MarshalPublicKeyPEM(key.Public())
	if err != nil {
		return err
	}
	der, err := cryptoutils.MarshalPrivateKeyToEncryptedDER(key, cryptoutils.StaticPasswordFunc(passphrase))
	if err != nil {
		return fmt.Errorf("%s: encrypting private key: %w", path, err)
	}
	privPEM := cryptoutils.PEMEncode(cryptoutils.EncryptedSigstorePrivateKeyPEMType, der)

	if err := atomicfile.WriteFile(path, privPEM, 0o600, replace); err != nil {
		return err
	}
	if err := atomicfile.WriteFile(pubPath, pubPEM, 0o644, replace); err != nil {
		// Never leave a key pair whose halves do not match.
		if replace {
			os.Remove(pubPath)
		} else {
			os.Remove(path)
		}
		return err
	}
	return nil
}

// checkSigningKey accepts the private keys a bundle signature may use,
// and an RSA key only within the format's constraints (sigalg: 2048 to
// 4096 bits), so that a weak card key is refused before it signs.
func checkSigningKey(key crypto.Signer) error {
	switch k := key.Public().(type) {
	case ed25519.PublicKey:
		return nil
	case *ecdsa.PublicKey:
		if k.Curve == elliptic.P256() || k.Curve == elliptic.P384() {
			return nil
		}
	case *rsa.PublicKey:
		return sigalg.RSAPKCS1SHA256.CheckKey(k)
	}
	return fmt.Errorf("signing key type %T not supported (want Ed25519, ECDSA P-256/P-384 or RSA)", key)
}
