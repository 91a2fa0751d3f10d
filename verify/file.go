package verify

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"unicode/utf8"

	"github.com/custody-toolkit/custody/internal/regfile"
	"github.com/custody-toolkit/custody/manifest"
)

// ErrNotCustody is returned (wrapped, with what the input seems to be) when
// the input is not a custody file at all: an image, a text, a ZIP or a PDF
// that carries no bundle. custody-verify exits 2 on it, with no verdict: a
// verdict is about evidence, and there is none. The rule that recognises a
// custody file is in docs/bundle-format.md §1.1.
var ErrNotCustody = manifest.ErrNotBundle

// File verifies what is at path: a .custody bundle, a standalone PDF that
// carries one (recognised by its %PDF- header, not by its name), or a
// folder into which a bundle was extracted (Dir). The error is non-nil
// only when the input cannot be read, or is not a custody file
// (ErrNotCustody).
func File(path string, opts Options) (*Report, error) {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return Dir(path, opts)
	}
	return verifyPath(path, opts, func(r io.ReaderAt, size int64, opts Options) (*Report, error) {
		if IsPDF(r) {
			return PDF(r, size, opts)
		}
		return Bundle(r, size, opts)
	})
}

// IsPDF tells a standalone PDF from a bundle as File does: by its %PDF-
// header, not by its name.
func IsPDF(r io.ReaderAt) bool {
	head := make([]byte, 5)
	n, _ := r.ReadAt(head, 0)
	return string(head[:n]) == "%PDF-"
}

// verifyPath opens the regular file at path, verifies it with check and
// names the file in the report and in any error.
func verifyPath(path string, opts Options, check func(io.ReaderAt, int64, Options) (*Report, error)) (*Report, error) {
	f, size, err := regfile.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rep, err := check(f, size, opts)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	rep.File = path
	return rep, nil
}

// Dir verifies the files of a bundle extracted into the folder at path
// (manifest.OpenDir): every content check as for a bundle; the container
// check is INDETERMINATE (CONTAINER_REPACKED), since a folder is not the
// sealed file (docs/bundle-format.md §1.1).
func Dir(path string, opts Options) (*Report, error) {
	root, err := os.OpenRoot(path)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	b, err := manifest.OpenDir(root)
	v := newBundleVerifier(opts)
	var cerr *manifest.ContainerError
	switch {
	case v.manifestTooLarge(err):
	case errors.As(err, &cerr):
		v.fail("container", "%s", cerr.Reason)
	case err != nil:
		return nil, fmt.Errorf("%s: %w", path, err)
	default:
		defer b.Close()
		v.b, v.repacked = b, repacking{how: extractedFolder, why: "a folder of extracted files, not the sealed ZIP"}
		v.run()
	}
	rep := v.finish()
	rep.File = path
	return rep, nil
}

// hasCustodyHeader: how every bundle starts (docs/bundle-format.md §1): a
// stored entry named mimetype whose content, our media type, is at byte 38.
func hasCustodyHeader(r io.ReaderAt) bool {
	head := make([]byte, 38+len(manifest.MediaType))
	if _, err := r.ReadAt(head, 0); err != nil {
		return false
	}
	return string(head[:4]) == "PK\x03\x04" && string(head[30:38]) == manifest.MimetypeName &&
		string(head[38:]) == manifest.MediaType
}

// notCustody is the ErrNotCustody of an input that is not a custody file,
// saying what it seems to be.
func notCustody(r io.ReaderAt, size int64) error {
	return fmt.Errorf("%w: %s", ErrNotCustody, describe(r, size))
}

// magics are the file signatures describe recognises, to name what was
// given instead of a custody file.
var magics = []struct{ prefix, what string }{
	{"PK\x03\x04", "a ZIP archive that cannot be read"},
	{"PK\x05\x06", "an empty ZIP archive"},
	{"%PDF-", "a PDF"},
	{"\xff\xd8\xff", "a JPEG image"},
	{"\x89PNG\r\n\x1a\n", "a PNG image"},
	{"GIF8", "a GIF image"},
	{"RIFF", "a RIFF file (WebP image, WAV audio or AVI video)"},
	{"OggS", "an Ogg file (audio or video)"},
	{"\x1f\x8b", "a gzip file"},
	{"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"},
	{"Rar!", "a RAR archive"},
	{"\x30\x82", "a DER file (a certificate or a timestamp token?)"},
	{"-----BEGIN", "a PEM file (a key or a certificate?)"},
}

// describe says what an input that is not a custody file seems to be.
func describe(r io.ReaderAt, size int64) string {
	if size == 0 {
		return "an empty file"
	}
	head := make([]byte, min(size, 512))
	n, _ := r.ReadAt(head, 0)
	head = head[:n]
	for _, m := range magics {
		if bytes.HasPrefix(head, []byte(m.prefix)) {
			return m.what
		}
	}
	if len(head) >= 12 && string(head[4:8]) == "ftyp" {
		return "an ISO media file (MP4 video, HEIC image, M4A audio)"
	}
	if looksLikeText(head, size) {
		return "a text file"
	}
	return "neither a ZIP archive nor a PDF"
}

// looksLikeText: valid UTF-8 (but for a character cut at the end of the
// sample) without NUL bytes.
func looksLikeText(head []byte, size int64) bool {
	if bytes.IndexByte(head, 0) >= 0 {
		return false
	}
	if int64(len(head)) < size {
		for i := 0; i < utf8.UTFMax && len(head) > 0 && !utf8.Valid(head); i++ {
			head = head[:len(head)-1]
		}
	}
	return utf8.Valid(head)
}

// repackedSummary is the plain statement a report on a file that is not
// the sealed container starts with (Report.Summary): whether the sealed
// content is intact, and why this is not the file that was sealed.
func repackedSummary(rep *Report, how string) string {
	if rep.Result != Failed {
		return "the sealed content is intact; " + how
	}
	for _, c := range rep.Checks {
		if c.Status != Failed {
			continue
		}
		if id := c.ID().ID; id == "signer" || id == CheckPDFSigner {
			return "the content was sealed by another key than the expected one; " + how
		}
		break
	}
	return "the content was altered: it does not match its seal; " + how
}

// repacking: how a verified file differs from the sealed container (for
// Report.Summary) and why (for the container check).
type repacking struct{ how, why string }

// The three ways a file can hold a bundle's files without being the
// sealed container (docs/bundle-format.md §1.1).
const (
	repackedZip     = "the container was repacked (this is not the file that was sealed)"
	extractedFolder = "verified from an extracted folder, not the sealed container"
	resavedPDFHow   = "the PDF was re-saved after signing (this is not the file that was sealed)"
)
