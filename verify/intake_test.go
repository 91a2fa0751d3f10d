package verify_test

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/custody-toolkit/custody/custody"
	"github.com/custody-toolkit/custody/internal/testbundle"
	"github.com/custody-toolkit/custody/manifest"
	"github.com/custody-toolkit/custody/verify"
)

// intakeBundle exports the sample with an intake statement and a consent
// record, and returns its entries.
func intakeBundle(t *testing.T, fx *testbundle.Fixture, sel custody.Selection) []testbundle.Entry {
	consent := filepath.Join(t.TempDir(), "Consent Form.PDF")
	if err := os.WriteFile(consent, []byte("%PDF-1.4 signed consent"), 0o600); err != nil {
		t.Fatal(err)
	}
	path := fx.ExportOptions(t, testbundle.Sample(), custody.Options{Selection: sel,
		Intake: &custody.Intake{Purpose: "second opinion", LegalBasis: "gdpr-9-2-h", ConsentFile: consent}})
	return testbundle.ReadEntries(t, path)
}

// The intake statement is sealed and reported, in a whole and in a
// selective export alike (it is not patient content).
func TestIntakeReported(t *testing.T) {
	t.Parallel()
	fx := testbundle.New(t, "ed25519")
	for _, sel := range []custody.Selection{{}, {Messages: "m2"}} {
		data := testbundle.WriteEntries(t, intakeBundle(t, fx, sel))
		rep, err := verify.Bundle(bytes.NewReader(data), int64(len(data)), verify.Options{Trust: fx.Roots})
		if err != nil {
			t.Fatal(err)
		}
		in := rep.Intake
		if rep.Result != verify.Passed || in == nil {
			t.Fatalf("%s, intake %+v; checks %+v", rep.Result, in, rep.Checks)
		}
		if in.Purpose != "second opinion" || in.LegalBasis != "gdpr-9-2-h" || !strings.HasPrefix(in.Meaning, "health care") ||
			in.Consent == nil || in.Consent.Path != "intake/consent.pdf" || in.Consent.Size != 23 {
			t.Errorf("selection %+v: intake %+v, consent %+v", sel, in, in.Consent)
		}
	}
}

// Every way of breaking the intake, and its verdict: the consent record is
// sealed like an attachment, the statement like every manifest member.
func TestIntakeTampered(t *testing.T) {
	t.Parallel()
	fx := testbundle.New(t, "ed25519")
	entries := intakeBundle(t, fx, custody.Selection{})
	edit := func(resign bool, f func(e []testbundle.Entry) []testbundle.Entry) []byte {
		e := make([]testbundle.Entry, len(entries))
		for i, x := range entries {
			e[i] = testbundle.Entry{Name: x.Name, Data: bytes.Clone(x.Data)}
		}
		e = f(e)
		if resign {
			sig, err := fx.Key.Sign(rand.Reader, e[testbundle.Find(e, manifest.ManifestName)].Data, crypto.Hash(0))
			if err != nil {
				t.Fatal(err)
			}
			e[testbundle.Find(e, manifest.SignatureName)].Data = sig
		}
		return testbundle.WriteEntries(t, e)
	}
	// setManifest re-encodes the manifest after change: what a forger
	// holding the key could sign (re-signing orphans the tokens: only the
	// check under test is asserted).
	setManifest := func(change func(m *manifest.Manifest)) func(e []testbundle.Entry) []testbundle.Entry {
		return func(e []testbundle.Entry) []testbundle.Entry {
			m := testbundle.Manifest(t, e)
			change(m)
			data, err := m.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			e[testbundle.Find(e, manifest.ManifestName)].Data = data
			return e
		}
	}
	consentAt := func(e []testbundle.Entry) int { return testbundle.Find(e, "intake/consent.pdf") }
	for _, tc := range []struct {
		name   string
		bundle []byte
		result verify.Status
		check  string
		sub    verify.SubIndication
		detail string
	}{
		{"consent record altered", edit(false, func(e []testbundle.Entry) []testbundle.Entry {
			e[consentAt(e)].Data[0] ^= 1
			return e
		}), verify.Failed, "files", verify.HashFailure, "intake/consent.pdf: SHA-256"},
		{"consent record removed", edit(false, func(e []testbundle.Entry) []testbundle.Entry {
			return append(e[:consentAt(e)], e[consentAt(e)+1:]...)
		}), verify.Failed, "files", verify.HashFailure, "intake/consent.pdf is listed in the manifest but missing"},
		{"purpose edited", edit(false, setManifest(func(m *manifest.Manifest) { m.Intake.Purpose = "research" })),
			verify.Failed, "signature", verify.SigCryptoFailure, ""},
		{"intake removed, consent kept", edit(true, setManifest(func(m *manifest.Manifest) { m.Intake = nil })),
			verify.Failed, "messages", verify.HashFailure, "intake/consent.pdf belongs to no message, source or consent record"},
		{"intake in a v2 manifest", edit(true, setManifest(func(m *manifest.Manifest) { m.Format = manifest.FormatV2 })),
			verify.Failed, "manifest", verify.FormatFailure, "format custody.bundle/v2 carries a member of custody.bundle/v3"},
		{"consent digest unlike its files record", edit(true, setManifest(func(m *manifest.Manifest) {
			m.Intake.Consent.SHA256 = strings.Repeat("0", 64)
		})), verify.Failed, "manifest", verify.FormatFailure, "intake.consent: intake/consent.pdf is not a listed file with that sha256 and size"},
		{"consent under another name", edit(true, setManifest(func(m *manifest.Manifest) { m.Intake.Consent.Path = "intake/form.pdf" })),
			verify.Failed, "manifest", verify.FormatFailure, `"intake/form.pdf" is not named intake/consent[.ext]`},
		{"purpose empty", edit(true, setManifest(func(m *manifest.Manifest) { m.Intake.Purpose = "" })),
			verify.Failed, "manifest", verify.FormatFailure, "intake.purpose: the purpose is empty"},
		{"legal basis not a code", edit(true, setManifest(func(m *manifest.Manifest) { m.Intake.LegalBasis = "GDPR 9(2)(h)" })),
			verify.Failed, "manifest", verify.FormatFailure, "intake.legal_basis"},
		// A code this verifier does not know proves nothing altered: a
		// later exporter may add one. It is shown, said to be unknown.
		{"legal basis unknown", edit(true, setManifest(func(m *manifest.Manifest) { m.Intake.LegalBasis = "gdpr-6-1-c" })),
			verify.Passed, "manifest", "", "custody.bundle/v3"},
		{"consent moved after the messages", edit(false, func(e []testbundle.Entry) []testbundle.Entry {
			c := e[consentAt(e)]
			e = append(e[:consentAt(e)], e[consentAt(e)+1:]...)
			at := testbundle.Find(e, manifest.RecordName)
			return append(e[:at], append([]testbundle.Entry{c}, e[at:]...)...)
		}), verify.Indeterminate, "container order", verify.ContainerRepacked, "expected intake/consent.pdf"},
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
