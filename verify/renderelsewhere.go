package verify

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"slices"

	"github.com/custody-toolkit/custody/internal/pdfread"
	"github.com/custody-toolkit/custody/manifest"
)

// RecordRendering names the record.pdf that Options.CompareRecord is to
// compare: the one of the bundle whose manifest.json has this SHA-256,
// read from its sealed container (Repacked false) or through
// manifest.OpenRepacked (true). Whoever compares elsewhere reads the same
// file again, the same way; it must refuse (an error) when what it read is
// not this, so that what is reported is always the comparison of the
// bundle verified here.
type RecordRendering struct {
	ManifestSHA256 string `json:"manifest_sha256"` // hex
	Repacked       bool   `json:"repacked"`
}

// RenderingOutcome is the outcome of comparing record.pdf with a fresh
// rendering: the rendering check's status, sub-indication and detail
// (which completes a sentence whose subject is record.pdf).
type RenderingOutcome struct {
	Status Status        `json:"status"`
	Sub    SubIndication `json:"sub_indication,omitempty"`
	Detail string        `json:"detail"`
}

// CompareRecordRendering compares the record.pdf of bundle b, whose parsed
// manifest is m, with a fresh rendering of b's content: the comparison of
// the rendering check, alone (for Options.CompareRecord, in a second
// WebAssembly instance). Whether b's content is the sealed one is what the
// other checks of Bundle establish; this says only whether record.pdf
// shows it.
func CompareRecordRendering(b *manifest.Bundle, m *manifest.Manifest, opts Options) (RenderingOutcome, error) {
	r := m.Rendering
	if r == nil {
		return RenderingOutcome{}, errors.New("the bundle holds no PDF rendering")
	}
	v := &bundleVerifier{opts: opts, b: b}
	c := v.compareRecord(m, r.Path)
	return RenderingOutcome{Status: c.status, Sub: c.sub, Detail: c.detail}, nil
}

// compareElsewhere has Options.CompareRecord compare record.pdf, when it
// is set and the container is one it can read again (not an extracted
// folder); ok is false when this package must compare it itself.
func (v *bundleVerifier) compareElsewhere() (c renderingComparison, ok bool) {
	if v.opts.CompareRecord == nil || v.repacked.how != "" && v.repacked.how != repackedZip {
		return c, false
	}
	out, err := v.opts.CompareRecord(RecordRendering{ManifestSHA256: v.rep.Manifest, Repacked: v.repacked.how == repackedZip})
	if err != nil || !knownStatus(out.Status) {
		return c, false
	}
	return renderingComparison{status: out.Status, sub: out.Sub, detail: out.Detail}, true
}

// knownStatus: an outcome from elsewhere (decoded from JSON) must be one
// of the statuses a comparison gives.
func knownStatus(s Status) bool {
	return s == Passed || s == Failed || s == Indeterminate
}

// PagesRendering names the comparison Options.ComparePDFPages is to make:
// the visible pages of the standalone PDF against a fresh rendering of the
// bundle it embeds, under the seal its verification established (what
// the pages print: the manifest's SHA-256 and its timestamps).
type PagesRendering struct {
	ManifestSHA256 string      `json:"manifest_sha256"`
	Timestamps     []Timestamp `json:"timestamps"`
}

// ComparePDFPages makes the rendering check of the standalone PDF r holds
// (pdf.rendering) alone, for Options.ComparePDFPages: it reads the PDF and
// its embedded bundle again as PDF does, and refuses (an error) a bundle
// whose manifest is not the one named.
func ComparePDFPages(r io.ReaderAt, size int64, which PagesRendering, opts Options) (Check, error) {
	f, err := pdfread.Open(r, size)
	if err != nil {
		return Check{}, err
	}
	embedded, err := extractBundle(f, r, false)
	if err != nil {
		return Check{}, err
	}
	defer embedded.close()
	b, err := manifest.OpenBundle(embedded, embedded.Size())
	if err != nil {
		return Check{}, err
	}
	data, err := b.ReadSmall(manifest.ManifestName, manifest.MaxManifestSize)
	if err != nil {
		return Check{}, err
	}
	if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != which.ManifestSHA256 {
		return Check{}, errors.New("the PDF embeds another bundle than the one verified")
	}
	m, err := manifest.Parse(data)
	if err != nil {
		return Check{}, err
	}
	rep := &Report{Manifest: which.ManifestSHA256, Timestamps: which.Timestamps, parsed: m}
	return checkPDFRendering(f, r, size, embedded, rep, opts), nil
}

// startPDFRendering starts the rendering check of a standalone PDF whose
// embedded bundle b verified as rep: with Options.ComparePDFPages,
// elsewhere at once (while the PDF's signature is checked here);
// otherwise, or if that fails, here when its outcome is asked for.
func startPDFRendering(f *pdfread.File, r io.ReaderAt, size int64, b *PDFBundle, rep *Report, opts Options) func() Check {
	here := func() Check { return checkPDFRendering(f, r, size, b, rep, opts) }
	if opts.ComparePDFPages == nil {
		return here
	}
	which := PagesRendering{ManifestSHA256: rep.Manifest, Timestamps: slices.Clone(rep.Timestamps)}
	type outcome struct {
		check Check
		err   error
	}
	done := make(chan outcome, 1)
	go func() {
		c, err := opts.ComparePDFPages(which)
		done <- outcome{c, err}
	}()
	return func() Check {
		out := <-done
		if out.err != nil || out.check.Name != CheckPDFRendering || !knownStatus(out.check.Status) {
			return here()
		}
		return out.check
	}
}
