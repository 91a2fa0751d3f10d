package manifest

import (
	"archive/zip"
	"fmt"
	"strings"
)

// The data-descriptor form of a bundle (docs/bundle-format.md §1, rule 4,
// "Descriptor forms").
//
// A streamed entry (Streamed) may be written with ZIP flag 0 (CRC-32 and
// sizes in its local header) or 8 (zeros there, a data descriptor after
// the data). The descriptor adds no free byte, but a free choice per entry
// would still be one unsealed bit per entry: the same sealed content in
// 2^n files, each PASSED. Writers never chose per entry; each wrote one
// form for the whole bundle, and which forms were written depends on the
// format:
//
//   - FormKnown, every entry flags 0: the v1 test vector, and the
//     conformance vectors of every format (internal/vectorgen, which
//     writes every entry with its CRC-32 and size known);
//   - FormContentStreamed, attachments, sources and the consent record 8,
//     record.pdf 0: the exporter from the canonical layout (2026-11-25)
//     until it streamed record.pdf (2026-12-03, commit 904cd81); it wrote
//     v2 only;
//   - FormStreamed, every streamed entry 8: the exporter since then, v2,
//     v3 and v4 (v3 was first written after 904cd81, v4 later still).
//
// v4 has no conformance vector yet; it accepts the known form as v3 does,
// so that a generator which knows every entry's size writes it.
//
// The exporter that wrote v1 wrote entry times, so no v1 bundle of it has
// the canonical layout: v1 has FormKnown only. Any other form (entries of
// one kind in both forms, record.pdf streamed while the attachments are
// not, a form the bundle's format never had) is a container no writer
// produced: a repack, INDETERMINATE, never PASSED (CheckDescriptorForm).
type DescriptorForm int

const (
	FormKnown DescriptorForm = iota
	FormContentStreamed
	FormStreamed
	formMixed // no writer's form: one entry's flag differs from its peers'
)

// formsOf lists the forms each format's writers produced.
var formsOf = map[string][]DescriptorForm{
	FormatV1: {FormKnown},
	FormatV2: {FormKnown, FormContentStreamed, FormStreamed},
	FormatV3: {FormKnown, FormStreamed},
	FormatV4: {FormKnown, FormStreamed},
	FormatV5: {FormKnown, FormStreamed},
}

func (f DescriptorForm) String() string {
	switch f {
	case FormKnown:
		return "no entry with a data descriptor"
	case FormContentStreamed:
		return "data descriptors on the attachments, sources and consent record, none on " + RecordName
	case FormStreamed:
		return "data descriptors on every streamed entry"
	}
	return "data descriptors on some entries of a kind and not on others"
}

// descriptorForm classifies the flags of a canonical container's entries
// (checkLocal has already held every other entry to flags 0).
func descriptorForm(files []*zip.File) DescriptorForm {
	var t formTally
	for _, f := range files {
		t.add(f.Name, f.Flags&0x8 != 0)
	}
	return t.form()
}

// formTally classifies the entries' flags as they are read, one entry at
// a time (the canonical reader holds no list of them).
type formTally struct {
	content           [2]bool // descriptor flags seen on attachments, sources and consent: without, with
	record, hasRecord bool
}

func (t *formTally) add(name string, descriptor bool) {
	switch {
	case name == RecordName:
		t.record, t.hasRecord = descriptor, true
	case Streamed(name) && descriptor:
		t.content[1] = true
	case Streamed(name):
		t.content[0] = true
	}
}

func (t *formTally) form() DescriptorForm {
	switch {
	case t.content[0] && t.content[1], t.record && t.content[0]:
		return formMixed
	case t.content[1] && t.hasRecord && !t.record:
		return FormContentStreamed
	case t.content[1] || t.record:
		return FormStreamed
	}
	return FormKnown
}

// CheckDescriptorForm checks that the bundle's data-descriptor form is one
// that a writer of format produced. Only OpenBundle's canonical container
// has a form; other containers are repacked already.
func (b *Bundle) CheckDescriptorForm(format string) error {
	if !b.canonical {
		return nil
	}
	allowed, known := formsOf[format]
	if !known {
		return nil // an unknown format is INDETERMINATE before this matters
	}
	for _, f := range allowed {
		if f == b.form {
			return nil
		}
	}
	names := make([]string, len(allowed))
	for i, f := range allowed {
		names[i] = f.String()
	}
	return fmt.Errorf("%s: no %s writer wrote that (bundle-format.md §1.4, descriptor forms: %s)", b.form, format, strings.Join(names, "; or "))
}
