package custody

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writePolicy(t *testing.T, text string) string {
	path := filepath.Join(t.TempDir(), "practice.json")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// A policy refuses an export naming its file and every rule broken.
func TestPolicyRefuses(t *testing.T) {
	t.Parallel()
	p, err := LoadPolicy(writePolicy(t, `{"require_purpose":true,"require_legal_basis":true,"require_consent":true,"allowed_legal_bases":["gdpr-9-2-h"]}`))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		in   *Intake
		want string // "" accepted
	}{
		{nil, "require_purpose: give --purpose; require_legal_basis: give --legal-basis; require_consent: give --consent FILE"},
		{&Intake{Purpose: "p", LegalBasis: "gdpr-9-2-h"}, "require_consent"},
		{&Intake{Purpose: "p", LegalBasis: "gdpr-9-2-a", ConsentFile: "c.pdf"}, `allowed_legal_bases: "gdpr-9-2-a" is not one of gdpr-9-2-h`},
		{&Intake{Purpose: "p", LegalBasis: "gdpr-9-2-h", ConsentFile: "c.pdf"}, ""},
	} {
		err := p.Check(tc.in)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%+v: %v", tc.in, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "practice.json")):
			t.Errorf("%+v: %v, want %q naming the file", tc.in, err, tc.want)
		}
	}
}

// A policy that cannot be applied as written is an error, never a rule
// silently skipped.
func TestPolicyStrict(t *testing.T) {
	t.Parallel()
	for text, want := range map[string]string{
		`{"require_consnet":true}`:                  "require_consnet",
		`{"allowed_legal_bases":["gdpr-6-1-a"]}`:    `"gdpr-6-1-a" is not one of`,
		`{"require_consent":"yes"}`:                 "require_consent",
		`{"require_consent":true} {"more":1}`:       "policy",
		`require_consent = true`:                    "policy",
		strings.Repeat(" ", maxPolicySize+1) + `{}`: "larger than",
	} {
		if _, err := LoadPolicy(writePolicy(t, text)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%.40q: %v, want %q", text, err, want)
		}
	}
}
