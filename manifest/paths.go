package manifest

import (
	"errors"
	"fmt"
	"path"
	"strings"
	"unicode/utf8"
)

// Folders of the sealed content.
const (
	MessagesDir    = "messages/"
	AttachmentsDir = "attachments/"
	SourcesDir     = "sources/"
)

// MessageEntryName is the entry of the i-th message (0-based).
func MessageEntryName(i int) string {
	return fmt.Sprintf("%s%06d.json", MessagesDir, i+1)
}

// AttachmentEntryName is the entry of the j-th attachment (0-based) of the
// i-th message. Only a short, sanitised extension of the original name is
// kept: the name itself is recorded in the message entry.
func AttachmentEntryName(i, j int, originalName string) string {
	return fmt.Sprintf("%s%06d-%02d%s", AttachmentsDir, i+1, j+1, safeExtension(originalName))
}

// SourceEntryName is the entry of an original export file.
func SourceEntryName(i int, originalName string) string {
	return fmt.Sprintf("%s%02d%s", SourcesDir, i+1, safeExtension(originalName))
}

func safeExtension(name string) string {
	ext := strings.ToLower(path.Ext(name))
	if len(ext) < 2 || len(ext) > 9 {
		return ""
	}
	for _, c := range ext[1:] {
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9') {
			return ""
		}
	}
	return ext
}

// CheckEntryName rejects names that could trick an extractor or a reader:
// empty, absolute, with .. or . elements, backslashes, control characters,
// invalid UTF-8, trailing slash (directories), or over 255 bytes. Format v1
// allows only the characters A-Z a-z 0-9 . _ - and /, so that no two names
// can collide under Unicode normalisation; case folding is checked by the
// reader across the whole archive.
func CheckEntryName(name string) error {
	for _, r := range name {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || strings.ContainsRune("._-/", r)) {
			return fmt.Errorf("entry name %q: character %q is not allowed (A-Z a-z 0-9 . _ - /)", name, r)
		}
	}
	switch {
	case name == "":
		return errors.New("empty entry name")
	case len(name) > 255:
		return fmt.Errorf("entry name longer than 255 bytes: %.40q…", name)
	case !utf8.ValidString(name):
		return fmt.Errorf("entry name %q is not valid UTF-8", name)
	case strings.Contains(name, `\`):
		return fmt.Errorf("entry name %q contains a backslash", name)
	case strings.HasPrefix(name, "/") || (len(name) > 1 && name[1] == ':'):
		return fmt.Errorf("entry name %q is absolute", name)
	case strings.HasSuffix(name, "/"):
		return fmt.Errorf("entry %q is a directory", name)
	case path.Clean(name) != name || name == ".." || strings.HasPrefix(name, "../"):
		return fmt.Errorf("entry name %q is not a clean relative path", name)
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f {
			return fmt.Errorf("entry name %q contains a control character", name)
		}
	}
	return nil
}

// CheckContentPath checks a path of the manifest's files: a valid entry name
// inside one of the sealed content folders (or record.pdf).
func CheckContentPath(name string) error {
	if err := CheckEntryName(name); err != nil {
		return err
	}
	for _, dir := range []string{MessagesDir, AttachmentsDir, SourcesDir, IntakeDir} {
		if strings.HasPrefix(name, dir) && len(name) > len(dir) {
			return nil
		}
	}
	if name == RecordName {
		return nil
	}
	return fmt.Errorf("%q is not under %s, %s, %s or %s", name, MessagesDir, AttachmentsDir, SourcesDir, IntakeDir)
}

// RecordName is the PDF rendering of the bundle, when present.
const RecordName = "record.pdf"

// Streamed reports whether an entry may be written with a data descriptor
// (ZIP flag bit 3): the writer streams attachments, sources, the consent
// record and record.pdf
// into the bundle without knowing their CRC-32 and size in advance; every
// other entry is small and known before it is written, and has the one
// form without a descriptor (bundle-format.md §1, rule 4).
func Streamed(name string) bool {
	return name == RecordName || strings.HasPrefix(name, AttachmentsDir) || strings.HasPrefix(name, SourcesDir) ||
		strings.HasPrefix(name, IntakeDir)
}

// CheckAttachmentName checks that name is the entry of the j-th attachment
// record (0-based, missing ones counted) of the i-th message entry
// (0-based: its NNNNNN is i+1): attachments/NNNNNN-JJ, then either
// nothing or an extension of 1 to 8 characters a-z 0-9. The extension is
// not checked against anything: the exporter takes it from the source
// file's name, which a bundle does not carry.
func CheckAttachmentName(name string, i, j int) error {
	stem := fmt.Sprintf("%s%06d-%02d", AttachmentsDir, i+1, j+1)
	if !strings.HasPrefix(name, stem) || !validExtension(name[len(stem):]) {
		return fmt.Errorf("attachment %s of record %d is not named %s[.ext]", name, j+1, stem)
	}
	return nil
}

// CheckSourceName is CheckAttachmentName for the i-th source (0-based):
// sources/NN[.ext], numbered from 01.
func CheckSourceName(name string, i int) error {
	stem := fmt.Sprintf("%s%02d", SourcesDir, i+1)
	if !strings.HasPrefix(name, stem) || !validExtension(name[len(stem):]) {
		return fmt.Errorf("source %s is not named %s[.ext]", name, stem)
	}
	return nil
}

// validExtension: "" or what safeExtension returns.
func validExtension(ext string) bool { return ext == "" || safeExtension(ext) == ext }
