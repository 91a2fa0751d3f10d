package verify

import (
	"bytes"
	"errors"
	"fmt"
	"hash"
	"io"

	"github.com/custody-toolkit/custody/internal/pdfnorm"
	"github.com/custody-toolkit/custody/internal/pdfread"
	"github.com/custody-toolkit/custody/manifest"
	"github.com/custody-toolkit/custody/pdf"
	"github.com/custody-toolkit/custody/record"
)

// StandaloneRendering renders the visible part of the standalone PDF for a
// verified bundle: its messages, the manifest digest and its timestamps.
// The exporter lays the same pages out (custody.WritePDF, with the
// seal read from the tokens); the verifier renders them again to compare.
// bundleName is the name the PDF gives the bundle it carries, which the
// pages print in the command that extracts it.
func StandaloneRendering(w io.Writer, b *manifest.Bundle, rep *Report, bundleName string) error {
	return StandaloneRenderingAs(w, b, rep, bundleName, "")
}

// StandaloneRenderingAs is StandaloneRendering laid out by renderer (one of
// record.Renderers, "" for the newest) for a bundle without record.pdf, as
// an exporter of its time did: the verifier tries each, and test vectors
// made by an earlier renderer stay as they were.
func StandaloneRenderingAs(w io.Writer, b *manifest.Bundle, rep *Report, bundleName, renderer string) error {
	return standaloneRendering(w, b, rep, bundleName, renderer, true, nil)
}

// standaloneRendering is StandaloneRenderingAs, or with compressed false
// the same pages uncompressed, with standIns (renderRecord).
func standaloneRendering(w io.Writer, b *manifest.Bundle, rep *Report, bundleName, renderer string, compressed bool, standIns pdf.ImageStandIns) error {
	c, err := content(b, rep.parsed)
	if err != nil {
		return err
	}
	seal := &record.Seal{ManifestSHA256: rep.Manifest, Renderer: renderer, BundleName: bundleName}
	for _, ts := range rep.Timestamps {
		seal.Timestamps = append(seal.Timestamps, pdf.Timestamp{Time: ts.Time, TSA: ts.TSA, CertSHA256: ts.TSACertSHA256})
	}
	return renderRecord(w, c, seal, compressed, standIns)
}

// renderRecord renders c as the exporter does (compressed), or with its
// streams left uncompressed: the same once every stream is inflated,
// which is all compareRendering compares, at a fraction of the cost; and
// with standIns, a PNG photo's data a stand-in for the normaliser
// (compareRendering).
func renderRecord(w io.Writer, c record.Content, seal *record.Seal, compressed bool, standIns pdf.ImageStandIns) error {
	if compressed {
		return record.Render(w, c, seal)
	}
	return record.RenderUncompressed(w, c, seal, standIns)
}

// content reads what a rendering shows from b, whose manifest m was
// parsed already (nil: parse it here).
func content(b *manifest.Bundle, m *manifest.Manifest) (record.Content, error) {
	if m == nil {
		return record.FromBundle(b)
	}
	return record.FromParsed(b, m)
}

// checkPDFRendering: the signed PDF's first revision must be the
// rendering of the embedded bundle once normalised (compareRendering); the signed update after it only adds the
// attachment and the signature.
func checkPDFRendering(f *pdfread.File, r io.ReaderAt, size int64, embedded *PDFBundle, rep *Report, opts Options) Check {
	b, err := manifest.OpenBundle(embedded, embedded.Size())
	var large *manifest.TooLargeError
	switch {
	case errors.As(err, &large): // a limit of this verifier: nothing proven altered
		return Check{Name: CheckPDFRendering, Status: Indeterminate, Sub: FormatNotImplemented, Detail: err.Error()}
	case err != nil:
		return Check{Name: CheckPDFRendering, Status: Failed, Detail: err.Error()}
	}
	m := rep.parsed // the embedded bundle's manifest, as its verification read it
	if m != nil && m.Rendering != nil && !record.Renders(m.Rendering.Renderer) {
		return Check{Name: CheckPDFRendering, Status: Indeterminate, Sub: RendererUnavailable, Detail: fmt.Sprintf("rendered by %q, which this verifier does not have: the visible pages cannot be compared with the bundle", m.Rendering.Renderer)}
	}
	cmp := compareStandalone(r, size, b, rep, embedded.Name, "", opts.NewSHA256)
	if m != nil && m.Rendering == nil && cmp.status == Failed {
		// No record.pdf names the renderer: the PDF may be an earlier
		// exporter's, laid out by an earlier renderer.
		for _, earlier := range record.Renderers[1:] {
			if c := compareStandalone(r, size, b, rep, embedded.Name, earlier, opts.NewSHA256); c.status == Passed {
				cmp = c
				cmp.detail += " (renderer " + earlier + ")"
				break
			}
		}
	}
	if cmp.status != Passed {
		return Check{Name: CheckPDFRendering, Status: cmp.status, Sub: cmp.sub, Detail: "the visible pages (the PDF's first revision): " + cmp.detail}
	}
	if err := checkUpdates(f, io.NewSectionReader(r, 0, cmp.revision), cmp.revision); err != nil {
		return Check{Name: CheckPDFRendering, Status: Failed, Sub: RenderingMismatch, Detail: "the pages are the rendering of the embedded bundle, but the signed update after them changes what is shown: " + err.Error()}
	}
	return Check{Name: CheckPDFRendering, Status: Passed, Detail: fmt.Sprintf("the first %d bytes (the pages): %s; "+
		"the updates after them only add the attachment and the signature", cmp.revision, cmp.detail)}
}

