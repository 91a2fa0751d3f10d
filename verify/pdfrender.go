package verify

import (
	"bytes"
	"fmt"
	"io"

	"github.com/custody-toolkit/custody/manifest"
	"github.com/custody-toolkit/custody/pdf"
	"github.com/custody-toolkit/custody/record"
)

// CheckPDFRendering names the check that the standalone PDF shows exactly
// the embedded bundle.
const CheckPDFRendering = "pdf.rendering"

// StandaloneRendering renders the visible part of the standalone PDF for a
// verified bundle: its messages, the manifest digest and its timestamps.
// The exporter writes it; the verifier renders it again to compare.
func StandaloneRendering(w io.Writer, b *manifest.Bundle, rep *Report) error {
	content, err := record.FromBundle(b)
	if err != nil {
		return err
	}
	seal := &record.Seal{ManifestSHA256: rep.Manifest}
	for _, ts := range rep.Timestamps {
		seal.Timestamps = append(seal.Timestamps, pdf.Timestamp{Time: ts.Time, TSA: ts.TSA})
	}
	return record.Render(w, content, seal)
}

// checkPDFRendering: the signed PDF's first revision must be, byte for
// byte, the rendering of the embedded bundle; the signed update after it
// only adds the attachment and the signature.
func checkPDFRendering(r io.ReaderAt, size int64, embedded io.ReaderAt, embeddedSize int64, rep *Report) Check {
	c := Check{Name: CheckPDFRendering, Status: Failed}
	b, err := manifest.OpenBundle(embedded, embeddedSize)
	if err != nil {
		c.Detail = err.Error()
		return c
	}
	if m, err := manifest.Parse(b.ManifestBytes); err == nil && m.Rendering != nil && !record.Renders(m.Rendering.Renderer) {
		return Check{CheckPDFRendering, Info, fmt.Sprintf("rendered by %q, which this verifier does not have: the visible pages are not compared", m.Rendering.Renderer)}
	}
	var want bytes.Buffer
	if err := StandaloneRendering(&want, b, rep); err != nil {
		c.Detail = "cannot render the embedded bundle: " + err.Error()
		return c
	}
	if int64(want.Len()) > size {
		c.Detail = "the PDF is shorter than the rendering of its bundle"
		return c
	}
	got := make([]byte, want.Len())
	if _, err := r.ReadAt(got, 0); err != nil {
		c.Detail = err.Error()
		return c
	}
	if !bytes.Equal(got, want.Bytes()) {
		c.Detail = "the visible pages differ from a fresh rendering of the embedded bundle: the PDF does not show what was sealed"
		return c
	}
	return Check{CheckPDFRendering, Passed, fmt.Sprintf("the first %d bytes (the pages) are byte-identical to a fresh rendering of the embedded bundle", want.Len())}
}
