package verify

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"reflect"
	"slices"

	"github.com/custody-toolkit/custody/internal/pdfread"
)

// The rules for the incremental updates of a standalone PDF
// (bundle-format.md §7.2, item 6). The updates are signed with the
// rendering, by the sealing key, but they could still make the PDF show
// something else than the rendering it starts with, or run a script: so
// they may add exactly what the exporter adds, nothing else. What the
// exporter adds: the attachment (/Names /EmbeddedFiles, /AF, /PageMode),
// the signature field (/AcroForm, and its invisible widget in the first
// page's /Annots, for which that page is written again), the XMP metadata
// (/Metadata), the document security store (/DSS) and the document
// information (the trailer's /Info, which no reader draws on a page).

// updateCatalogKeys are the entries the updates may add to the catalog.
var updateCatalogKeys = map[pdfread.Name]bool{"Names": true, "AF": true, "PageMode": true, "AcroForm": true, "Metadata": true, "DSS": true}

// addedEntryKeys are the keys the dictionaries added to the catalog may
// have: a /JavaScript name tree would run on opening, an XFA form would
// replace the pages in some readers, a /VRI is not written.
var addedEntryKeys = map[pdfread.Name]map[pdfread.Name]bool{
	"Names":    {"EmbeddedFiles": true},
	"AcroForm": {"Fields": true, "SigFlags": true},
	"DSS":      {"Type": true, "Certs": true, "OCSPs": true, "CRLs": true},
}

// widgetKeys are the keys of the signature's widget: no appearance
// stream (/AP), action (/A, /AA) or anything else that could draw or run.
var widgetKeys = map[pdfread.Name]bool{"Type": true, "Subtype": true, "Rect": true, "F": true, "P": true, "FT": true, "T": true, "V": true}

// checkUpdates: the bytes after the rendering are incremental updates,
// signed with the rest, that could redefine a page, its content or a font,
// or point the catalog at other pages: the PDF would then show something
// else than the rendering it starts with, under a valid signature by the
// sealing key. They may define new objects, a new catalog, and the page
// of the signature's widget again with it in /Annots, and nothing else;
// the catalog must keep the rendering's entries (its page tree) and add
// nothing but what the exporter adds. whole is the PDF as opened for the
// other checks, rendering its first revision (the sealed rendering, of
// length size).
func checkUpdates(whole *pdfread.File, rendering io.ReaderAt, size int64) error {
	first, err := pdfread.Open(rendering, size)
	if err != nil {
		return fmt.Errorf("the rendering's structure: %w", err)
	}
	oldRoot, _ := first.Trailer["Root"].(pdfread.Ref)
	oldSize, ok := first.Trailer["Size"].(int64)
	if !ok {
		return errors.New("the rendering's trailer has no /Size")
	}
	pages, err := checkObjectNumbers(whole, first, oldRoot.Num, int(oldSize), size)
	if err != nil {
		return err
	}
	oldCat, err := first.Dict(oldRoot, "the rendering's catalog")
	if err != nil {
		return err
	}
	cat, err := whole.Dict(whole.Trailer["Root"], "catalog (trailer /Root)")
	if err != nil {
		return err
	}
	if err := checkCatalog(whole, oldCat, cat); err != nil {
		return err
	}
	for _, num := range pages {
		if err := checkAnnotatedPage(whole, first, cat, num, int(oldSize)); err != nil {
			return err
		}
	}
	return nil
}

// checkCatalog: the final catalog keeps the rendering's entries with their
// values and adds only updateCatalogKeys, holding what addedEntryKeys
// allow.
func checkCatalog(whole *pdfread.File, oldCat, cat pdfread.Dict) error {
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
	if err := checkDSS(whole, cat["DSS"]); err != nil {
		return err
	}
	if _, had := oldCat["Metadata"]; !had {
		return checkMetadata(whole, cat["Metadata"])
	}
	return nil
}

