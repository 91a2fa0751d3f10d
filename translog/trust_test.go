package translog

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"testing"
)

// TestParseTrusted: note verifier keys one a line, or a Sigstore trusted
// root whose Ed25519 log is named by its base URL's host (the origin
// Rekor v2 signs with); anything else is refused, naming the line.
func TestParseTrusted(t *testing.T) {
	pub, _, _ := ed25519.GenerateKey(rand.Reader)
	vkey, err := VerifierKey("log2025-1.rekor.sigstore.dev", pub)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := ParseTrusted([]byte("# the practice's log\n\n" + vkey + "\n"))
	if err != nil || len(keys) != 1 || keys[0].Name() != "log2025-1.rekor.sigstore.dev" {
		t.Fatalf("note keys: %v %v", keys, err)
	}
	der, _ := x509.MarshalPKIXPublicKey(pub)
	root := fmt.Sprintf(`{"mediaType":"application/vnd.dev.sigstore.trustedroot+json;version=0.1","tlogs":[{"baseUrl":"https://log2025-1.rekor.sigstore.dev","hashAlgorithm":"SHA2_256","publicKey":{"rawBytes":%q,"keyDetails":"PKIX_ED25519"}}]}`,
		base64.StdEncoding.EncodeToString(der))
	fromRoot, err := ParseTrusted([]byte(root))
	if err != nil || len(fromRoot) != 1 || fromRoot[0].Name() != keys[0].Name() || fromRoot[0].KeyHash() != keys[0].KeyHash() {
		t.Fatalf("trusted root: %v %v", fromRoot, err)
	}
	for _, bad := range []string{"", "not a key\n", `{"tlogs":[]}`} {
		if _, err := ParseTrusted([]byte(bad)); err == nil {
			t.Errorf("%q: accepted", bad)
		}
	}
}
