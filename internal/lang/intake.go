package lang

import "fmt"

// IntakeWords word a bundle's intake statement (docs/bundle-format.md
// §2.5): why it was exported, on what legal basis, with what consent.
type IntakeWords struct {
	Purpose, LegalBasis, Consent string // the labels
	// Bases gives the meaning of each legal basis code of
	// manifest.LegalBases (a test holds the two lists together).
	Bases   map[string]string
	Unknown string // after a code this version does not know
	// Sealed words a consent record: "%s, %d bytes, SHA-256 %s" (entry,
	// size, digest); NoConsent, an intake without one.
	Sealed, NoConsent string
}

// Intake is a bundle's intake statement, as sealed: the manifest's
// intake member, with the consent record's entry, size and digest (empty
// when none was sealed).
type Intake struct {
	Purpose, LegalBasis        string
	ConsentPath, ConsentSHA256 string
	ConsentSize                int64
}

// Line is one labelled line of a report or a PDF page.
type Line struct{ Label, Text string }

// DescribeIntake gives the lines that show an intake statement, in this
// language, for every place a person reads a bundle (verify report, export
// summary, the PDF's pages): purpose, legal basis, consent. The purpose is
// the sealed text, unchanged: the caller escapes it as it escapes every
// string from a bundle.
func (t Terms) DescribeIntake(in Intake) []Line {
	w := t.IntakeWords
	consent := w.NoConsent
	if in.ConsentPath != "" {
		consent = fmt.Sprintf(w.Sealed, in.ConsentPath, in.ConsentSize, in.ConsentSHA256)
	}
	return []Line{
		{w.Purpose, in.Purpose},
		{w.LegalBasis, t.DescribeLegalBasis(in.LegalBasis)},
		{w.Consent, consent},
	}
}

// DescribeLegalBasis gives a legal basis code with its meaning:
// "gdpr-9-2-h (health care: GDPR art. 9(2)(h))"; a code this version
// does not know is shown as sealed, and said to be unknown.
func (t Terms) DescribeLegalBasis(code string) string {
	return fmt.Sprintf("%s (%s)", code, t.LegalBasisMeaning(code))
}

// LegalBasisMeaning is what a legal basis code means, or that this
// version does not know it.
func (t Terms) LegalBasisMeaning(code string) string {
	if meaning, ok := t.IntakeWords.Bases[code]; ok {
		return meaning
	}
	return t.IntakeWords.Unknown
}

var englishIntake = IntakeWords{
	Purpose: "purpose", LegalBasis: "legal basis", Consent: "consent",
	Bases: map[string]string{
		"gdpr-9-2-a":  "explicit consent of the patient: GDPR art. 9(2)(a)",
		"gdpr-9-2-f":  "establishment, exercise or defence of legal claims: GDPR art. 9(2)(f)",
		"gdpr-9-2-h":  "health care: medical diagnosis, treatment or management of care, GDPR art. 9(2)(h)",
		"court-order": "an order of a court",
	},
	Unknown: "a code this version of custody does not know",
	Sealed:  "%s, %d bytes, SHA-256 %s", NoConsent: "no consent record sealed",
}

var spanishIntake = IntakeWords{
	Purpose: "finalidad", LegalBasis: "base jurídica", Consent: "consentimiento",
	Bases: map[string]string{
		"gdpr-9-2-a":  "consentimiento explícito del paciente: RGPD art. 9.2.a",
		"gdpr-9-2-f":  "formulación, ejercicio o defensa de reclamaciones: RGPD art. 9.2.f",
		"gdpr-9-2-h":  "asistencia sanitaria: diagnóstico médico, tratamiento o gestión de la asistencia, RGPD art. 9.2.h",
		"court-order": "orden judicial",
	},
	Unknown: "un código que esta versión de custody no conoce",
	Sealed:  "%s, %d bytes, SHA-256 %s", NoConsent: "no se ha sellado ningún documento de consentimiento",
}
