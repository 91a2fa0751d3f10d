// Package gopdf is github.com/signintech/gopdf v0.33.0 (MIT licence, see
// LICENSE; copyright 2015 signintech), copied into custody so that it can
// be changed where the renderer's memory needs it. Only the package's own
// files are here; its TrueType parser, fontmaker/core, is imported from
// the upstream module, and the tests, examples and tools are left out.
//
// The output must stay byte for byte what the upstream package writes:
// records sealed by renderers custody-pdf/1 to /3 are verified by
// rendering them again (pdf.TestRenderingsUnchanged pins that).
package gopdf