// compareStandalone compares the standalone PDF's first revision with a
// fresh rendering by renderer ("" for the one the bundle implies).
func compareStandalone(r io.ReaderAt, size int64, b *manifest.Bundle, rep *Report, bundleName, renderer string, newSHA256 func(int64) hash.Hash) renderingComparison {
	render := func(w io.Writer, compressed bool, standIns pdf.ImageStandIns) error {
		return standaloneRendering(w, b, rep, bundleName, renderer, compressed, standIns)
	}
	return compareRendering(io.NewSectionReader(r, 0, size), false, nil, render, newSHA256)
}

// renderingComparison is the outcome of compareRendering: a status, a
// detail that completes a sentence whose subject is the sealed rendering,
// and the length of the sealed PDF's first revision (when Passed).
type renderingComparison struct {
	status   Status
	sub      SubIndication
	detail   string
	revision int64
}

// compareRendering compares a sealed rendering (a PDF's first revision, or
// the whole of sealed when whole) with a fresh one written by render
// (compressed as the exporter does, or uncompressed). sealedDigest, when
// known, is the whole sealed PDF's SHA-256: it spares hashing it again.
// newSHA256 makes the SHA-256 hashes, told the size of what they hash
// (Options.NewSHA256: the web verifier's faster SHA-256).
//
// The bytes of a rendering depend on the compressor of the Go toolchain
// that made it (compress/flate, image/png's row filters), which changes
// between releases; what the PDF shows does not. So both sides are
// reduced by pdfnorm to a canonical form (streams decompressed, image rows
// un-predicted, the xref validated and left out) and must be identical in
// that form. The fresh side is rendered uncompressed, which has the same
// form: compressing it was nearly half the cost of rendering a short
// record (docs/performance.md, rendercheap). A sealed PDF that is not in our
// writer's layout fails: no compressor explains it. What this verifier
// cannot do (render, or read its own rendering) is indeterminate, unless
// the sealed bytes are those of its own rendering, compressed.
// Both sides are streamed; nothing is held whole.
func compareRendering(sealed *io.SectionReader, whole bool, sealedDigest []byte, render func(w io.Writer, compressed bool, standIns pdf.ImageStandIns) error, newSHA256 func(int64) hash.Hash) renderingComparison {
	fresh, memo, err := freshForm(render, newSHA256)
	var unreadable *ownLayoutError
	switch {
	case errors.As(err, &unreadable):
		return compareBytes(sealed, whole, sealedDigest, render, newSHA256, unreadable)
	case err != nil:
		return renderingComparison{status: Indeterminate, sub: RendererUnavailable, detail: "it cannot be compared: " + err.Error()}
	}
	normalise := pdfnorm.FirstRevisionWith
	if whole {
		normalise = pdfnorm.WholeWith
	}
	// A section reader: the normaliser reads again, to inflate, only a
	// stream the fresh rendering does not hold.
	got, err := normalise(io.NewSectionReader(sealed, 0, sealed.Size()), pdfnorm.Options{Limit: fresh.Size, NewSHA256: newSHA256, Memo: memo})
	var layout *pdfnorm.LayoutError
	switch {
	case errors.As(err, &layout):
		return renderingComparison{status: Failed, sub: FormatFailure, detail: "it is not in the layout of the renderer it names (" + layout.Error() + "): its difference from a fresh rendering of the sealed content is not one of compression"}
	case errors.Is(err, pdfnorm.ErrLimit) || err == nil && got.SHA256 != fresh.SHA256:
		return renderingComparison{status: Failed, sub: RenderingMismatch, detail: "it does not show the sealed content: decompressed, it differs from a fresh rendering of it"}
	case err != nil:
		return renderingComparison{status: Indeterminate, detail: "it cannot be read: " + err.Error()}
	}
	return renderingComparison{status: Passed, revision: got.Revision, detail: "it shows exactly the same content as a fresh rendering of the sealed content " +
		"(identical once every stream is decompressed and every image row un-predicted, whichever compressor made it)"}
}

