package sigalg_test

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"errors"
	"math/big"
	"testing"

	"github.com/custody-toolkit/custody/keys/sigalg"
)

// Each algorithm of the table signs what it verifies, only with its own
// key, and is found by its key and by its name.
func TestTable(t *testing.T) {
	_, ed, _ := ed25519.GenerateKey(rand.Reader)
	p256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	rsa2048, _ := rsa.GenerateKey(rand.Reader, 2048)
	keys := map[*sigalg.Algorithm]crypto.Signer{sigalg.Ed25519: ed, sigalg.ECDSAP256SHA256: p256, sigalg.RSAPKCS1SHA256: rsa2048}
	if len(keys) != len(sigalg.All) {
		t.Fatalf("the test covers %d algorithms, the table has %d", len(keys), len(sigalg.All))
	}
	msg := []byte("manifest.json")
	for _, alg := range sigalg.All {
		key := keys[alg]
		if got, ok := sigalg.ForKey(key.Public()); !ok || got != alg {
			t.Errorf("ForKey(%s key) = %v", alg.Name, got)
		}
		if got, ok := sigalg.ByName(alg.Name); !ok || got != alg {
			t.Errorf("ByName(%q) = %v", alg.Name, got)
		}
		sig, err := alg.Sign(key, msg)
		if err != nil {
			t.Fatal(err)
		}
		if !alg.Verify(key.Public(), msg, sig) {
			t.Errorf("%s: own signature refused", alg.Name)
		}
		if alg.Verify(key.Public(), []byte("manifest.json "), sig) {
			t.Errorf("%s: signature accepted over another message", alg.Name)
		}
		for other, otherKey := range keys {
			if other == alg {
				continue
			}
			if alg.Verify(otherKey.Public(), msg, sig) {
				t.Errorf("%s: accepted a %s key", alg.Name, other.Name)
			}
			if _, err := alg.Sign(otherKey, msg); err == nil {
				t.Errorf("%s: signed with a %s key", alg.Name, other.Name)
			}
		}
	}
}

// Keys and names outside the table are not guessed into it.
func TestOutsideTable(t *testing.T) {
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if alg, ok := sigalg.ForKey(p384.Public()); ok {
		t.Errorf("ForKey(P-384) = %s", alg.Name)
	}
	for _, name := range []string{"", "ECDSA-P256-SHA256", "ecdsa-p256", "none"} {
		if alg, ok := sigalg.ByName(name); ok {
			t.Errorf("ByName(%q) = %s", name, alg.Name)
		}
	}
}

// An RSA key signs RSASSA-PKCS1-v1_5 over SHA-256 (what a card's
// CKM_RSA_PKCS makes, and what OpenSSL verifies as such), deterministically.
func TestRSAIsPKCS1v15(t *testing.T) {
	key, _ := rsa.GenerateKey(rand.Reader, 2048)
	msg := []byte("manifest.json")
	sig, err := sigalg.RSAPKCS1SHA256.Sign(key, msg)
	if err != nil {
		t.Fatal(err)
	}
	digest := sha256.Sum256(msg)
	if err := rsa.VerifyPKCS1v15(&key.PublicKey, crypto.SHA256, digest[:], sig); err != nil {
		t.Errorf("not RSASSA-PKCS1-v1_5 with SHA-256: %v", err)
	}
	if again, _ := sigalg.RSAPKCS1SHA256.Sign(key, msg); !bytes.Equal(again, sig) {
		t.Error("two signatures of the same message differ")
	}
}

// RSA keys outside the format's constraints neither sign nor verify, and
// say why (ErrConstraint): under 2048 or over 4096 bits, an exponent
// under 65537 or even.
func TestRSAConstraints(t *testing.T) {
	rsa1024, _ := rsa.GenerateKey(rand.Reader, 1024)
	rsa2048, _ := rsa.GenerateKey(rand.Reader, 2048)
	msg := []byte("manifest.json")
	sig, _ := sigalg.RSAPKCS1SHA256.Sign(rsa2048, msg)
	withE := func(e int) *rsa.PublicKey { return &rsa.PublicKey{N: new(big.Int).Set(rsa2048.N), E: e} }
	big4097 := &rsa.PublicKey{N: new(big.Int).Lsh(big.NewInt(1), 4096), E: 65537}
	for name, pub := range map[string]*rsa.PublicKey{"1024 bits": &rsa1024.PublicKey, "4097 bits": big4097, "e=3": withE(3), "e=65538": withE(65538)} {
		if err := sigalg.RSAPKCS1SHA256.CheckKey(pub); !errors.Is(err, sigalg.ErrConstraint) {
			t.Errorf("%s: CheckKey = %v, want ErrConstraint", name, err)
		}
		if sigalg.RSAPKCS1SHA256.Verify(pub, msg, sig) {
			t.Errorf("%s: verified", name)
		}
	}
	if _, err := sigalg.RSAPKCS1SHA256.Sign(rsa1024, msg); !errors.Is(err, sigalg.ErrConstraint) {
		t.Errorf("RSA-1024 signed: %v", err)
	}
	if err := sigalg.RSAPKCS1SHA256.CheckKey(&rsa2048.PublicKey); err != nil {
		t.Errorf("RSA-2048: %v", err)
	}
}
