// Package pkcs11 opens signing keys on smart cards and HSMs through their
// PKCS#11 module, named by RFC 7512 URIs:
//
//	pkcs11:token=Doctor%20card;object=signing?module-path=/usr/lib/opensc-pkcs11.so
//
// The token is chosen by token= (its label), serial= or slot-id=; the key
// by object= (its label) and/or id= (CKA_ID, percent-encoded bytes); the
// certificate with the same label and id, when the token holds one,
// becomes the signer's chain (keys.Signer), as a PKCS#12 file's does. The
// PIN comes from pin-value= or pin-source= (a file), else from the
// passphrase the caller asks for (CUSTODY_PASSPHRASE or the terminal).
//
// The module is a C library, so opening it needs cgo: this package uses
// github.com/ThalesGroup/crypto11 (over github.com/miekg/pkcs11), a
// maintained crypto.Signer over PKCS#11, rather than its own session and
// mechanism code. Built without cgo (custody's release cross-builds are
// CGO_ENABLED=0), Open refuses with that reason. A program imports the
// package for its effect, as keys/p12:
//
//	import _ "github.com/custody-toolkit/custody/keys/pkcs11"
//
// Only custody does; the standalone verifier links neither it nor a C
// library, and refuses a pkcs11: --key with the reason.
package pkcs11

import (
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strconv"
	"strings"
)

// URI is what custody uses of an RFC 7512 PKCS#11 URI.
type URI struct {
	Token  string // token=: the token's label
	Serial string // serial=: the token's serial number
	SlotID *int   // slot-id=: the slot
	Object string // object=: the key's (and certificate's) label
	ID     []byte // id=: the key's (and certificate's) CKA_ID
	// ModulePath is module-path=: the PKCS#11 library.
	ModulePath string
	// PINValue and PINSource are pin-value= and pin-source= (a file
	// name or a file: URI holding the PIN).
	PINValue, PINSource string
}

// ParseURI reads a pkcs11: URI. Attributes that would narrow the choice of
// token or object in ways custody does not implement (manufacturer=,
// model=, library-…=, slot-description=, …) are refused rather than
// ignored: ignoring one could select another key than the one meant.
func ParseURI(s string) (*URI, error) {
	rest, ok := strings.CutPrefix(s, "pkcs11:")
	if !ok {
		return nil, errors.New("not a pkcs11: URI")
	}
	path, query, _ := strings.Cut(rest, "?")
	u := &URI{}
	if err := eachAttribute(path, ";", u.setPathAttribute); err != nil {
		return nil, err
	}
	if err := eachAttribute(query, "&", u.setQueryAttribute); err != nil {
		return nil, err
	}
	if u.Object == "" && u.ID == nil {
		return nil, errors.New("the URI names no key: give object= (its label) or id=")
	}
	if u.PINValue != "" && u.PINSource != "" {
		return nil, errors.New("the URI gives both pin-value= and pin-source=")
	}
	return u, nil
}

// eachAttribute calls set with each name=value of list (separated by
// sep), the value percent-decoded.
func eachAttribute(list, sep string, set func(name, value string) error) error {
	if list == "" {
		return nil
	}
	for _, attr := range strings.Split(list, sep) {
		name, raw, ok := strings.Cut(attr, "=")
		if !ok || name == "" {
			return fmt.Errorf("attribute %q is not name=value", attr)
		}
		value, err := url.PathUnescape(raw)
		if err != nil {
			return fmt.Errorf("attribute %s: %v", name, err)
		}
		if err := set(name, value); err != nil {
			return err
		}
	}
	return nil
}

func (u *URI) setPathAttribute(name, value string) error {
	switch name {
	case "token":
		u.Token = value
	case "serial":
		u.Serial = value
	case "slot-id":
		n, err := strconv.Atoi(value)
		if err != nil || n < 0 {
			return fmt.Errorf("slot-id=%s is not a slot number", value)
		}
		u.SlotID = &n
	case "object":
		u.Object = value
	case "id":
		u.ID = []byte(value)
	case "type":
		// The key is found as a private key with its public key and
		// certificate; private is the only type that names it.
		if value != "private" {
			return fmt.Errorf("type=%s: the key to sign with is type=private", value)
		}
	default:
		return fmt.Errorf("path attribute %s= is not supported (supported: token, serial, slot-id, object, id, type)", name)
	}
	return nil
}

func (u *URI) setQueryAttribute(name, value string) error {
	switch name {
	case "module-path":
		u.ModulePath = value
	case "pin-value":
		u.PINValue = value
	case "pin-source":
		u.PINSource = value
	default:
		return fmt.Errorf("query attribute %s= is not supported (supported: module-path, pin-value, pin-source)", name)
	}
	return nil
}

// module is the PKCS#11 library to load: the URI's module-path, else the
// one the program was given (--pkcs11-module).
func (u *URI) module(given string) (string, error) {
	switch {
	case u.ModulePath != "" && given != "" && u.ModulePath != given:
		return "", fmt.Errorf("the URI's module-path %s and --pkcs11-module %s differ", u.ModulePath, given)
	case u.ModulePath != "":
		return u.ModulePath, nil
	case given != "":
		return given, nil
	}
	return "", errors.New("no PKCS#11 module: give --pkcs11-module PATH (the card's or HSM's library, " +
		"e.g. /usr/lib/x86_64-linux-gnu/opensc-pkcs11.so, /usr/lib/softhsm/libsofthsm2.so) or module-path= in the URI")
}

// maxPINFileSize bounds a pin-source file: a PIN is a few characters.
const maxPINFileSize = 1 << 10

// pin is the token's PIN: pin-value=, the first line of pin-source=, or
// what ask returns (the passphrase prompt or CUSTODY_PASSPHRASE).
func (u *URI) pin(ask func() ([]byte, error)) (string, error) {
	switch {
	case u.PINValue != "":
		return u.PINValue, nil
	case u.PINSource != "":
		return readPINFile(strings.TrimPrefix(u.PINSource, "file:"))
	case ask == nil:
		return "", errors.New("the token needs a PIN and none was given (pin-value=, pin-source= or CUSTODY_PASSPHRASE)")
	}
	pin, err := ask()
	if err != nil {
		return "", fmt.Errorf("PIN: %w", err)
	}
	return string(pin), nil
}

func readPINFile(name string) (string, error) {
	f, err := os.Open(name)
	if err != nil {
		return "", fmt.Errorf("pin-source: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxPINFileSize+1))
	if err != nil {
		return "", fmt.Errorf("pin-source: %w", err)
	}
	if len(data) > maxPINFileSize {
		return "", fmt.Errorf("pin-source %s: larger than %d bytes: not a PIN", name, maxPINFileSize)
	}
	first, _, _ := strings.Cut(string(data), "\n")
	return strings.TrimSuffix(first, "\r"), nil
}

// objectName names the key the URI selects, for messages.
func (u *URI) objectName() string {
	switch {
	case u.Object != "" && u.ID != nil:
		return fmt.Sprintf("object=%s id=%x", u.Object, u.ID)
	case u.Object != "":
		return "object=" + u.Object
	}
	return fmt.Sprintf("id=%x", u.ID)
}
