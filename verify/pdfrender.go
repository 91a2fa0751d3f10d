package verify

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"

	"github.com/custody-toolkit/custody/manifest"
	"github.com/custody-toolkit/custody/pdf"
	"github.com/custody-toolkit/custody/record"
	"github.com/custody-toolkit/custody/verify/internal/pdfread"
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
func checkPDFRendering(f *pdfread.File, r io.ReaderAt, size int64, embedded io.ReaderAt, embeddedSize int64, rep *Report) Check {
	c := Check{Name: CheckPDFRendering, Status: Failed}
	b, err := manifest.OpenBundle(embedded, embeddedSize)
	if err != nil {
		c.Detail = err.Error()
		return c
	}
	if m, err := manifest.Parse(b.ManifestBytes); err == nil && m.Rendering != nil && !record.Renders(m.Rendering.Renderer) {
		return Check{Name: CheckPDFRendering, Status: Info, Detail: fmt.Sprintf("rendered by %q, which this verifier does not have: the visible pages are not compared", m.Rendering.Renderer)}
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
	if err := checkUpdates(f, want.Bytes()); err != nil {
		c.Detail = "the pages are the rendering of the embedded bundle, but the signed update after them changes what is shown: " + err.Error()
		return c
	}
	return Check{Name: CheckPDFRendering, Status: Passed, Detail: fmt.Sprintf("the first %d bytes (the pages) are byte-identical to a fresh rendering of the embedded bundle, "+
		"and the updates after them only add the attachment and the signature", want.Len())}
}

// updateCatalogKeys are what the updates of a sealed export add to the
// catalog: the attachment (/Names, /AF, /PageMode) and the signature
// field (/AcroForm).
var updateCatalogKeys = map[pdfread.Name]bool{"Names": true, "AF": true, "PageMode": true, "AcroForm": true}

// checkUpdates: the bytes after the rendering are incremental updates,
// signed with the rest, that could redefine a page, its content or a font,
// or point the catalog at other pages: the PDF would then show something
// else than the rendering it starts with, under a valid signature by the
// sealing key. They may define new objects and a new catalog only, and the
// catalog must keep the rendering's entries (its page tree) and add
// nothing but the attachment and the signature field. whole is the PDF as
// opened for the other checks.
func checkUpdates(whole *pdfread.File, rendering []byte) error {
	first, err := pdfread.Open(bytes.NewReader(rendering), int64(len(rendering)))
	if err != nil {
		return fmt.Errorf("the rendering's structure: %w", err)
	}
	oldRoot, _ := first.Trailer["Root"].(pdfread.Ref)
	oldSize, ok := first.Trailer["Size"].(int64)
	if !ok {
		return errors.New("the rendering's trailer has no /Size")
	}
	for _, num := range whole.DefinedFrom(int64(len(rendering))) {
		if int64(num) < oldSize && num != oldRoot.Num {
			return fmt.Errorf("object %d of the rendering is redefined", num)
		}
	}
	oldCat, err := first.Dict(oldRoot, "the rendering's catalog")
	if err != nil {
		return err
	}
	cat, err := whole.Dict(whole.Trailer["Root"], "catalog (trailer /Root)")
	if err != nil {
		return err
	}
	for k, v := range cat {
		if old, had := oldCat[k]; had && !reflect.DeepEqual(old, v) || !had && !updateCatalogKeys[k] {
			return fmt.Errorf("the catalog's /%s is not the rendering's", k)
		}
	}
	for k := range oldCat {
		if _, kept := cat[k]; !kept {
			return fmt.Errorf("the catalog lost the rendering's /%s", k)
		}
	}
	// What the added entries may hold: a /JavaScript name tree would run
	// on opening, an XFA form would replace the pages in some readers.
	for k, allowed := range addedEntryKeys {
		if _, had := oldCat[k]; had {
			continue
		}
		v, ok := cat[k]
		if !ok {
			continue
		}
		d, err := whole.Dict(v, "catalog /"+string(k))
		if err != nil {
			return err
		}
		for key := range d {
			if !allowed[key] {
				return fmt.Errorf("the catalog's /%s holds /%s", k, key)
			}
		}
	}
	return nil
}

// addedEntryKeys are the keys the dictionaries a sealed export adds to the
// catalog may have.
var addedEntryKeys = map[pdfread.Name]map[pdfread.Name]bool{
	"Names":    {"EmbeddedFiles": true},
	"AcroForm": {"Fields": true, "SigFlags": true},
}
