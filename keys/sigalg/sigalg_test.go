package sigalg_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"testing"

	"github.com/custody-toolkit/custody/keys/sigalg"
)

// Each algorithm of the table signs what it verifies, only with its own
// key, and is found by its key and by its name.
func TestTable(t *testing.T) {
	_, ed, _ := ed25519.GenerateKey(rand.Reader)
	p256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	keys := map[*sigalg.Algorithm]crypto.Signer{sigalg.Ed25519: ed, sigalg.ECDSAP256SHA256: p256}
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