// checkDSS: the document security store's arrays hold plain streams of
// validation data (certificates, OCSP responses, CRLs), nothing a reader
// draws or runs.
func checkDSS(whole *pdfread.File, dss pdfread.Object) error {
	if dss == nil {
		return nil
	}
	d, err := whole.Dict(dss, "catalog /DSS")
	if err != nil {
		return err
	}
	for _, key := range []pdfread.Name{"Certs", "OCSPs", "CRLs"} {
		if _, ok := d[key]; !ok {
			continue
		}
		items, err := whole.Array(d[key], "/DSS /"+string(key))
		if err != nil {
			return err
		}
		for i, o := range items {
			if err := checkPlainStream(whole, o, fmt.Sprintf("/DSS /%s[%d]", key, i), nil); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkMetadata: the catalog's /Metadata, when the updates add it, is an
// unfiltered XMP stream.
func checkMetadata(whole *pdfread.File, o pdfread.Object) error {
	if o == nil {
		return nil
	}
	return checkPlainStream(whole, o, "catalog /Metadata", pdfread.Dict{"Type": pdfread.Name("Metadata"), "Subtype": pdfread.Name("XML")})
}

// checkPlainStream: o is a reference to an unfiltered stream whose
// dictionary holds /Length and exactly the entries of want.
func checkPlainStream(whole *pdfread.File, o pdfread.Object, what string, want pdfread.Dict) error {
	ref, ok := o.(pdfread.Ref)
	if !ok {
		return fmt.Errorf("%s is not a reference to a stream", what)
	}
	obj, err := whole.Get(ref)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	s, ok := obj.(*pdfread.Stream)
	if !ok {
		return fmt.Errorf("%s is not a stream", what)
	}
	for k, v := range s.Dict {
		if k != "Length" && !reflect.DeepEqual(want[k], v) {
			return fmt.Errorf("%s has /%s %v", what, k, v)
		}
	}
	if len(s.Dict) != len(want)+1 {
		return fmt.Errorf("%s lacks an entry of %v", what, slices.Sorted(maps.Keys(want)))
	}
	return nil
}

// checkObjectNumbers: the updates may add objects after the rendering
// (numbers from oldSize on, lying in the updates' bytes), a new catalog
// and new definitions of pages, which it returns for checkAnnotatedPage,
// and nothing else. Every other object number of the rendering keeps its
// cross-reference entry exactly: not redefined, not freed, not pointed at
// other bytes, even bytes inside the rendering (a JPEG embeds what its
// maker chose, such as a whole content stream), where no comparison of the
// rendering would see it.
func checkObjectNumbers(whole, first *pdfread.File, root, oldSize int, size int64) (redefined []int, err error) {
	for num := 1; num < oldSize; num++ {
		off, gen, _ := whole.Entry(num)
		firstOff, firstGen, _ := first.Entry(num)
		switch {
		case off == firstOff && gen == firstGen:
		case num == root && off >= size:
		case off >= size && gen == firstGen && firstOff >= 0:
			redefined = append(redefined, num)
		case off < 0:
			return nil, fmt.Errorf("object %d of the rendering is freed", num)
		case off < size:
			return nil, fmt.Errorf("object %d of the rendering is redefined: pointed at other bytes of the rendering (byte %d)", num, off)
		default:
			return nil, fmt.Errorf("object %d of the rendering is redefined", num)
		}
	}
	for _, num := range whole.DefinedBefore(size) {
		if num >= oldSize {
			return nil, fmt.Errorf("object %d, which the rendering does not define, is pointed at bytes of the rendering", num)
		}
	}
	return redefined, nil
}

// checkAnnotatedPage: object num of the rendering, redefined by the
// updates, must be a page of the rendering written again with one entry
// added, /Annots listing exactly the signature field's widget: a new
// object, of the catalog's /AcroForm, naming this page, with a zero-area
// /Rect and only widgetKeys (nothing it could draw or run).
func checkAnnotatedPage(whole, first *pdfread.File, cat pdfread.Dict, num, oldSize int) error {
	_, gen, _ := first.Entry(num)
	ref := pdfread.Ref{Num: num, Gen: gen}
	redefined := fmt.Errorf("object %d of the rendering is redefined", num)
	old, err := first.Dict(ref, "the rendering's page")
	if err != nil || nameOf(old["Type"]) != "Page" {
		return redefined
	}
	page, err := whole.Dict(ref, "a page")
	if err != nil {
		return err
	}
	annots, _ := page["Annots"].(pdfread.Array)
	if _, had := old["Annots"]; had || len(annots) != 1 || len(page) != len(old)+1 {
		return fmt.Errorf("%w: page %d 0 R may only gain /Annots with the signature's widget", redefined, num)
	}
	for k, v := range old {
		if !sameValue(page[k], v) {
			return fmt.Errorf("%w: its /%s is not the rendering's", redefined, k)
		}
	}
	return checkSignatureWidget(whole, cat, annots[0], ref, oldSize)
}

// checkSignatureWidget: o, in a page's /Annots, is the signature field of
// the catalog's /AcroForm, merged with its invisible widget.
func checkSignatureWidget(whole *pdfread.File, cat pdfread.Dict, o pdfread.Object, page pdfread.Ref, oldSize int) error {
	ref, ok := o.(pdfread.Ref)
	if !ok || ref.Num < oldSize {
		return errors.New("a page's /Annots names an object of the rendering, not the signature's new widget")
	}
	form, err := whole.Dict(cat["AcroForm"], "catalog /AcroForm")
	if err != nil {
		return err
	}
	fields, _ := form["Fields"].(pdfread.Array)
	if !slices.Contains(fields, pdfread.Object(ref)) {
		return fmt.Errorf("a page's /Annots names %d %d R, which is not a field of the /AcroForm", ref.Num, ref.Gen)
	}
	w, err := whole.Dict(ref, "the signature's widget")
	if err != nil {
		return err
	}
	for k := range w {
		if !widgetKeys[k] {
			return fmt.Errorf("the signature's widget has /%s; an invisible widget has none", k)
		}
	}
	if nameOf(w["Subtype"]) != "Widget" || nameOf(w["FT"]) != "Sig" || w["P"] != pdfread.Object(page) {
		return errors.New("a page's /Annots names an annotation that is not the signature's widget on that page")
	}
	if !zeroArea(w["Rect"]) {
		return errors.New("the signature's widget has an area: the exporter's is invisible (/Rect [0 0 0 0])")
	}
	return nil
}

// sameValue: a and b are the same PDF value, wherever they lie in the
// file (a string's offsets are not part of its value).
func sameValue(a, b pdfread.Object) bool {
	switch x := a.(type) {
	case pdfread.String:
		y, ok := b.(pdfread.String)
		return ok && x.Hex == y.Hex && bytes.Equal(x.Bytes, y.Bytes)
	case pdfread.Array:
		y, ok := b.(pdfread.Array)
		return ok && slices.EqualFunc(x, y, sameValue)
	case pdfread.Dict:
		y, ok := b.(pdfread.Dict)
		return ok && maps.EqualFunc(x, y, sameValue)
	}
	return reflect.DeepEqual(a, b)
}

// zeroArea: a /Rect of four numbers enclosing nothing.
func zeroArea(o pdfread.Object) bool {
	r, ok := o.(pdfread.Array)
	if !ok || len(r) != 4 {
		return false
	}
	var v [4]float64
	for i, x := range r {
		switch n := x.(type) {
		case int64:
			v[i] = float64(n)
		case float64:
			v[i] = n
		default:
			return false
		}
	}
	return v[0] == v[2] || v[1] == v[3]
}