// compareBytes is the comparison left when this verifier's normaliser
// cannot read its own rendering (a limit of pdfnorm's, say an image row
// longer than it holds): the sealed PDF passes if it is, byte for byte,
// the fresh rendering compressed as the exporter does; otherwise it cannot
// be compared.
func compareBytes(sealed *io.SectionReader, whole bool, sealedDigest []byte, render func(w io.Writer, compressed bool, standIns pdf.ImageStandIns) error, newSHA256 func(int64) hash.Hash, unreadable error) renderingComparison {
	digest, n, err := renderDigest(func(w io.Writer) error { return render(w, true, nil) }, newSHA256(sealed.Size()))
	if err != nil {
		return renderingComparison{status: Indeterminate, sub: RendererUnavailable, detail: "it cannot be compared: this verifier cannot render the sealed content again: " + err.Error()}
	}
	if sealedDigest == nil && n <= sealed.Size() && (!whole || n == sealed.Size()) {
		h := newSHA256(n)
		if _, err := io.Copy(h, io.NewSectionReader(sealed, 0, n)); err == nil {
			sealedDigest = h.Sum(nil)
		}
	}
	if !bytes.Equal(sealedDigest, digest) {
		return renderingComparison{status: Indeterminate, sub: RendererUnavailable, detail: "it differs from a fresh rendering and cannot be compared further: " + unreadable.Error()}
	}
	return renderingComparison{status: Passed, detail: "it is byte-identical to a fresh rendering of the sealed content", revision: n}
}

// renderDigest is the SHA-256 (by h) and length of a fresh rendering.
func renderDigest(render func(io.Writer) error, h hash.Hash) ([]byte, int64, error) {
	w := &countWriter{w: h}
	if err := render(w); err != nil {
		return nil, 0, err
	}
	return h.Sum(nil), w.n, nil
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// ownLayoutError: this verifier's normaliser does not read its own
// rendering.
type ownLayoutError struct{ err error }

func (e *ownLayoutError) Error() string {
	return "this verifier's own rendering is not in the layout its normaliser reads: " + e.err.Error()
}

func (e *ownLayoutError) Unwrap() error { return e.err }

// freshForm is the canonical form of a fresh rendering, and the memo of
// its large compressed streams for the sealed side's normalisation. The
// memo spares inflating again on the sealed side the compressed streams
// both sides hold as they are (a PNG photo's data); and its stand-ins
// spare the fresh side reading a PNG photo again, and normalising its
// data, once the renderer has checked its rows (pdf.ImageStandIns). If
// the normaliser does not read the rendering with stand-ins, it is made
// again without: they may change how the form is computed, never what it
// is, nor whether it can be.
func freshForm(render func(w io.Writer, compressed bool, standIns pdf.ImageStandIns) error, newSHA256 func(int64) hash.Hash) (pdfnorm.Form, *pdfnorm.Memo, error) {
	memo := pdfnorm.NewMemo()
	standIns := imageStandIns{memo: memo, newSHA256: newSHA256}
	fresh, err := normalisedRendering(func(w io.Writer) error { return render(w, false, standIns) }, newSHA256, memo)
	var unreadable *ownLayoutError
	if errors.As(err, &unreadable) && memo.StandIns() > 0 {
		memo = pdfnorm.NewMemo()
		fresh, err = normalisedRendering(func(w io.Writer) error { return render(w, false, nil) }, newSHA256, memo)
	}
	return fresh, memo, err
}

// imageStandIns makes the fresh rendering's stand-ins with a memo.
type imageStandIns struct {
	memo      *pdfnorm.Memo
	newSHA256 func(int64) hash.Hash
}

func (s imageStandIns) PNGImage(colors, bits, columns, rows int) pdf.ImageStandIn {
	if img := s.memo.Image(colors, bits, columns, rows, s.newSHA256); img != nil {
		return img
	}
	return nil // not a nil *pdfnorm.Image in an interface
}

// normalisedRendering is the canonical form of a fresh rendering, streamed
// from the renderer into the normaliser, which hashes large stored streams
// with newSHA256 and remembers its large compressed ones in memo.
func normalisedRendering(render func(io.Writer) error, newSHA256 func(int64) hash.Hash, memo *pdfnorm.Memo) (pdfnorm.Form, error) {
	pr, pw := io.Pipe()
	rendered := make(chan error, 1)
	go func() {
		err := render(pw)
		pw.CloseWithError(err)
		rendered <- err
	}()
	form, err := pdfnorm.WholeWith(pr, pdfnorm.Options{NewSHA256: newSHA256, Memo: memo})
	pr.CloseWithError(errNormaliserStopped) // unblocks the renderer on error
	if rerr := <-rendered; rerr != nil && !errors.Is(rerr, errNormaliserStopped) {
		return pdfnorm.Form{}, fmt.Errorf("this verifier cannot render the sealed content again: %w", rerr)
	}
	if err != nil {
		return pdfnorm.Form{}, &ownLayoutError{err}
	}
	return form, nil
}

var errNormaliserStopped = errors.New("normaliser stopped")
