package tsa

import (
	"crypto/sha256"
	"encoding/asn1"
	"github.com/custody-toolkit/custody/tsa/internal/tsatest"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/custody-toolkit/custody/tsa/internal/rfc3161"
)

// corpus returns the directory of real TSA requests and responses
// (../shared/corpus/tsa from the module root, see SOURCES.tsv there).
func corpus(t *testing.T) string {
	dir := filepath.Join("..", "..", "shared", "corpus", "tsa")
	if _, err := os.Stat(dir); err != nil {
		t.Skip("no corpus:", err)
	}
	return dir
}

// The client's checks on answers from real public TSAs (GlobalSign 2017,
// Sigstore staging): one that matches is accepted as is, the others are
// refused for the documented reason.
func TestCheckRealTSAResponses(t *testing.T) {
	dir := corpus(t)
	load := func(name string) []byte { return tsatest.ReadFile(t, filepath.Join(dir, name)) }
	nonceOf := func(name string) *big.Int {
		var q rfc3161.TimeStampReq
		if _, err := asn1.Unmarshal(load(name), &q); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return q.Nonce
	}
	data := sha256.Sum256(load("digitorus-data.txt"))
	nonce := nonceOf("digitorus-globalsign-adobe-2017-nonce.tsq")
	if nonce.Text(16) != "92ef19ffb5d2ae8" { // documented in SOURCES.tsv
		t.Fatalf("corpus request nonce %x", nonce)
	}
	if _, err := check(load("digitorus-globalsign-adobe-2017-nonce.tsr"), &Request{Digest: data, Nonce: nonce}); err != nil {
		t.Errorf("genuine GlobalSign answer refused: %v", err)
	}
	cases := []struct {
		name string
		resp string
		req  *Request
		want string
	}{
		{"other data", "digitorus-globalsign-adobe-2017-nonce.tsr", &Request{Digest: sha256.Sum256(nil), Nonce: nonce}, "imprint"},
		{"other nonce", "digitorus-globalsign-adobe-2017-nonce.tsr", &Request{Digest: data, Nonce: big.NewInt(1)}, "nonce 0x92ef19ffb5d2ae8 differs from the request's"},
		{"no nonce", "digitorus-globalsign-adobe-2017-nononce.tsr", &Request{Digest: data, Nonce: nonce}, "the token has no nonce"},
		{"no certificate", "digitorus-globalsign-adobe-2017-nocert.tsr",
			&Request{Digest: data, Nonce: nonceOf("digitorus-globalsign-adobe-2017-nocert.tsq")}, "no certificate"},
		{"bad signature", "sigstage-hello-BADSIG.tsr", &Request{Digest: sha256.Sum256([]byte("hello")), Nonce: nonce}, "invalid token"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := check(load(c.resp), c.req)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("check: %v, want an error with %q", err, c.want)
			}
		})
	}
}
