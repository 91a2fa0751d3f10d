package manifest

import (
	"strings"
	"testing"
)

// TestV3Members: each member v3 adds makes the exporter write v3, and is
// refused in a v2 manifest, so that a verifier that predates v3 reads such
// a bundle as a format it does not know (INDETERMINATE), never as a v2
// manifest with an unknown member (FAILED).
func TestV3Members(t *testing.T) {
	for name, set := range map[string]func(m *Manifest){
		"intake":                     func(m *Manifest) { m.Intake = &Intake{Purpose: "p", LegalBasis: "gdpr-9-2-h"} },
		"rendering.lang":             func(m *Manifest) { m.Rendering = &Rendering{Lang: "es"} },
		"rendering.verifier_url":     func(m *Manifest) { m.Rendering = &Rendering{VerifierURL: "https://example.org"} },
		"signer.certificates_sha256": func(m *Manifest) { m.Signer.CertificatesSHA256 = strings.Repeat("0", 64) },
	} {
		m := &Manifest{}
		m.SetFormat()
		if m.Format != FormatV2 || m.checkV3Members() != nil {
			t.Fatalf("without v3 members: format %s", m.Format)
		}
		set(m)
		m.SetFormat()
		if m.Format != FormatV3 {
			t.Errorf("%s: format %s, want %s", name, m.Format, FormatV3)
		}
		m.Format = FormatV2
		if err := m.checkV3Members(); err == nil {
			t.Errorf("%s in a v2 manifest: accepted", name)
		}
	}
}

// TestV4Members: transparency_logs makes the exporter write v4 (with or
// without v3's members, which v4 keeps), is refused in v2 and v3, and
// names each log once by an http(s) URL.
func TestV4Members(t *testing.T) {
	m := &Manifest{TransparencyLogs: []string{"https://log.example"}}
	m.SetFormat()
	if m.Format != FormatV4 || m.checkV3Members() != nil {
		t.Fatalf("transparency_logs: format %s, %v", m.Format, m.checkV3Members())
	}
	m.Intake = &Intake{Purpose: "p", LegalBasis: "gdpr-9-2-h"}
	if m.SetFormat(); m.Format != FormatV4 || m.checkV3Members() != nil {
		t.Errorf("v3 member in v4: format %s, %v", m.Format, m.checkV3Members())
	}
	for _, f := range []string{FormatV2, FormatV3} {
		m.Format = f
		if m.checkV3Members() == nil {
			t.Errorf("transparency_logs in %s: accepted", f)
		}
	}
	m.Format = FormatV4
	for _, logs := range [][]string{{"ftp://log.example"}, {"https://a", "https://a"}, {"https://a b"}, {"log.example"}} {
		m.TransparencyLogs = logs
		if m.checkV3Members() == nil {
			t.Errorf("transparency_logs %q: accepted", logs)
		}
	}
}

// TestV5Signer: an RSA signer makes the exporter write v5 (whatever else
// the manifest carries, which v5 keeps), and is refused in v1 to v4, so
// that a verifier that predates RSA reads such a bundle as a format it
// does not know (INDETERMINATE), never as a known format whose signer it
// calls a contradiction (FAILED). The other signers stay where they were.
func TestV5Signer(t *testing.T) {
	m := &Manifest{Signer: Signer{Algorithm: "rsa-pkcs1-sha256"}}
	m.SetFormat()
	if m.Format != FormatV5 || m.checkV3Members() != nil {
		t.Fatalf("RSA signer: format %s, %v", m.Format, m.checkV3Members())
	}
	m.TransparencyLogs = []string{"https://log.example"}
	m.Intake = &Intake{Purpose: "p", LegalBasis: "gdpr-9-2-h"}
	if m.SetFormat(); m.Format != FormatV5 || m.checkV3Members() != nil {
		t.Errorf("v3 and v4 members with an RSA signer: format %s, %v", m.Format, m.checkV3Members())
	}
	m.TransparencyLogs, m.Intake = nil, nil
	for _, f := range []string{FormatV1, FormatV2, FormatV3, FormatV4} {
		m.Format = f
		if err := m.checkV3Members(); err == nil || !strings.Contains(err.Error(), "signer.algorithm") {
			t.Errorf("rsa-pkcs1-sha256 in %s: %v", f, err)
		}
	}
	for _, alg := range []string{"ed25519", "ecdsa-p256-sha256"} {
		m := &Manifest{Signer: Signer{Algorithm: alg}}
		if m.SetFormat(); m.Format != FormatV2 {
			t.Errorf("%s: format %s, want %s", alg, m.Format, FormatV2)
		}
	}
}
