package main

import (
	"strings"

	"github.com/custody-toolkit/custody/custody"
	"github.com/custody-toolkit/custody/manifest"
)

// consentRecord stands for the consent record an export seals: its bytes
// matter to no rule, only that they are sealed.
var consentRecord = []byte("%PDF-1.4\n% a signed consent form would be here\n")

const consentEntry = "intake/consent.pdf"

// intake: the intake statement of bundle-format.md §2.5, valid and broken
// one rule at a time.
func (g *generator) intake() {
	const rule = "bundle-format.md §2.5"
	stated := g.p.export(g.dir("intake"), exportOptions{intake: &custody.Intake{
		Purpose: "segunda opinión, Dr. Ruiz (Radiología)", LegalBasis: "gdpr-9-2-h", ConsentFile: "Consent Form.PDF"}})
	g.bundleVector("valid/intake", stated, passed(rule, "a purpose, a legal basis and a consent record sealed as intake/consent.pdf"))
	selective := g.p.export(g.dir("intake-selective"), exportOptions{selection: custody.Selection{Label: "urgente"},
		intake: &custody.Intake{Purpose: "claim", LegalBasis: "gdpr-9-2-f", ConsentFile: "consent.pdf"}})
	g.bundleVector("valid/intake-selective", selective, passed(rule+", §10.4", "a selective export keeps its intake and consent record: they are not patient content"))
	bare := g.p.export(g.dir("intake-no-consent"), exportOptions{intake: &custody.Intake{Purpose: "court case 12/2026", LegalBasis: "court-order"}})
	g.bundleVector("valid/intake-no-consent", bare, passed(rule, "a purpose and a legal basis, no consent record"))
	g.bundleVector("valid/intake-unknown-basis", g.sealed(stated, func(m *manifest.Manifest) { m.Intake.LegalBasis = "gdpr-6-1-c" }),
		passed(rule, "a legal basis code of the right form that this version does not list: shown as unknown, never a failure (a later exporter may add codes)"))

	broken := func(name, desc string, edit func(m *manifest.Manifest)) {
		g.bundleVector("intake/"+name, g.sealed(stated, edit), manifestFailed(rule, desc))
	}
	broken("purpose-empty", "intake.purpose written empty", func(m *manifest.Manifest) { m.Intake.Purpose = "" })
	broken("purpose-spaces", "intake.purpose only spaces", func(m *manifest.Manifest) { m.Intake.Purpose = "   " })
	broken("purpose-newline", "intake.purpose holds a line feed", func(m *manifest.Manifest) { m.Intake.Purpose = "second\nopinion" })
	broken("purpose-too-long", "intake.purpose longer than 2,000 bytes", func(m *manifest.Manifest) { m.Intake.Purpose = strings.Repeat("a", manifest.MaxPurpose+1) })
	broken("legal-basis-empty", "intake.legal_basis written empty", func(m *manifest.Manifest) { m.Intake.LegalBasis = "" })
	broken("legal-basis-form", "intake.legal_basis not a code (upper case, spaces, parentheses)", func(m *manifest.Manifest) { m.Intake.LegalBasis = "GDPR 9(2)(h)" })
	broken("consent-name", "intake.consent.path is not intake/consent[.ext]", func(m *manifest.Manifest) { m.Intake.Consent.Path = "intake/form.pdf" })
	broken("consent-digest", "intake.consent.sha256 differs from the file's files record", func(m *manifest.Manifest) {
		m.Intake.Consent.SHA256 = strings.Repeat("0", 64)
	})
	broken("consent-size", "intake.consent.size differs from the file's files record", func(m *manifest.Manifest) { m.Intake.Consent.Size++ })
	g.bundleVector("intake/missing-purpose", g.sealedRaw(stated, func(r []byte) []byte {
		return edited(r, func(o map[string]any) { delete(object(o, "intake"), "purpose") })
	}), manifestFailed(rule, "intake without its required member purpose"))

	altered := stated.clone()
	altered.set(consentEntry, append([]byte("X"), consentRecord[1:]...))
	g.bundleVector("intake/consent-altered", altered, failed(rule, "the consent record's bytes altered after sealing", "files", "HASH_FAILURE"))
	removed := stated.clone()
	removed.remove(consentEntry)
	g.bundleVector("intake/consent-removed", removed, failed(rule, "the consent record removed", "files", "HASH_FAILURE"))
	g.bundleVector("intake/consent-orphan", g.sealed(stated, func(m *manifest.Manifest) { m.Intake, m.Format = nil, manifest.FormatV2 }),
		failed(rule+", §2.4", "a file under intake/ that no intake names: it belongs to nothing", "messages", "HASH_FAILURE").withSigner("signer.pub"))
	g.bundleVector("intake/v2-with-intake", g.sealed(stated, func(m *manifest.Manifest) { m.Format = manifest.FormatV2 }),
		failed("bundle-format.md §8", "format custody.bundle/v2 carrying the intake member, which only v3 has", "manifest", "FORMAT_FAILURE").withSigner("signer.pub"))
	moved := stated.clone()
	e := moved.entries[moved.find(consentEntry)]
	moved.remove(consentEntry)
	moved.insertBefore(manifest.ManifestName, e)
	g.bundleVector("intake/consent-out-of-order", moved, indeterminate("bundle-format.md §1.5",
		"the consent record after the messages instead of before them: a repacked container, the content intact", "container.order", "CONTAINER_REPACKED"))
}
