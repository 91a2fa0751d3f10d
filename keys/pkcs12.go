package keys

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
)

// Load opens the signing key at path: a custody key file (LoadKey) or a
// PKCS#12 file (.p12, .pfx: a key and its certificate chain, as a CA or
// a health service hands them to a doctor), decrypted with the passphrase
// opts gives. A PKCS#12 file's chain becomes the Signer's. A key URI
// ("pkcs11:…") is opened by the Opener the program registered for it.
func Load(path string, opts LoadOptions) (*Signer, error) {
	if scheme, missing := keyURIScheme(path); scheme != "" {
		return openURI(path, scheme, missing, opts)
	}
	if isPKCS12(path) {
		return loadPKCS12(path, opts)
	}
	key, err := LoadKey(path, opts)
	if err != nil {
		return nil, err
	}
	s, err := NewSigner(key, nil)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

// isPKCS12 goes by the name: a PKCS#12 file is DER, with no header to tell
// it from other DER, and the names .p12 and .pfx are what every tool uses.
func isPKCS12(path string) bool {
	ext := strings.ToLower(filepath.Ext(path))
	return ext == ".p12" || ext == ".pfx"
}

// PKCS12Decoder decodes a PKCS#12 file: its private key, the certificate
// of that key and the other certificates, in any order. A wrong password
// is an error wrapping ErrWrongPassphrase.
type PKCS12Decoder func(data []byte, password string) (key crypto.PrivateKey, leaf *x509.Certificate, cas []*x509.Certificate, err error)

// pkcs12Decoder is set by package keys/p12, in the programs that import
// it (custody). custody-verify does not: its --record signs with a custody
// key file, and a verifier links only what it needs (its dependency test).
var pkcs12Decoder PKCS12Decoder

// RegisterPKCS12 makes Load read PKCS#12 files with decode. Package
// keys/p12 calls it when imported for its effect.
func RegisterPKCS12(decode PKCS12Decoder) { pkcs12Decoder = decode }

// loadPKCS12 decodes a PKCS#12 file with the registered decoder.
func loadPKCS12(path string, opts LoadOptions) (*Signer, error) {
	if pkcs12Decoder == nil {
		return nil, fmt.Errorf("%s: this program reads custody key files only, not PKCS#12 (.p12, .pfx) files", path)
	}
	data, err := readKeyFile(path, opts.InsecurePermissions)
	if err != nil {
		return nil, err
	}
	if opts.Passphrase == nil {
		return nil, fmt.Errorf("%s: the PKCS#12 file is encrypted and no passphrase was given", path)
	}
	pass, err := opts.Passphrase()
	if err != nil {
		return nil, fmt.Errorf("%s: passphrase: %w", path, err)
	}
	priv, leaf, cas, err := pkcs12Decoder(data, string(pass))
	if errors.Is(err, ErrWrongPassphrase) {
		return nil, fmt.Errorf("%s: %w", path, ErrWrongPassphrase)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: not a PKCS#12 file custody can read: %w", path, err)
	}
	key, ok := priv.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("%s: key type %T cannot sign", path, priv)
	}
	s, err := NewSigner(key, orderChain(leaf, cas))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

// orderChain puts the certificates of a PKCS#12 file in certification
// order, leaf first: the file keeps its CA certificates in no set order.
// It follows issuer links as far as the file's certificates go (a file
// may lack the root); certificates off the path are dropped.
func orderChain(leaf *x509.Certificate, cas []*x509.Certificate) []*x509.Certificate {
	if leaf == nil {
		return nil
	}
	chain := []*x509.Certificate{leaf}
	for c := leaf; !bytes.Equal(c.RawIssuer, c.RawSubject) && len(chain) <= len(cas); {
		parent := issuerAmong(c, cas)
		if parent == nil {
			break
		}
		chain = append(chain, parent)
		c = parent
	}
	return chain
}

// issuerAmong is the certificate of cas that issued c, or nil.
func issuerAmong(c *x509.Certificate, cas []*x509.Certificate) *x509.Certificate {
	for _, p := range cas {
		if bytes.Equal(c.RawIssuer, p.RawSubject) && c.CheckSignatureFrom(p) == nil {
			return p
		}
	}
	return nil
}
