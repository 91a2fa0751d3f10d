package verify_test

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"strings"
	"testing"
	"time"

	"github.com/custody-toolkit/custody/conversation"
	"github.com/custody-toolkit/custody/custody"
	"github.com/custody-toolkit/custody/internal/testbundle"
	"github.com/custody-toolkit/custody/manifest"
	"github.com/custody-toolkit/custody/verify"
)

// What this verifier cannot check is INDETERMINATE, never FAILED: a later
// format version, and with it a signature algorithm or key this verifier
// does not implement. A manifest whose signature proves it altered stays
// FAILED whatever it claims to be, and within formats v1 and v2, which
// define their signers, another signer is FAILED.
func TestCannotCheckIsIndeterminate(t *testing.T) {
	t.Parallel()
	fx := testbundle.New(t, "ed25519")
	entries := testbundle.ReadEntries(t, fx.Export(t, testbundle.Sample(), custody.Selection{}))
	resign := func(e []testbundle.Entry) {
		sig, err := fx.Key.Sign(rand.Reader, e[testbundle.Find(e, manifest.ManifestName)].Data, crypto.Hash(0))
		if err != nil {
			t.Fatal(err)
		}
		e[testbundle.Find(e, manifest.SignatureName)].Data = sig
	}
	edit := func(f func(e []testbundle.Entry)) []byte {
		e := make([]testbundle.Entry, len(entries))
		for i, x := range entries {
			e[i] = testbundle.Entry{Name: x.Name, Data: bytes.Clone(x.Data)}
		}
		f(e)
		return testbundle.WriteEntries(t, e)
	}
	replaceManifest := func(e []testbundle.Entry, old, new string) {
		i := testbundle.Find(e, manifest.ManifestName)
		if !bytes.Contains(e[i].Data, []byte(old)) {
			t.Fatalf("manifest lacks %s", old)
		}
		e[i].Data = bytes.Replace(e[i].Data, []byte(old), []byte(new), 1)
	}
	p521, err := ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	p521DER, _ := x509.MarshalPKIXPublicKey(p521.Public())
	p521FP, _ := manifest.Fingerprint(p521.Public())
	fp, _ := manifest.Fingerprint(fx.PublicKey)
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	p384DER, _ := x509.MarshalPKIXPublicKey(p384.Public())
	p384FP, _ := manifest.Fingerprint(p384.Public())

	for _, tc := range []struct {
		name   string
		bundle []byte
		result verify.Status
		check  string
		sub    verify.SubIndication
		detail string
	}{
		{"a later format, signed", edit(func(e []testbundle.Entry) {
			replaceManifest(e, `"format":"custody.bundle/v3"`, `"format":"custody.bundle/v9"`)
			resign(e)
		}), verify.Indeterminate, "manifest", verify.FormatNotImplemented, "its signature by key " + fp + " verifies"},
		{"a later format, not signed", edit(func(e []testbundle.Entry) {
			replaceManifest(e, `"format":"custody.bundle/v3"`, `"format":"custody.bundle/v9"`)
		}), verify.Failed, "manifest", verify.SigCryptoFailure, "its signature proves it altered"},
		// A later format may sign otherwise: what this verifier cannot
		// check is INDETERMINATE.
		{"a later format, an algorithm and key not implemented", edit(func(e []testbundle.Entry) {
			replaceManifest(e, `"format":"custody.bundle/v3"`, `"format":"custody.bundle/v9"`)
			replaceManifest(e, `"algorithm":"ed25519"`, `"algorithm":"ecdsa-p384-sha384"`)
			replaceManifest(e, fp, p384FP)
			e[testbundle.Find(e, manifest.SignerName)].Data = pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: p384DER})
		}), verify.Indeterminate, "manifest", verify.FormatNotImplemented, "unknown format"},
		{"a later format, a key not implemented", edit(func(e []testbundle.Entry) {
			replaceManifest(e, `"format":"custody.bundle/v3"`, `"format":"custody.bundle/v9"`)
			replaceManifest(e, fp, p521FP)
			e[testbundle.Find(e, manifest.SignerName)].Data = pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: p521DER})
		}), verify.Indeterminate, "manifest", verify.FormatNotImplemented, "unknown format"},
		// Each format defines its signers: another is not a later
		// version's, but a manifest no exporter of that format writes.
		{"format v2, an algorithm and key it does not define", edit(func(e []testbundle.Entry) {
			replaceManifest(e, `"algorithm":"ed25519"`, `"algorithm":"ecdsa-p384-sha384"`)
			replaceManifest(e, fp, p384FP)
			e[testbundle.Find(e, manifest.SignerName)].Data = pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: p384DER})
		}), verify.Failed, "signature", verify.FormatFailure, "does not define this signer"},
		// The key decides: an Ed25519 key makes Ed25519 signatures, so
		// another name is a contradiction, not an algorithm to skip.
		{"an algorithm name that does not fit the key", edit(func(e []testbundle.Entry) {
			replaceManifest(e, `"algorithm":"ed25519"`, `"algorithm":"ml-dsa-65"`)
		}), verify.Failed, "signature", verify.SigCryptoFailure, "does not fit the signer's"},
		{"format v2, a key it does not define, named by the manifest", edit(func(e []testbundle.Entry) {
			replaceManifest(e, fp, p521FP)
			e[testbundle.Find(e, manifest.SignerName)].Data = pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: p521DER})
		}), verify.Failed, "signature", verify.FormatFailure, "holds the sealing key"},
		{"a key not implemented, not the sealing key", edit(func(e []testbundle.Entry) {
			e[testbundle.Find(e, manifest.SignerName)].Data = pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: p521DER})
		}), verify.Failed, "signature", verify.UnexpectedSigner, "but the manifest was sealed for key " + fp},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := verify.Bundle(bytes.NewReader(tc.bundle), int64(len(tc.bundle)), verify.Options{Trust: fx.Roots})
			if err != nil {
				t.Fatal(err)
			}
			requireCheck(t, rep, tc.check, tc.result, tc.sub, tc.detail)
		})
	}
}

