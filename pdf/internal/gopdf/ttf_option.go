package gopdf

// TtfOption  font option
type TtfOption struct {
	UseKerning                bool
	Style                     int               //Regular|Bold|Italic
	OnGlyphNotFound           func(r rune)      //Called when a glyph cannot be found, just for debugging
	OnGlyphNotFoundSubstitute func(r rune) rune //Called when a glyph cannot be found, we can return a new rune to replace it.
	// ToUnicode, when set, is the text a drawn character stands for in
	// the font's ToUnicode map (fork addition): an Arabic presentation
	// form stands for its letters, so that text is extracted as sent.
	ToUnicode func(r rune) string
}

func defaultTtfFontOption() TtfOption {
	var defa TtfOption
	defa.UseKerning = false
	defa.Style = Regular
	defa.OnGlyphNotFoundSubstitute = DefaultOnGlyphNotFoundSubstitute
	return defa
}

func DefaultOnGlyphNotFoundSubstitute(r rune) rune {
	return rune('\u0020')
}
