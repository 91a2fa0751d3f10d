package main

import (
	"crypto/x509"
	"path/filepath"
	"strings"
	"testing"

	"github.com/custody-toolkit/custody/verify"
)

// TestRenewedVectorsProveEvidence: the valid renewal vectors do more than
// pass — the evidence check counts their archive timestamps, as of the
// newest proof rather than today (the expectation format names no check
// for a PASSED vector, so this test holds what their descriptions say).
func TestRenewedVectorsProveEvidence(t *testing.T) {
	dir := filepath.Join("..", "..", "testdata", "vectors", "conformance")
	p := newPKI()
	for name, want := range map[string]string{
		"renewed-once":     "as of the newest proof (2027-12-01T10:00:00Z): existed before 2026-12-01, renewed 2027-12-01",
		"renewed-twice":    "as of the newest proof (2028-12-01T10:00:00Z): existed before 2026-12-01, renewed 2027-12-01 and 2028-12-01",
		"renewed-with-crl": "renewed 2027-12-01",
	} {
		rep, err := verify.BundleFile(filepath.Join(dir, "valid", name+".custody"), verify.Options{Trust: []*x509.Certificate{p.root.cert}})
		if err != nil {
			t.Fatal(err)
		}
		c := evidenceOf(rep)
		if rep.Result != verify.Passed || c.Status != verify.Passed || !strings.Contains(c.Detail, want) {
			t.Errorf("%s: %s, evidence %s %q; want PASSED, evidence PASSED saying %q", name, rep.Result, c.Status, c.Detail, want)
		}
	}
}

func evidenceOf(rep *verify.Report) verify.Check {
	for _, c := range rep.Checks {
		if c.Name == verify.CheckEvidence {
			return c
		}
	}
	return verify.Check{}
}
