// Package tsatest is what the tests of the TSA client (tsa) and of the
// local authority (tsa/localtsa) share: time-stamp queries, including ones
// neither would send, a local authority with a fixed clock, and the
// openssl command line as an independent TSA and reader. Its helpers are
// called by their own names (tsatest.OpenSSL), never re-aliased.
package tsatest

import (
	"bytes"
	"crypto"
	"crypto/x509/pkix"
	"encoding/asn1"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/custody-toolkit/custody/tsa/internal/rfc3161"
	"github.com/custody-toolkit/custody/tsa/localtsa"
)

// MarshalReq is q in DER, failing t if it cannot be.
func MarshalReq(t testing.TB, q rfc3161.TimeStampReq) []byte {
	t.Helper()
	der, err := asn1.Marshal(q)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// Imprint is the MessageImprint of digest by alg.
func Imprint(alg asn1.ObjectIdentifier, digest []byte) rfc3161.MessageImprint {
	return rfc3161.MessageImprint{HashAlgorithm: pkix.AlgorithmIdentifier{Algorithm: alg, Parameters: asn1.NullRawValue}, HashedMessage: digest}
}

// OIDFor is the OID of h, including SHA-1 (which requests may name and
// the authority must refuse).
func OIDFor(h crypto.Hash) asn1.ObjectIdentifier {
	switch h {
	case crypto.SHA1:
		return asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}
	case crypto.SHA256:
		return asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	case crypto.SHA384:
		return asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 2}
	case crypto.SHA512:
		return asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 3}
	}
	panic("no OID for " + h.String())
}

// OpenSSL runs the openssl command line tool, skipping the test if it is
// missing, and returns its standard output; a non-zero exit fails the test.
func OpenSSL(t *testing.T, args ...string) string {
	t.Helper()
	out, err := RunOpenSSL(t, args...)
	if err != nil {
		t.Fatalf("openssl %v: %v\n%s", args, err, out)
	}
	return out
}

// RunOpenSSL is OpenSSL returning the error of a non-zero exit.
func RunOpenSSL(t *testing.T, args ...string) (string, error) {
	t.Helper()
	path, err := exec.LookPath("openssl")
	if err != nil {
		t.Skip("openssl not installed")
	}
	var out bytes.Buffer
	cmd := exec.Command(path, args...)
	cmd.Stdout, cmd.Stderr = &out, &out
	err = cmd.Run()
	return out.String(), err
}

// WriteFile writes data to path, failing t if it cannot, and returns path.
func WriteFile(t *testing.T, path string, data []byte) string {
	t.Helper()
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// ReadFile reads path, failing t if it cannot.
func ReadFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// NewAuthority creates a local authority in a temporary directory, with
// its clock fixed at now (zero: the real clock). localtsa's own tests are
// an external package (localtsa_test) so that they can use it too.
func NewAuthority(t testing.TB, now time.Time) (dir string, a *localtsa.Authority) {
	t.Helper()
	dir = filepath.Join(t.TempDir(), "tsa")
	if err := localtsa.Init(dir); err != nil {
		t.Fatal(err)
	}
	a, err := localtsa.LoadAuthority(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !now.IsZero() {
		a.Now = func() time.Time { return now }
	}
	return dir, a
}
