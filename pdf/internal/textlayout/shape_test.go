package textlayout

import (
	"strings"
	"testing"
)

func shaper(t *testing.T) *Setter {
	s := setter(t, 1000)
	s.Shape, s.Supplementary = true, true
	return s
}

// lettersOf replaces each presentation form of s by its letters.
func lettersOf(s string) string {
	var b strings.Builder
	for _, r := range s {
		b.WriteString(Letters(r))
	}
	return b.String()
}

// unshaped is the logical text a line in visual order stands for, when
// the line is all right-to-left letters and spaces.
func unshaped(visual string) string { return lettersOf(reverse(visual)) }

func TestArabicLettersJoin(t *testing.T) {
	s := shaper(t)
	cases := []struct{ in, visual string }{
		// meem initial, reh final, hah initial, beh medial, alef final.
		{"مرحبا", "\ufe8e\ufe92\ufea3\ufeae\ufee3"},
		// seen initial, lam-alef final ligature, meem isolated (after
		// alef, which joins on its right only).
		{"سلام", "م\ufefc\ufeb3"},
		{"لا", "\ufefb"},
		// Persian: peh, farsi yeh, keheh, gaf.
		{"پیک", "\ufb8f\ufbff\ufb58"},
		{"گل", "\ufede\ufb94"},
		// A mark between two letters does not break the joining.
		{"بَب", "\ufe90\u064e\ufe91"},
		// Tatweel joins; the zero width non-joiner does not.
		{"بـ", "\u0640\ufe91"},
	}
	for _, c := range cases {
		if got := text(s.Line(c.in)); got != c.visual {
			t.Errorf("%q: drawn %+q, want %+q", c.in, got, c.visual)
		}
		if got := unshaped(c.visual); got != c.in && !strings.ContainsRune(c.in, '\u064e') && !strings.Contains(c.in, "لا") {
			t.Errorf("%q: its forms stand for %q", c.in, got)
		}
	}
	// Without Shape (custody-pdf/4) the letters stay isolated.
	if got := text(setter(t, 1000).Line("مرحبا")); got != reverse("مرحبا") {
		t.Errorf("without Shape: %+q", got)
	}
}

func TestShapedWordIsNarrower(t *testing.T) {
	joined, isolated := shaper(t).Line("مستشفى"), setter(t, 1000).Line("مستشفى")
	if joined.Width >= isolated.Width*0.95 {
		t.Errorf("joined word %.1f pt wide, isolated %.1f: not joined", joined.Width, isolated.Width)
	}
}

// visualOrder is a line's characters in drawing order, each presentation
// form as its letters (so that the expected strings can be written in
// plain letters).
func visualOrder(l Line) string { return lettersOf(text(l)) }

func TestBidiNumbersAndPunctuation(t *testing.T) {
	s := shaper(t)
	old := setter(t, 1000)
	cases := []struct{ in, visual string }{
		// A time, a decimal number and a date keep their order inside
		// Arabic text (W4: a separator between digits is a digit).
		{"الساعة 14:05", "14:05 " + reverse("الساعة")},
		{"الحرارة 38,5", "38,5 " + reverse("الحرارة")},
		{"موعد 3/12/2026", "3/12/2026 " + reverse("موعد")},
		// The question mark ends the Arabic sentence, on its left.
		{"هل آخذ الدواء؟", reverse("هل آخذ الدواء؟")},
		// An Arabic quote in Spanish: the quote turns, the sentence not.
		{"dice «أريد موعد» hoy", "dice «" + reverse("أريد موعد") + "» hoy"},
		// Brackets pair (N0): the bracketed Spanish stays in the Arabic
		// sentence's flow, the brackets mirrored (L4).
		{"موعد (mañana) غدا", reverse("غدا") + " (mañana) " + reverse("موعد")},
		// Persian digits are numbers, in their own order.
		{"۳ قرص", reverse("قرص") + " ۳"},
		// A right-to-left mark the sender typed steers the order.
		{"ok\u200f!", "ok!"},
	}
	for _, c := range cases {
		l := s.Line(c.in)
		if got := visualOrder(l); got != c.visual {
			t.Errorf("%q: drawn %q, want %q (custody-pdf/4 draws %q)", c.in, got, c.visual, text(old.Line(c.in)))
		}
	}
}
