// Package fonts holds the fallback fonts the PDF renderer embeds for scripts
// the Go fonts do not cover (Hebrew, Arabic). They are Noto fonts under the
// SIL Open Font License 1.1 (OFL.txt beside this file), chosen because the two
// files together weigh about 270 KB while covering both right-to-left scripts;
// the PDF embeds only the glyphs a document uses.
//
// Emoji is Noto Emoji, monochrome (NotoEmoji-OFL.txt): patients write in
// emoji, and a record must show them (custody-pdf/4). Colour emoji fonts
// are bitmaps the PDF writer cannot embed; this one is outlines, 870 KB.
package fonts

import _ "embed"

// Hebrew is Noto Sans Hebrew Regular (TrueType).
//
//go:embed NotoSansHebrew-Regular.ttf
var Hebrew []byte

// Arabic is Noto Sans Arabic Regular (TrueType).
//
//go:embed NotoSansArabic-Regular.ttf
var Arabic []byte

// Emoji is Noto Emoji Regular, monochrome (TrueType).
//
//go:embed NotoEmoji-Regular.ttf
var Emoji []byte
