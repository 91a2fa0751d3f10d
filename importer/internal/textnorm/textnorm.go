// Package textnorm holds the one definition of the invisible characters and
// odd spaces chat exports scatter in names and headers, and of the name
// normalisation participant ids are derived from.
package textnorm

import (
	"strings"
	"unicode"
)

// IsInvisible reports the format characters exports put around names,
// headers and mentions: LRM, RLM, bidi embeddings and isolates, BOM.
func IsInvisible(r rune) bool {
	switch {
	case r == 0x200E, r == 0x200F, r == 0xFEFF:
		return true
	case r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}

// IsSpace reports the spaces exports use between words and before AM/PM:
// plain, tab, no-break, narrow no-break, figure and thin spaces.
func IsSpace(r rune) bool {
	return r == ' ' || r == '\t' || r == 0x00A0 || r == 0x202F || r == 0x2007 || r == 0x2009
}

// Name normalises a display name for matching and for pseudonym derivation:
// invisible marks removed, the "~" of a WhatsApp non-contact dropped, runs of
// spaces made one, lower case. Two exports of the same person give the same
// result. (No Unicode normalisation form is applied: exports use NFC.)
func Name(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		switch {
		case IsInvisible(r):
			continue
		case IsSpace(r) || unicode.IsSpace(r):
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(unicode.ToLower(r))
	}
	out := b.String()
	if rest, ok := strings.CutPrefix(out, "~"); ok {
		out = strings.TrimSpace(rest)
	}
	return out
}

// Slug turns a name into an id fragment: ASCII letters and digits, other
// runs as "-", at most 40 bytes; "" when nothing is left (an emoji name).
func Slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range Name(s) {
		r = fold(r)
		if r < 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
			if b.Len() >= 40 {
				break
			}
			continue
		}
		dash = true
	}
	return b.String()
}

// fold maps common Latin letters with diacritics to their base letter, so
// that "José Núñez" becomes "jose-nunez" rather than "jos-n-ez".
func fold(r rune) rune {
	const from = "àáâãäåçèéêëìíîïñòóôõöøùúûüýÿ"
	const to = "aaaaaaceeeeiiiinoooooouuuuyy"
	if i := strings.IndexRune(from, r); i >= 0 {
		return []rune(to)[len([]rune(from[:i]))]
	}
	return r
}
