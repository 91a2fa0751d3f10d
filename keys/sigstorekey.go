package keys

import (
	"crypto"
	"crypto/x509"
	"encoding/json"
	"errors"

	"golang.org/x/crypto/nacl/secretbox"

	"github.com/custody-toolkit/custody/keys/internal/scryptmem"
)

// decryptSigstoreKey opens the custody key file's PEM body, sigstore's
// encrypted private key (go-securesystemslib's "encrypted" envelope: a
// secretbox key from scrypt over the passphrase, then PKCS #8), exactly as
// sigstore's cryptoutils.UnmarshalPEMToPrivateKey opens it
// (TestDecryptSigstoreKeyAsSigstore), with one difference: the scrypt of
// keys/internal/scryptmem, in half the memory (32 MiB, not 64, for the
// parameters keygen writes), which made the exporter's highest memory.
// The errors are the library's, which isWrongPassphrase reads.
func decryptSigstoreKey(body, passphrase []byte) (crypto.PrivateKey, error) {
	var envelope struct {
		KDF struct {
			Name   string `json:"name"`
			Params struct {
				N int `json:"N"`
				R int `json:"r"`
				P int `json:"p"`
			} `json:"params"`
			Salt []byte `json:"salt"`
		} `json:"kdf"`
		Cipher struct {
			Name  string `json:"name"`
			Nonce []byte `json:"nonce"`
		} `json:"cipher"`
		Ciphertext []byte `json:"ciphertext"`
	}
	if err := json.Unmarshal(body, &envelope); err != nil {
		return nil, err
	}
	kdf, cipher := envelope.KDF, envelope.Cipher
	switch {
	case kdf.Name != "scrypt":
		return nil, errors.New("encrypted: unknown kdf name " + kdf.Name)
	case cipher.Name != "nacl/secretbox":
		return nil, errors.New("encrypted: unknown cipher name " + cipher.Name)
	case kdf.Params.R != 8 || kdf.Params.P != 1 || (kdf.Params.N != 1<<15 && kdf.Params.N != 1<<16 && kdf.Params.N != 1<<17):
		// the library's three parameter sets; any other is refused, so a
		// tampered file cannot make the unlock take any memory it likes
		return nil, errors.New("unsupported scrypt parameters")
	case len(cipher.Nonce) != 24:
		return nil, errors.New("encrypted: incorrect nonce size")
	}
	key, err := scryptmem.Key(passphrase, kdf.Salt, kdf.Params.N, kdf.Params.R, kdf.Params.P, 32)
	if err != nil {
		return nil, err
	}
	var boxKey [32]byte
	var nonce [24]byte
	copy(boxKey[:], key)
	copy(nonce[:], cipher.Nonce)
	der, ok := secretbox.Open(nil, envelope.Ciphertext, &nonce, &boxKey)
	if !ok {
		return nil, errors.New("encrypted: decryption failed")
	}
	return x509.ParsePKCS8PrivateKey(der)
}
