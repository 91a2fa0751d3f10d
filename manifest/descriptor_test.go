package manifest

import (
	"archive/zip"
	"testing"
)

// TestDescriptorFormsByFormat: each format accepts the forms its writers
// produced, and only those (descriptor.go).
func TestDescriptorFormsByFormat(t *testing.T) {
	entry := func(name string, descriptor bool) *zip.File {
		f := &zip.File{FileHeader: zip.FileHeader{Name: name}}
		if descriptor {
			f.Flags = 0x8
		}
		return f
	}
	bundle := func(att1, att2, src, record bool) *Bundle {
		files := []*zip.File{entry(MimetypeName, false), entry(SourcesDir+"01.txt", src),
			entry(AttachmentsDir+"000001-01.jpg", att1), entry("messages/000001.json", false),
			entry(AttachmentsDir+"000002-01.pdf", att2), entry("messages/000002.json", false),
			entry(RecordName, record), entry(ManifestName, false)}
		return &Bundle{canonical: true, form: descriptorForm(files)}
	}
	cases := []struct {
		name               string
		b                  *Bundle
		v1, v2, v3, newest bool // accepted by format (v4 as v3)
	}{
		{"none", bundle(false, false, false, false), true, true, true, true},
		{"content, not record.pdf", bundle(true, true, true, false), false, true, false, true},
		{"all", bundle(true, true, true, true), false, true, true, true},
		{"one attachment", bundle(true, false, false, false), false, false, false, true},
		{"attachments, not the source", bundle(true, true, false, true), false, false, false, true},
		{"record.pdf only", bundle(false, false, false, true), false, false, false, true},
	}
	for _, tc := range cases {
		for format, want := range map[string]bool{FormatV1: tc.v1, FormatV2: tc.v2, FormatV3: tc.v3, FormatV4: tc.v3, "custody.bundle/v99": tc.newest} {
			if err := tc.b.CheckDescriptorForm(format); (err == nil) != want {
				t.Errorf("%s in %s: %v, want accepted %v", tc.name, format, err, want)
			}
		}
	}
	if err := (&Bundle{form: formMixed}).CheckDescriptorForm(FormatV2); err != nil {
		t.Errorf("a repacked container has no form to check: %v", err)
	}
}
