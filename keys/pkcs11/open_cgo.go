//go:build cgo

package pkcs11

import (
	"crypto/x509"
	"errors"
	"fmt"

	"github.com/ThalesGroup/crypto11"

	"github.com/custody-toolkit/custody/keys"
)

func open(uri string, opts keys.LoadOptions) (*keys.Signer, error) {
	u, err := ParseURI(uri)
	if err != nil {
		return nil, err
	}
	module, err := u.module(opts.PKCS11Module)
	if err != nil {
		return nil, err
	}
	cfg, err := u.tokenConfig(module)
	if err != nil {
		return nil, err
	}
	if cfg.Pin, err = u.pin(opts.Passphrase); err != nil {
		return nil, err
	}
	// The context lives as long as the program: the key signs through
	// its sessions until custody exits.
	ctx, err := crypto11.Configure(cfg)
	if err != nil {
		return nil, fmt.Errorf("opening the token with %s: %w", module, err)
	}
	key, chain, err := u.find(ctx)
	if err != nil {
		ctx.Close()
		return nil, err
	}
	s, err := keys.NewSigner(key, chain)
	if err != nil {
		ctx.Close()
		return nil, err
	}
	return s, nil
}

// tokenConfig selects the token as crypto11 does, by exactly one of its
// serial, label or slot.
func (u *URI) tokenConfig(module string) (*crypto11.Config, error) {
	cfg := &crypto11.Config{Path: module}
	switch {
	case u.Serial != "":
		cfg.TokenSerial = u.Serial
	case u.Token != "":
		cfg.TokenLabel = u.Token
	case u.SlotID != nil:
		cfg.SlotNumber = u.SlotID
	default:
		return nil, errors.New("the URI names no token: give token= (its label), serial= or slot-id=")
	}
	return cfg, nil
}

// find is the key pair the URI names and its certificate, if the token
// holds one.
func (u *URI) find(ctx *crypto11.Context) (crypto11.Signer, []*x509.Certificate, error) {
	label := labelOrNil(u.Object)
	pairs, err := ctx.FindKeyPairs(u.ID, label)
	if err != nil {
		return nil, nil, fmt.Errorf("finding the key: %w", err)
	}
	switch len(pairs) {
	case 0:
		return nil, nil, fmt.Errorf("the token holds no private key %s (with its public key and a CKA_ID)", u.objectName())
	case 1:
	default:
		// Signing with whichever comes first could seal with another
		// person's key.
		return nil, nil, fmt.Errorf("%d private keys on the token match %s: give both object= and id=", len(pairs), u.objectName())
	}
	key := pairs[0]
	cert, err := u.certificate(ctx, key)
	if err != nil {
		return nil, nil, fmt.Errorf("finding the certificate: %w", err)
	}
	if cert == nil {
		return key, nil, nil
	}
	return key, []*x509.Certificate{cert}, nil
}

// certificate is the token's certificate for key: the one with the URI's
// label and id, else the one with the key's CKA_ID (cards label a key and
// its certificate differently, "KprivFirmaDigital" and "CertFirmaDigital";
// the id is what PKCS#11 pairs them by). nil when the token has none;
// keys.NewSigner checks that it certifies the key.
func (u *URI) certificate(ctx *crypto11.Context, key crypto11.Signer) (*x509.Certificate, error) {
	cert, err := ctx.FindCertificate(u.ID, labelOrNil(u.Object), nil)
	if cert != nil || err != nil {
		return cert, err
	}
	id, err := ctx.GetAttribute(key, crypto11.CkaId)
	if err != nil || id == nil || len(id.Value) == 0 {
		return nil, err
	}
	return ctx.FindCertificate(id.Value, nil, nil)
}

func labelOrNil(s string) []byte {
	if s == "" {
		return nil
	}
	return []byte(s)
}

// Available reports whether this build can open a PKCS#11 module.
const Available = true
