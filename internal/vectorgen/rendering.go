package main

import (
	"bytes"

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
	g.bundleVector("rendering/unknown-renderer", g.sealed(with, func(m *manifest.Manifest) { m.Rendering.Renderer = "custody-pdf/99" }),
		indeterminate(rule, "a renderer this verifier does not have: the file's digest is checked, what it shows is not", "rendering", "RENDERER_UNAVAILABLE").withSigner("signer.pub"))
	g.bundleVector("rendering/lang-in-v2", g.sealed(with, func(m *manifest.Manifest) { m.Rendering.Renderer, m.Rendering.Lang = "custody-pdf/4", "es" }),
		failed("bundle-format.md §8", "rendering.lang in a custody.bundle/v2 manifest: a member only v3 has", "manifest", "FORMAT_FAILURE").withSigner("signer.pub"))
	g.bundleVector("rendering/unknown-lang", g.sealed(with, func(m *manifest.Manifest) {
		m.Rendering.Renderer, m.Rendering.Lang, m.Format = "custody-pdf/4", "fr", manifest.FormatV3
	}),
		indeterminate(rule, "custody-pdf/4 in a language this verifier has no words for: it cannot render the pages again to compare", "rendering", "RENDERER_UNAVAILABLE").withSigner("signer.pub"))
}
