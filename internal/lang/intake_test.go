package lang_test

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/custody-toolkit/custody/internal/lang"
	"github.com/custody-toolkit/custody/manifest"
)

// TestLegalBasesWorded: every code the exporter may seal has its meaning
// in every language, and no language words a code the format lacks.
func TestLegalBasesWorded(t *testing.T) {
	for _, code := range lang.Codes() {
		terms, _ := lang.Lookup(code)
		got := slices.Sorted(maps.Keys(terms.IntakeWords.Bases))
		if want := slices.Sorted(slices.Values(manifest.LegalBases)); !slices.Equal(got, want) {
			t.Errorf("%s: legal bases worded %v, the format's are %v", code, got, want)
		}
	}
}

func TestDescribeIntake(t *testing.T) {
	in := lang.Intake{Purpose: "second opinion", LegalBasis: "gdpr-9-2-h",
		ConsentPath: "intake/consent.pdf", ConsentSize: 12, ConsentSHA256: "ab12"}
	es, _ := lang.Lookup("es")
	lines := es.DescribeIntake(in)
	want := []lang.Line{
		{Label: "finalidad", Text: "second opinion"},
		{Label: "base jurídica", Text: "gdpr-9-2-h (asistencia sanitaria: diagnóstico médico, tratamiento o gestión de la asistencia, RGPD art. 9.2.h)"},
		{Label: "consentimiento", Text: "intake/consent.pdf, 12 bytes, SHA-256 ab12"},
	}
	if !slices.Equal(lines, want) {
		t.Errorf("got  %q\nwant %q", lines, want)
	}
	in.ConsentPath, in.LegalBasis = "", "gdpr-9-2-z"
	lines = lang.English.DescribeIntake(in)
	if !strings.Contains(lines[1].Text, "does not know") || lines[2].Text != "no consent record sealed" {
		t.Errorf("unknown code or no consent: %q", lines)
	}
}
