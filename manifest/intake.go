package manifest

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Intake (docs/bundle-format.md §2.5) states why the conversation was
// exported: a free-text purpose, the legal basis for processing health data
// (a code of LegalBases) and, optionally, the consent record (a signed
// form, a PDF, a recording) sealed as a file under IntakeDir. It lives in
// the signed manifest, so the statement is as sealed as the messages; it
// is not patient content (a selective export keeps it whole, §10.4).
//
// Fields in RFC 8785 order of their names, as every manifest type's
// (Manifest).
type Intake struct {
	Consent    *Consent `json:"consent,omitempty"`
	LegalBasis string   `json:"legal_basis"`
	Purpose    string   `json:"purpose"`
}

// Consent is the sealed consent record: its entry and, as for an
// attachment, its digest and size, which must equal its files record.
type Consent struct {
	Path   string `json:"path"` // ConsentEntryName
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
}

// IntakeDir is the content folder of the intake statement's files.
const IntakeDir = "intake/"

// MaxPurpose bounds the purpose, in bytes: a sentence or two, not a
// document (a document is a consent record).
const MaxPurpose = 2000

// LegalBases is the vocabulary of legal bases an exporter writes: the GDPR
// art. 9(2) exceptions a practice relies on to process health data, and a
// court order. Their meaning, in words, is in internal/lang. A verifier
// checks a code's form only, not that it is one of these: a later
// exporter may add codes without changing the format, and a code this
// list lacks proves nothing altered (it is shown "not known").
var LegalBases = []string{"gdpr-9-2-a", "gdpr-9-2-f", "gdpr-9-2-h", "court-order"}

// KnownLegalBasis reports whether code is one of LegalBases.
func KnownLegalBasis(code string) bool { return slices.Contains(LegalBases, code) }

// ConsentEntryName is the consent record's entry: intake/consent and the
// short extension of its file's name, as for an attachment.
func ConsentEntryName(originalName string) string {
	return IntakeDir + "consent" + safeExtension(originalName)
}

// CheckPurpose: a non-empty line of at most MaxPurpose bytes, without
// control characters (a report prints it on one line).
func CheckPurpose(s string) error {
	switch {
	case strings.TrimSpace(s) == "":
		return fmt.Errorf("the purpose is empty")
	case len(s) > MaxPurpose:
		return fmt.Errorf("the purpose is %d bytes, at most %d", len(s), MaxPurpose)
	case !utf8.ValidString(s):
		return fmt.Errorf("the purpose is not valid UTF-8")
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		return fmt.Errorf("the purpose contains a control character (one line of text)")
	}
	return nil
}

// CheckLegalBasisForm: 1 to 64 characters a–z 0–9 and "-", starting with a
// letter or digit.
func CheckLegalBasisForm(code string) error {
	ok := code != "" && len(code) <= 64 && code[0] != '-'
	for _, c := range code {
		ok = ok && ('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-')
	}
	if !ok {
		return fmt.Errorf("legal basis %q is not a code (1 to 64 of a-z 0-9 -)", code)
	}
	return nil
}

// checkIntake holds the intake member to §2.5: a purpose, a legal basis
// code, and a consent record named intake/consent[.ext] that files lists
// with the same digest and size (both are in the signed manifest: a
// difference is a document no exporter signs).
func (m *Manifest) checkIntake() error {
	in := m.Intake
	if in == nil {
		return nil
	}
	if err := CheckPurpose(in.Purpose); err != nil {
		return fmt.Errorf("field intake.purpose: %w", err)
	}
	if err := CheckLegalBasisForm(in.LegalBasis); err != nil {
		return fmt.Errorf("field intake.legal_basis: %w", err)
	}
	c := in.Consent
	if c == nil {
		return nil
	}
	stem := IntakeDir + "consent"
	if !strings.HasPrefix(c.Path, stem) || !validExtension(c.Path[len(stem):]) {
		return fmt.Errorf("field intake.consent.path: %q is not named %s[.ext]", c.Path, stem)
	}
	if f, ok := m.FileByPath(c.Path); !ok || f.SHA256 != c.SHA256 || f.Size != c.Size {
		return fmt.Errorf("field intake.consent: %s is not a listed file with that sha256 and size", c.Path)
	}
	return nil
}
