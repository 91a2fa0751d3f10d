package verify

import (
	"bytes"
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
	_, c, err := comparePDFPages(r, size, &which, opts)
	return c, err
}

// ComparePDFPagesAhead is ComparePDFPages before the embedded bundle is
// verified: it compares the pages under the PagesRendering that the
// bundle's verification would establish if it held (the SHA-256 of its
// manifest.json and the times that its timestamp tokens state, none of
// them checked here), and returns that PagesRendering with the check. The
// check stands for the verification's only if the PagesRendering the
// verification establishes prints as this one (PrintsAs): the web page's
// worker compares so while the page verifies the bundle, which is what
// establishes the seal that the pages print.
func ComparePDFPagesAhead(r io.ReaderAt, size int64, opts Options) (PagesRendering, Check, error) {
	return comparePDFPages(r, size, nil, opts)
}

// PrintsAs says whether p and q print the same on a standalone PDF's
// pages: the manifest's SHA-256 and each timestamp's time, TSA and TSA
// certificate, in order (what standaloneRendering passes to the
// renderer), so that the comparison under one is the comparison under the
// other.
func (p PagesRendering) PrintsAs(q PagesRendering) bool {
	return p.ManifestSHA256 == q.ManifestSHA256 && slices.EqualFunc(p.Timestamps, q.Timestamps, func(a, b Timestamp) bool {
		return a.Time.Equal(b.Time) && a.TSA == b.TSA && a.TSACertSHA256 == b.TSACertSHA256
	})
}

// comparePDFPages is ComparePDFPages under which, or, with which nil,
// ComparePDFPagesAhead.
func comparePDFPages(r io.ReaderAt, size int64, which *PagesRendering, opts Options) (PagesRendering, Check, error) {
	f, err := pdfread.Open(r, size)
	if err != nil {
		return PagesRendering{}, Check{}, err
	}
	embedded, err := extractBundle(f, r, false)
	if err != nil {
		return PagesRendering{}, Check{}, err
	}
	defer embedded.close()
	b, err := manifest.OpenBundle(embedded, embedded.Size())
	if err != nil {
		return PagesRendering{}, Check{}, err
	}
	defer b.Close()
	data, err := b.ReadSmall(manifest.ManifestName, manifest.MaxManifestSize)
	if err != nil {
		return PagesRendering{}, Check{}, err
	}
	sum := sha256.Sum256(data)
	switch {
	case which == nil:
		stamps, err := timestampsAhead(b)
		if err != nil {
			return PagesRendering{}, Check{}, err
		}
		which = &PagesRendering{ManifestSHA256: hex.EncodeToString(sum[:]), Timestamps: stamps}
	case hex.EncodeToString(sum[:]) != which.ManifestSHA256:
		return PagesRendering{}, Check{}, errors.New("the PDF embeds another bundle than the one verified")
	}
	m, err := manifest.Parse(data)
	if err != nil {
		return PagesRendering{}, Check{}, err
	}
	rep := &Report{Manifest: which.ManifestSHA256, Timestamps: which.Timestamps, parsed: m}
	return *which, checkPDFRendering(f, r, size, embedded, rep, opts), nil
}

// timestampsAhead reads the timestamps of b's tokens over its
// manifest.sig as checkTimestamps establishes them, without checking
// anything: a token that cannot be read is left out, as there.
func timestampsAhead(b *manifest.Bundle) ([]Timestamp, error) {
	sig, err := b.ReadSmall(manifest.SignatureName, manifest.MaxMetaEntrySize)
	if err != nil {
		return nil, err
	}
	var stamps []Timestamp
	for i := 0; b.Has(manifest.TokenEntryName(i)); i++ {
		name := manifest.TokenEntryName(i)
		der, err := b.ReadSmall(name, MaxTokenSize)
		if err != nil {
			return nil, err
		}
		res, err := VerifyToken(der, bytes.NewReader(sig), TokenOptions{Stored: true})
		if err != nil {
			continue
		}
		ts := res.Timestamp
		ts.File = name
		stamps = append(stamps, ts)
	}
	return stamps, nil
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
