package keys

import (
	"fmt"
	"strings"
	"sync"
)

// A key need not be in a file: a smart card or an HSM holds it behind a
// PKCS#11 module (RFC 7512 URIs, "pkcs11:token=…;object=…"), a hospital's
// KMS behind a network service. Opening such keys needs code the
// standalone verifier must not link (cgo for PKCS#11, cloud SDKs for a
// KMS), so this package only recognises their URIs and hands them to an
// Opener a program registers: custody registers keys/pkcs11;
// custody-verify (whose --record takes a key file) registers none, and a
// URI there is refused with a clear reason instead of being read as a
// file name.

// An Opener opens the key a URI names, asking opts.Passphrase for a PIN
// when the URI carries none.
type Opener func(uri string, opts LoadOptions) (*Signer, error)

var (
	openersMu sync.RWMutex
	openers   = map[string]Opener{}
)

// RegisterOpener makes Load open URIs of scheme ("pkcs11") with open.
func RegisterOpener(scheme string, open Opener) {
	openersMu.Lock()
	defer openersMu.Unlock()
	openers[scheme] = open
}

// uriSchemes are the key URIs Load recognises, each with what it needs.
// The KMS schemes are sigstore's (sigstore/pkg/signature/kms), which
// custody opens (keys/kms).
var uriSchemes = []struct{ prefix, scheme, missing string }{
	{"pkcs11:", "pkcs11", "PKCS#11 keys (smart cards, HSMs) are not available in this program; custody opens them"},
	{"hashivault://", "hashivault", kmsMissing},
	{"awskms://", "awskms", kmsMissing},
	{"gcpkms://", "gcpkms", kmsMissing},
	{"azurekms://", "azurekms", kmsMissing},
}

const kmsMissing = "KMS keys are not available in this program; custody opens them"

// keyURIScheme is the scheme of a key URI and why it cannot be opened
// when no Opener is registered; "" for a file name.
func keyURIScheme(name string) (scheme, missing string) {
	for _, s := range uriSchemes {
		if strings.HasPrefix(strings.ToLower(name), s.prefix) {
			return s.scheme, s.missing
		}
	}
	return "", ""
}

// openURI opens a key URI through its registered Opener.
func openURI(uri, scheme, missing string, opts LoadOptions) (*Signer, error) {
	openersMu.RLock()
	open := openers[scheme]
	openersMu.RUnlock()
	if open == nil {
		return nil, fmt.Errorf("%s: %s", RedactURI(uri), missing)
	}
	return open(uri, opts)
}

// RedactURI is uri fit for a message or a prompt: a PIN in it
// (pin-value=…) is replaced by "***".
func RedactURI(uri string) string {
	path, query, found := strings.Cut(uri, "?")
	if !found {
		return uri
	}
	attrs := strings.Split(query, "&")
	for i, a := range attrs {
		if strings.HasPrefix(a, "pin-value=") {
			attrs[i] = "pin-value=***"
		}
	}
	return path + "?" + strings.Join(attrs, "&")
}