// requireCheck asserts that a crafted bundle's report holds check with
// that status, sub-indication (for a status other than PASSED) and words
// in its detail. The crafted bundles break more than the check under test
// (re-signing orphans the tokens): only that check's status is asserted,
// and that the whole is never PASSED.
func requireCheck(t *testing.T, rep *verify.Report, check string, status verify.Status, sub verify.SubIndication, detail string) {
	t.Helper()
	if rep.Result == verify.Passed {
		t.Fatalf("PASSED; checks %+v", rep.Checks)
	}
	for _, c := range rep.Checks {
		if c.Name == check && c.Status == status {
			if c.Status != verify.Passed && c.SubIndication() != sub || !strings.Contains(c.Detail, detail) {
				t.Errorf("check %s: %s %q, want %s and %q", c.Name, c.SubIndication(), c.Detail, sub, detail)
			}
			return
		}
	}
	t.Errorf("no %s check %s in %+v", status, check, rep.Checks)
}

// A trusted timestamp proves the sealed content existed at its time: a
// message dated later claims a future. A phone's clock may be wrong, so it
// is INDETERMINATE, never FAILED; within the clock skew it passes.
func TestMessageDatedAfterProvenTime(t *testing.T) {
	t.Parallel()
	fx := testbundle.New(t, "ed25519")
	for _, tc := range []struct {
		name  string
		ahead time.Duration
		want  verify.Status
	}{
		{"dated tomorrow", 24 * time.Hour, verify.Indeterminate},
		{"within the clock skew", 2 * time.Minute, verify.Passed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := testbundle.Synthetic(t, 4, func(c *conversation.Conversation) {
				c.Messages[3].Time = time.Now().Add(tc.ahead).UTC().Format(time.RFC3339)
			})
			rep, err := verify.BundleFile(fx.ExportOptions(t, in, custody.Options{}), verify.Options{Trust: fx.Roots})
			if err != nil {
				t.Fatal(err)
			}
			var c *verify.Check
			for i := range rep.Checks {
				if rep.Checks[i].Name == "message times" {
					c = &rep.Checks[i]
				}
			}
			if rep.Result != tc.want || c == nil || c.Status != tc.want {
				t.Fatalf("%s, check %+v; want %s", rep.Result, c, tc.want)
			}
			if tc.want == verify.Indeterminate && (!strings.Contains(c.Detail, `message "m4" is dated`) || c.SubIndication() != verify.TimestampOrderFailure) {
				t.Errorf("%+v", c)
			}
		})
	}
}
