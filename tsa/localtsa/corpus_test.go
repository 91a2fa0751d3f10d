package localtsa_test

import (
	"github.com/custody-toolkit/custody/tsa/internal/tsatest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/digitorus/timestamp"
)

// Respond grants the requests that openssl and rfc3161-client made for real
// TSAs, nonce copied and certificates as asked.
func TestRespondRealRequests(t *testing.T) {
	dir := corpus(t)
	_, a := tsatest.NewAuthority(t, time.Time{})
	for _, name := range []string{"digitorus-globalsign-adobe-2017-nonce.tsq", "digitorus-globalsign-adobe-2017-nononce.tsq",
		"digitorus-globalsign-adobe-2017-nocert.tsq", "sigstage-request.tsq"} {
		t.Run(name, func(t *testing.T) {
			req := tsatest.ReadFile(t, filepath.Join(dir, name))
			q, err := timestamp.ParseRequest(req)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := a.Respond(req)
			if err != nil {
				t.Fatal(err)
			}
			ts, err := timestamp.ParseResponse(resp)
			if err != nil {
				t.Fatal(err)
			}
			if (q.Nonce == nil) != (ts.Nonce == nil) || (q.Nonce != nil && q.Nonce.Cmp(ts.Nonce) != 0) {
				t.Errorf("nonce %v, request %v", ts.Nonce, q.Nonce)
			}
			if ts.HashAlgorithm != q.HashAlgorithm || string(ts.HashedMessage) != string(q.HashedMessage) {
				t.Errorf("imprint %v %x, request %v %x", ts.HashAlgorithm, ts.HashedMessage, q.HashAlgorithm, q.HashedMessage)
			}
			if (len(ts.Certificates) > 0) != q.Certificates {
				t.Errorf("certReq %v, %d certificates", q.Certificates, len(ts.Certificates))
			}
		})
	}
}

// corpus returns the directory of real TSA requests and responses
// (../shared/corpus/tsa from the module root, see SOURCES.tsv there).
func corpus(t *testing.T) string {
	dir := filepath.Join("..", "..", "..", "shared", "corpus", "tsa")
	if _, err := os.Stat(dir); err != nil {
		t.Skip("no corpus:", err)
	}
	return dir
}
