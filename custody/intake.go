package custody

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/custody-toolkit/custody/manifest"
)

// Intake is why a conversation is exported (docs/bundle-format.md §2.5):
// a purpose in words, a legal basis from manifest.LegalBases and,
// optionally, a consent record (a signed form, a PDF, a recording) sealed
// as intake/consent[.ext]. A practice policy (policy.go) may require them.
type Intake struct {
	Purpose    string
	LegalBasis string
	// ConsentFile is the consent record's path on this machine; only its
	// extension travels into the bundle, never its name.
	ConsentFile string
}

// Check refuses what the manifest could not carry, before anything is
// written: an unknown legal basis is named with the list of known ones.
func (in *Intake) Check() error {
	if in == nil {
		return nil
	}
	if err := manifest.CheckPurpose(in.Purpose); err != nil {
		return fmt.Errorf("--purpose: %w", err)
	}
	if !manifest.KnownLegalBasis(in.LegalBasis) {
		return fmt.Errorf("--legal-basis %q is not one of %s (docs/bundle-format.md §2.5)",
			in.LegalBasis, strings.Join(manifest.LegalBases, ", "))
	}
	return nil
}

// writeIntake seals the consent record, streamed like an attachment, and
// states the intake in the manifest. The file itself is not followed if
// it is a link, as the conversation's files are not (the user chose its
// folder).
func writeIntake(zw *manifest.Writer, in *Intake, m *manifest.Manifest) error {
	if in == nil {
		return nil
	}
	m.Intake = &manifest.Intake{Purpose: in.Purpose, LegalBasis: in.LegalBasis}
	if in.ConsentFile == "" {
		return nil
	}
	name := manifest.ConsentEntryName(in.ConsentFile)
	f, err := addFile(zw, name, filepath.Dir(in.ConsentFile), filepath.Base(in.ConsentFile))
	if err != nil {
		return fmt.Errorf("--consent %s: %w", in.ConsentFile, err)
	}
	m.Intake.Consent = &manifest.Consent{Path: name, SHA256: f.SHA256, Size: f.Size}
	return nil
}
