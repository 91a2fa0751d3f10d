// Package tsatest is what the tests of the TSA client (tsa) and of the
// local authority (tsa/localtsa) share: time-stamp queries, including ones
// neither would send, and the openssl command line as an independent TSA
// and reader.
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

// NewAuthority creates a local authority in a temporary directory with
// init and load: localtsa's Init and LoadAuthority, passed in because
// localtsa's own tests use this package, which therefore cannot import it.
func NewAuthority[A any](t testing.TB, init func(dir string) error, load func(dir string) (A, error)) (dir string, a A) {
	t.Helper()
	dir = filepath.Join(t.TempDir(), "tsa")
	if err := init(dir); err != nil {
		t.Fatal(err)
	}
	a, err := load(dir)
	if err != nil {
		t.Fatal(err)
	}
	return dir, a
}

// Clock is an authority's Now fixed at now; nil (the real clock) for the
// zero time.
func Clock(now time.Time) func() time.Time {
	if now.IsZero() {
		return nil
	}
	return func() time.Time { return now }
}
