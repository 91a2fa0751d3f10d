package keys

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"runtime"
	"strings"
	"testing"

	"github.com/sigstore/sigstore/pkg/cryptoutils"
)

// TestDecryptSigstoreKeyAsSigstore: the custody key file's body opens to
// the key sigstore's own reader gives, for each key type; a wrong
// passphrase gives the library's error, and parameters the library
// refuses are refused.
func TestDecryptSigstoreKeyAsSigstore(t *testing.T) {
	_, edKey, _ := ed25519.GenerateKey(rand.Reader)
	ecKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	pass := []byte("correct horse")
	for _, key := range []any{edKey, ecKey, rsaKey} {
		body, err := cryptoutils.MarshalPrivateKeyToEncryptedDER(key, cryptoutils.StaticPasswordFunc(pass))
		if err != nil {
			t.Fatal(err)
		}
		want, err := cryptoutils.UnmarshalPEMToPrivateKey(cryptoutils.PEMEncode(cryptoutils.EncryptedSigstorePrivateKeyPEMType, body), cryptoutils.StaticPasswordFunc(pass))
		if err != nil {
			t.Fatal(err)
		}
		got, err := decryptSigstoreKey(body, pass)
		if err != nil {
			t.Fatalf("%T: %v", key, err)
		}
		if !got.(interface{ Equal(crypto.PrivateKey) bool }).Equal(want) {
			t.Fatalf("%T: another key than sigstore's", key)
		}
		if _, err := decryptSigstoreKey(body, []byte("wrong")); err == nil || !isWrongPassphrase(string(cryptoutils.EncryptedSigstorePrivateKeyPEMType), err) {
			t.Fatalf("wrong passphrase: %v", err)
		}
	}
	body, _ := cryptoutils.MarshalPrivateKeyToEncryptedDER(edKey, cryptoutils.StaticPasswordFunc(pass))
	var envelope map[string]any
	if err := json.Unmarshal(body, &envelope); err != nil {
		t.Fatal(err)
	}
	envelope["kdf"].(map[string]any)["params"].(map[string]any)["N"] = 1 << 22
	tampered, _ := json.Marshal(envelope)
	if _, err := decryptSigstoreKey(tampered, pass); err == nil || !strings.Contains(err.Error(), "unsupported scrypt parameters") {
		t.Fatalf("N = 2^22: %v", err)
	}
}

// TestUnlockInHalfTheMemory: unlocking a key file keygen writes (scrypt
// N = 65536, r = 8: 64 MiB in x/crypto/scrypt) allocates about 32 MiB.
func TestUnlockInHalfTheMemory(t *testing.T) {
	_, edKey, _ := ed25519.GenerateKey(rand.Reader)
	pass := []byte("correct horse")
	body, err := cryptoutils.MarshalPrivateKeyToEncryptedDER(edKey, cryptoutils.StaticPasswordFunc(pass))
	if err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	if _, err := decryptSigstoreKey(body, pass); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	if got := after.TotalAlloc - before.TotalAlloc; got > 40<<20 {
		t.Fatalf("the unlock allocated %d MiB, want about 32", got>>20)
	}
}
