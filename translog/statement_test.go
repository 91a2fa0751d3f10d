package translog

import (
	"crypto/rand"
	"crypto/rsa"
	"strings"
	"testing"
)

// An RSA seal is stated as Rekor v2 names it, for the sizes it takes; a
// key of another size the format admits is refused with the reason.
func TestStatementRSA(t *testing.T) {
	for bits, want := range map[int]string{2048: "PKIX_RSA_PKCS1V15_2048_SHA256", 2560: ""} {
		key, err := rsa.GenerateKey(rand.Reader, bits)
		if err != nil {
			t.Fatal(err)
		}
		st, err := NewStatement([]byte("{}"), []byte("sig"), &key.PublicKey)
		switch {
		case want != "" && (err != nil || st.KeyDetails != want || st.HashAlgorithm != "SHA2_256" || string(st.Signature) != "sig"):
			t.Errorf("RSA-%d: %+v, %v; want %s over SHA-256 with manifest.sig", bits, st, err, want)
		case want == "" && (err == nil || !strings.Contains(err.Error(), "2560 bits")):
			t.Errorf("RSA-%d: %v, want a refusal naming the size", bits, err)
		}
	}
}
