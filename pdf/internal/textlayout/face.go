// Package textlayout turns message text into lines ready to draw: it picks a
// font per character, substitutes characters no font can show, wraps to a
// width with glyph widths measured once per font and rune, and puts
// right-to-left runs in visual order. With Setter.Shape (custody-pdf/5) it
// also joins Arabic letters (shape.go) and orders by the complete Unicode
// bidirectional algorithm (package uba).
//
// It does not draw: a Line is a list of Spans, each one font and one string
// at an x offset, that the caller hands to the PDF writer.
package textlayout

import (
	"fmt"

	"golang.org/x/image/font"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
)

// Face is one TrueType font with a cache of advance widths. It is not safe
// for concurrent use: make one per rendering.
type Face struct {
	Name string // the family name the caller registered the font under
	TTF  []byte // the font file, for the caller to embed

	font *sfnt.Font
	upem fixed.Int26_6
	buf  sfnt.Buffer
	// ascii and others cache the advance of a rune at size 1 (points per
	// point of font size); a negative value means the font lacks the glyph.
	ascii  [128]float64
	others map[rune]float64
}

// NewFace parses a TrueType font.
func NewFace(name string, ttf []byte) (*Face, error) {
	f, err := sfnt.Parse(ttf)
	if err != nil {
		return nil, fmt.Errorf("textlayout: font %s: %w", name, err)
	}
	face := &Face{Name: name, TTF: ttf, font: f, upem: fixed.Int26_6(f.UnitsPerEm()) << 6, others: map[rune]float64{}}
	for r := range face.ascii {
		face.ascii[r] = face.measure(rune(r))
	}
	return face, nil
}

// Has reports whether the font has a glyph for r.
func (f *Face) Has(r rune) bool { return f.Advance(r) >= 0 }

// Advance is the width of r at a font size of 1, or -1 if the font has no
// glyph for r.
func (f *Face) Advance(r rune) float64 {
	if r >= 0 && r < 128 {
		return f.ascii[r]
	}
	if w, ok := f.others[r]; ok {
		return w
	}
	w := f.measure(r)
	f.others[r] = w
	return w
}

// Width is the width of s at a font size of 1, counting missing glyphs as 0.
func (f *Face) Width(s string) float64 {
	var w float64
	for _, r := range s {
		if a := f.Advance(r); a > 0 {
			w += a
		}
	}
	return w
}

func (f *Face) measure(r rune) float64 {
	gi, err := f.font.GlyphIndex(&f.buf, r)
	if err != nil || gi == 0 {
		return -1
	}
	adv, err := f.font.GlyphAdvance(&f.buf, gi, f.upem, font.HintingNone)
	if err != nil {
		return -1
	}
	return float64(adv) / float64(f.upem)
}
