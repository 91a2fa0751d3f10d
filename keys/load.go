package keys

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"

	"github.com/sigstore/sigstore/pkg/cryptoutils"
)

// LoadOptions says how Load and LoadKey may open a key file.
type LoadOptions struct {
	// Passphrase returns the passphrase the key file is encrypted under.
	// It is called only once the file has been found and checked.
	Passphrase func() ([]byte, error)
	// InsecurePermissions allows a key file that group or others may
	// access. Off by default: such a key may already be copied.
	InsecurePermissions bool
	// PKCS11Module is the PKCS#11 module (a shared library: the card's or
	// the HSM's driver) for a pkcs11: URI that names none (module-path).
	PKCS11Module string
}

// maxKeyFileSize bounds what a key file may be: a custody key is under 1
// KiB, a PKCS#12 file with its chain a few KiB.
const maxKeyFileSize = 64 << 10

// LoadKey reads and decrypts the private key at path, as written by
// WritePrivate (an openssl "ENCRYPTED PRIVATE KEY", PKCS#8 v2, is accepted
// too). Unencrypted key files are refused. Load wraps it in the Signer
// that the exporter, the custody log and the PDF signer take.
func LoadKey(path string, opts LoadOptions) (crypto.Signer, error) {
	data, err := readKeyFile(path, opts.InsecurePermissions)
	if err != nil {
		return nil, err
	}
	priv, err := decryptPrivateKey(path, data, opts.Passphrase)
	if err != nil {
		return nil, err
	}
	signer, ok := priv.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("%s: key type %T cannot sign", path, priv)
	}
	if err := checkSigningKey(signer); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return signer, nil
}

// readKeyFile reads a private key file after checking that it is a regular
// file no one but its owner can access.
func readKeyFile(path string, insecureOK bool) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file", path)
	}
	// Windows has no Unix permission bits to check.
	if perm := info.Mode().Perm(); perm&0o077 != 0 && !insecureOK && runtime.GOOS != "windows" {
		return nil, fmt.Errorf("%s: permissions %04o let group or others access the private key; run chmod 600 %s", path, perm, path)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxKeyFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxKeyFileSize {
		return nil, fmt.Errorf("%s: larger than %d bytes: not a private key file", path, maxKeyFileSize)
	}
	return data, nil
}

// ErrWrongPassphrase: the passphrase does not decrypt the key file. It
// covers a damaged file too: authenticated encryption cannot tell the two
// apart.
var ErrWrongPassphrase = errors.New("wrong passphrase (or the key file is damaged)")

func decryptPrivateKey(path string, data []byte, passphrase func() ([]byte, error)) (crypto.PrivateKey, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, fmt.Errorf("%s: no PEM block: not a private key file", path)
	}
	switch block.Type {
	case string(cryptoutils.EncryptedSigstorePrivateKeyPEMType), "ENCRYPTED COSIGN PRIVATE KEY", "ENCRYPTED PRIVATE KEY":
	case "PRIVATE KEY", "EC PRIVATE KEY", "RSA PRIVATE KEY", "OPENSSH PRIVATE KEY":
		return nil, fmt.Errorf("%s: the private key is not encrypted; create keys with custody keygen "+
			"(or encrypt it: openssl pkcs8 -topk8 -v2 aes-256-cbc)", path)
	default:
		return nil, fmt.Errorf("%s: PEM block %q is not an encrypted private key", path, block.Type)
	}
	if passphrase == nil {
		return nil, fmt.Errorf("%s: the key is encrypted and no passphrase was given", path)
	}
	pass, err := passphrase()
	if err != nil {
		return nil, fmt.Errorf("%s: passphrase: %w", path, err)
	}
	if pass == nil {
		// sigstore treats a nil password as "not encrypted" and fails later
		// with an obscure asn1 error.
		pass = []byte{}
	}
	var priv crypto.PrivateKey
	if block.Type == "ENCRYPTED PRIVATE KEY" {
		priv, err = cryptoutils.UnmarshalPEMToPrivateKey(pem.EncodeToMemory(block), cryptoutils.StaticPasswordFunc(pass))
	} else {
		priv, err = decryptSigstoreKey(block.Bytes, pass) // sigstore's and cosign's, in half the memory
	}
	if err != nil {
		if isWrongPassphrase(block.Type, err) {
			return nil, fmt.Errorf("%s: %w", path, ErrWrongPassphrase)
		}
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return priv, nil
}

// isWrongPassphrase recognises the decryption failures of the pinned
// libraries, which export no sentinel errors (TestLoadWrongPassphrase
// catches a change): secretbox authentication ("encrypted: decryption
// failed"), and for PKCS#8 a bad padding ("pkcs8: incorrect password") or,
// when the padding happens to look right, garbage that is not DER.
func isWrongPassphrase(pemType string, err error) bool {
	msg := err.Error()
	if pemType == "ENCRYPTED PRIVATE KEY" {
		return strings.Contains(msg, "incorrect password") || strings.Contains(msg, "asn1")
	}
	return strings.Contains(msg, "decryption failed")
}

// SignDeterministic signs msg as Signer.SignMessage does, except that the same key
// and message always give the same signature: what a signature-derived
// secret needs (custody's leaf salts, docs/bundle-format.md §10). Ed25519
// is deterministic by design; an ECDSA key derives its nonce from the key
// and the digest as RFC 6979 specifies (HMAC-SHA-256), and s is left as
// computed (not normalised to the lower half). Only a key held in memory
// (*ecdsa.PrivateKey) can be made to sign so; other ECDSA signers are
// refused.
func SignDeterministic(key crypto.Signer, msg []byte) ([]byte, error) {
	switch k := key.(type) {
	case ed25519.PrivateKey:
		return ed25519.Sign(k, msg), nil
	case *ecdsa.PrivateKey:
		digest := sha256.Sum256(msg)
		// A nil random source selects RFC 6979 (crypto/ecdsa, Go 1.24+).
		return k.Sign(nil, digest[:], crypto.SHA256)
	}
	return nil, fmt.Errorf("signing key type %T cannot sign deterministically", key)
}
