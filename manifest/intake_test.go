package manifest

import (
	"strings"
	"testing"
)

func TestConsentEntryName(t *testing.T) {
	for name, want := range map[string]string{
		"Consent Form.PDF": "intake/consent.pdf", "/home/dr/consent": "intake/consent",
		"x.tar.gz": "intake/consent.gz", "../../etc/passwd": "intake/consent", "a.pdf ": "intake/consent",
	} {
		if got := ConsentEntryName(name); got != want {
			t.Errorf("%q: %s, want %s", name, got, want)
		}
	}
}

func TestIntakeRules(t *testing.T) {
	for code, ok := range map[string]bool{"gdpr-9-2-h": true, "court-order": true, "x": true, "gdpr-6-1-c": true,
		"": false, "-x": false, "GDPR": false, "a b": false, strings.Repeat("a", 65): false} {
		if err := CheckLegalBasisForm(code); (err == nil) != ok {
			t.Errorf("legal basis %q: %v", code, err)
		}
	}
	for purpose, ok := range map[string]bool{"second opinion": true, "segunda opinión": true,
		"": false, "  ": false, "a\nb": false, "a\u0085b": false, "\xff": false, strings.Repeat("a", MaxPurpose+1): false} {
		if err := CheckPurpose(purpose); (err == nil) != ok {
			t.Errorf("purpose %q: %v", purpose, err)
		}
	}
}
