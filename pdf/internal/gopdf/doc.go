// Package gopdf is github.com/signintech/gopdf v0.33.0 (MIT licence, see
// LICENSE; copyright 2015 signintech), copied into custody and changed in
// two respects, memory and the ToUnicode map of characters above U+FFFF,
// and made faster where it wrote a glyph at a time. Only the package's
// own files are here; its TrueType parser, fontmaker/core, is imported
// from the upstream module, and the tests, examples and tools are left
// out.
//
// Upstream holds every operation of every page (a struct of about 270
// bytes for each run of text) until the document is written: 54 MB of a
// record of 30,000 short messages, twice that in resident memory. Here,
// when a page is added, the previous page's operations are serialised as
// its content stream will have them and kept deflated (content_pack.go):
// about 1.5 KB a page. Place-holder texts stay as they are, between the
// packed runs, because they are filled in at the end ("page X of Y");
// they are therefore found by pointer, not by their index in the page's
// list (placeholder.go, PlaceHolderText, FillInPlaceHoldText). Past a
// budget of packed pages (DropPagesBeyond) a document is made in two
// passes instead, a layout pass that drops each finished page and a
// writing pass that writes each page as it is finished among the layout
// pass's objects (page_stream.go, which says why gopdf cannot write a page
// before the end otherwise): about 100 bytes a page. Every change is
// marked "custody:".
//
// The ToUnicode map (unicode_map.go) wrote a character above U+FFFF as its
// code point (<1F637>), which text extractors read as garbage; it is now
// its UTF-16 surrogate pair, as the PDF specification says. Renderers
// custody-pdf/1 to /3 never draw such characters (they print [U+XXXX]), so
// their output is unchanged.
//
// A run of text is written in one piece (cache_content_text.go), not
// through an fmt.Fprintf for each glyph, which took a quarter of the time
// to render a record (BenchmarkRender20000 in pdf: 1.15 s, now 0.84 s).
//
// SetFontFilesUncompressed writes the font subsets as streams without a
// filter, as SetNoCompression leaves the content streams, for a verifier
// that compares renderings once decompressed (pdf.RenderUncompressed);
// without it the font files are deflated as upstream deflates them.
//
// Otherwise the output is byte for byte what the upstream package writes: records
// sealed by renderers custody-pdf/1 to /3 are verified by rendering them
// again (pdf.TestRenderingsUnchanged pins that). Why a fork and not our own
// page writer: gopdf's font subsetting, glyph widths and object layout are
// what the sealed records are made of; only where they are kept changes.
package gopdf
