package verify

import (
	"bytes"
	"crypto/sha256"
	"hash"
	"slices"
	"strings"
	"sync"
	"testing"
)

// TestSignedDigestAhead: PDF asks for the SHA-256 of the bytes the PDF's
// signature covers before it verifies the embedded bundle (whose files it
// hashes after), and the signature's check takes that digest rather than
// hashing the signed bytes again: a genuine PDF's signature verifies, and
// one whose signed bytes were altered is FAILED for it, as before.
func TestSignedDigestAhead(t *testing.T) {
	t.Parallel()
	genuine := pdfFixture(t, "sealed-ecdsa.pdf")
	br := pdfByteRange(t, genuine)
	signedSize := br[1] + br[3]
	altered := bytes.Clone(genuine)
	altered[10] ^= 1 // the header: signed, not the bundle
	for _, c := range []struct {
		name   string
		data   []byte
		status Status
	}{{"genuine", genuine, Passed}, {"altered", altered, Failed}} {
		var mu sync.Mutex
		var asked []int64
		opts := pdfTrust(t)
		opts.SHA256 = func(size int64) hash.Hash {
			mu.Lock()
			defer mu.Unlock()
			asked = append(asked, size)
			return sha256.New()
		}
		rep, err := PDF(bytes.NewReader(c.data), int64(len(c.data)), opts)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		sig, ok := pdfCheck(rep.Checks, CheckPDFSignature)
		if !ok || sig.Status != c.status || c.status == Failed && !strings.Contains(sig.Detail, "signed bytes of the PDF were altered") {
			t.Errorf("%s: %s %+v, want %s", c.name, CheckPDFSignature, sig, c.status)
		}
		if len(asked) == 0 || asked[0] != signedSize || slices.Index(asked[1:], signedSize) >= 0 {
			t.Errorf("%s: SHA-256 asked for sizes %v; want the signed bytes' (%d) first, and once", c.name, asked, signedSize)
		}
	}
}
