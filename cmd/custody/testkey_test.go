package main

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/pem"
	"fmt"
	"os"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/youmark/pkcs8"

	"github.com/custody-toolkit/custody/keys/sigalg"
)

// testkey [--algorithm ecdsa-p256|ed25519] FILE writes a signing key to
// FILE and its public key to FILE.pub, and prints its fingerprint, as
// custody keygen does, but cheaply: for the scripts that need some key,
// not keygen itself (keygen_csr and export_verify run keygen).
//
// keygen's file (sigstore's format) costs a fixed scrypt (2^15, 32 MiB,
// about 0.1 s of CPU) at every keygen and every unlock, which over the
// scripts' hundred exports was most of their CPU. This file is the other
// encrypted format custody reads, openssl's "ENCRYPTED PRIVATE KEY"
// (PKCS#8, PBES2), with one PBKDF2 round: still encrypted under
// $CUSTODY_PASSPHRASE, so a wrong passphrase still fails.
func testKey(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! testkey")
	}
	algorithm := "ecdsa-p256"
	if len(args) == 3 && args[0] == "--algorithm" {
		algorithm, args = args[1], args[2:]
	}
	if len(args) != 1 {
		ts.Fatalf("usage: testkey [--algorithm ecdsa-p256|ed25519] FILE")
	}
	key, err := newTestKey(algorithm)
	ts.Check(err)
	path := ts.MkAbs(args[0])
	der, err := pkcs8.MarshalPrivateKey(key, []byte(ts.Getenv("CUSTODY_PASSPHRASE")), testKeyEncryption)
	ts.Check(err)
	ts.Check(os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: der}), 0o600))
	pub, err := sigalg.MarshalPublicKeyPEM(key.Public())
	ts.Check(err)
	ts.Check(os.WriteFile(path+".pub", pub, 0o644))
	fp, err := sigalg.Fingerprint(key.Public())
	ts.Check(err)
	fmt.Fprintf(ts.Stdout(), "fingerprint: %s\n", fp)
}

var testKeyEncryption = &pkcs8.Opts{
	Cipher:  pkcs8.AES256CBC,
	KDFOpts: pkcs8.PBKDF2Opts{SaltSize: 16, IterationCount: 1, HMACHash: crypto.SHA256},
}

func newTestKey(algorithm string) (crypto.Signer, error) {
	switch algorithm {
	case "ecdsa-p256":
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case "ed25519":
		_, key, err := ed25519.GenerateKey(rand.Reader)
		return key, err
	}
	return nil, fmt.Errorf("testkey: algorithm %q", algorithm)
}
