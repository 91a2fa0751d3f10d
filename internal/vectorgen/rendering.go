package main

import (
	"bytes"
	"compress/flate"
	"fmt"

	"github.com/custody-toolkit/custody/internal/pdfnorm/pdfnormtest"
	"github.com/custody-toolkit/custody/manifest"
	"github.com/custody-toolkit/custody/record"
)

// rerender renders record.pdf again from the bundle as it now is (the
// exporter rendered it with the random export id that export replaced),
// and seals the bundle again.
func (b *bundle) rerender() {
	data := b.zip()
	zb, err := manifest.OpenBundle(bytes.NewReader(data), int64(len(data)))
	must(err)
	content, err := record.FromBundle(zb)
	must(err)
	var pdf bytes.Buffer
	must(record.Render(&pdf, content, nil))
	b.set(manifest.RecordName, pdf.Bytes())
	m := b.manifest()
	b.recompute(m)
	b.reseal(m)
}

// rendering: record.pdf, the rendering sealed in the bundle (§7.1).
func (g *generator) rendering() {
	const rule = "bundle-format.md §7.1"
	with := g.p.export(g.dir("record"), exportOptions{record: true})
	with.rerender()
	g.bundleVector("valid/record", with, passed(rule, "a bundle sealing record.pdf, which re-renders byte for byte"))

	other := g.p.export(g.dir("record-other"), exportOptions{record: true, conv: editText(0, "Buenas tardes, doctora.")})
	other.rerender()
	g.entryVector("rendering/other-content", with, failed(rule, "record.pdf replaced by the rendering of another text, its digest sealed again: the sealed PDF does not show the sealed messages", "rendering", "RENDERING_MISMATCH"), func(b *bundle, m *manifest.Manifest) {
		b.set(manifest.RecordName, other.get(manifest.RecordName))
	})
	g.entryVector("rendering/not-a-rendering", with, failed(rule, "record.pdf replaced by a PDF no renderer writes, its digest sealed again: not in the renderer's layout", "rendering", "FORMAT_FAILURE"), func(b *bundle, m *manifest.Manifest) {
		b.set(manifest.RecordName, plainPDF)
	})
	g.recompressed(with)
	g.bundleVector("rendering/unknown-renderer", g.sealed(with, func(m *manifest.Manifest) { m.Rendering.Renderer = "custody-pdf/99" }),
		indeterminate(rule, "a renderer this verifier does not have: the file's digest is checked, what it shows is not", "rendering", "RENDERER_UNAVAILABLE").withSigner("signer.pub"))
	g.bundleVector("rendering/lang-in-v2", g.sealed(with, func(m *manifest.Manifest) { m.Rendering.Renderer, m.Rendering.Lang = "custody-pdf/4", "es" }),
		failed("bundle-format.md §8", "rendering.lang in a custody.bundle/v2 manifest: a member only v3 has", "manifest", "FORMAT_FAILURE").withSigner("signer.pub"))
	g.bundleVector("rendering/unknown-lang", g.sealed(with, func(m *manifest.Manifest) {
		m.Rendering.Renderer, m.Rendering.Lang, m.Format = "custody-pdf/4", "fr", manifest.FormatV3
	}),
		indeterminate(rule, "custody-pdf/4 in a language this verifier has no words for: it cannot render the pages again to compare", "rendering", "RENDERER_UNAVAILABLE").withSigner("signer.pub"))
}

// recompressed: record.pdf as another compressor writes it (PASSED after
// normalisation, §7.1), and as a forger would change it: a glyph changed
// and compressed again, an xref entry pointed at another object's bytes.
func (g *generator) recompressed(with *bundle) {
	const rule = "bundle-format.md §7.1"
	record := func(name string, e expectation, edit func(pdf []byte) []byte) {
		g.entryVector(name, with, e, func(b *bundle, m *manifest.Manifest) {
			b.set(manifest.RecordName, edit(bytes.Clone(b.get(manifest.RecordName))))
		})
	}
	recompress := func(edit func(int, []byte) []byte) func([]byte) []byte {
		return func(pdf []byte) []byte {
			out, err := pdfnormtest.Recompress(pdf, flate.BestSpeed, edit)
			must(err)
			return out
		}
	}
	record("valid/record-recompressed", passed(rule, "record.pdf with every stream deflated again at level 1, the xref rebuilt, its digest sealed again: another compressor's bytes, the same content after normalisation"), recompress(nil))
	record("rendering/recompressed-glyph-changed", failed(rule, "record.pdf with one glyph of its first text changed and every stream deflated again, its digest sealed again: what the PDF shows is not what was sealed", "rendering", "RENDERING_MISMATCH"), recompress(pdfnormtest.ChangeFirstGlyph()))
	record("rendering/xref-repointed", failed(rule, "record.pdf's xref entry for object 6 points at object 7's bytes, its digest sealed again: an object re-pointed, which no compressor explains", "rendering", "FORMAT_FAILURE"), func(pdf []byte) []byte {
		entry := xrefEntryAt(pdf, 6)
		copy(pdf[entry:], fmt.Sprintf("%010d", objectOffset(pdf, 7)))
		return pdf
	})
}

// xrefEntryAt is where the 20-byte entry of object n begins in the one
// classic xref subsection (from object 0) of a rendering.
func xrefEntryAt(pdf []byte, n int) int {
	table := bytes.LastIndex(pdf, []byte("\nxref\n0 "))
	if table < 0 {
		panic("vectorgen: no xref table")
	}
	first := table + bytes.IndexByte(pdf[table+len("\nxref\n0 "):], '\n') + len("\nxref\n0 ") + 1
	return first + 20*n
}
