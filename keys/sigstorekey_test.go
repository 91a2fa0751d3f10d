package keys

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"runtime"
	"strings"
	"testing"

	"github.com/sigstore/sigstore/pkg/cryptoutils"
)

// TestDecryptSigstoreKeyAsSigstore: the custody key file's body opens to
// the key sigstore's own reader gives, allocating about half of the 64 MiB
// x/crypto's scrypt takes for keygen's parameters (N = 65536, r = 8); a
// wrong passphrase gives the library's error, and parameters the library
// refuses are refused before any scrypt. (The key's type is the PKCS #8
// inside, which x509 parses as sigstore does: one type is enough.)
func TestDecryptSigstoreKeyAsSigstore(t *testing.T) {
	_, edKey, _ := ed25519.GenerateKey(rand.Reader)
	pass := []byte("correct horse")
	body, err := cryptoutils.MarshalPrivateKeyToEncryptedDER(edKey, cryptoutils.StaticPasswordFunc(pass))
	if err != nil {
		t.Fatal(err)
	}
	want, err := cryptoutils.UnmarshalPEMToPrivateKey(cryptoutils.PEMEncode(cryptoutils.EncryptedSigstorePrivateKeyPEMType, body), cryptoutils.StaticPasswordFunc(pass))
	if err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	got, err := decryptSigstoreKey(body, pass)
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if !got.(ed25519.PrivateKey).Equal(want) {
		t.Fatal("another key than sigstore's")
	}
	if allocated := after.TotalAlloc - before.TotalAlloc; allocated > 40<<20 {
		t.Errorf("the unlock allocated %d MiB, want about 32", allocated>>20)
	}
	if _, err := decryptSigstoreKey(body, []byte("wrong")); err == nil || !isWrongPassphrase(string(cryptoutils.EncryptedSigstorePrivateKeyPEMType), err) {
		t.Fatalf("wrong passphrase: %v", err)
	}
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
