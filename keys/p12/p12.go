// Package p12 lets keys.Load read PKCS#12 files (.p12, .pfx: a key and its
// certificate chain, as a CA or a health service hands them to a doctor).
// A program imports it for its effect:
//
//	import _ "github.com/custody-toolkit/custody/keys/p12"
//
// It is a package apart so that custody-verify, whose --record signs with
// a custody key file, links no PKCS#12 decoder: the verifier links only
// what it needs (cmd/custody-verify's dependency test).
//
// The decoder is software.sslmate.com/src/go-pkcs12: golang.org/x/crypto/pkcs12
// is frozen and reads neither the AES PBES2 files OpenSSL 3 writes by
// default nor a chain.
package p12

import (
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"

	"software.sslmate.com/src/go-pkcs12"

	"github.com/custody-toolkit/custody/keys"
)

func init() { keys.RegisterPKCS12(decode) }

func decode(data []byte, password string) (crypto.PrivateKey, *x509.Certificate, []*x509.Certificate, error) {
	priv, leaf, cas, err := pkcs12.DecodeChain(data, password)
	if errors.Is(err, pkcs12.ErrIncorrectPassword) || errors.Is(err, pkcs12.ErrDecryption) {
		return nil, nil, nil, fmt.Errorf("%w: %v", keys.ErrWrongPassphrase, err)
	}
	return priv, leaf, cas, err
}
