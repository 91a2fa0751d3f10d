package verify

import "testing"

// TestPDFSignerUnknownBundleSigner: when the embedded bundle's
// verification stopped before its signer, the PDF's signer is FAILED only
// if the bundle is (something was altered); a bundle this verifier cannot
// read (a later format's) leaves it INDETERMINATE, never FAILED.
func TestPDFSignerUnknownBundleSigner(t *testing.T) {
	sig := &PDFSignature{Fingerprint: "ab"}
	for bundle, want := range map[Status]Status{Failed: Failed, Indeterminate: Indeterminate} {
		checks := checkPDFSigner(sig, &Report{Result: bundle})
		if len(checks) != 1 || checks[0].Status != want {
			t.Errorf("bundle %s: %+v, want pdf.signer %s", bundle, checks, want)
		}
	}
}
