package textlayout

import (
	"golang.org/x/text/unicode/bidi"

	"github.com/custody-toolkit/custody/pdf/internal/uba"
)

// A reduced Unicode bidi algorithm (UAX #9), enough for chat messages: no
// explicit embeddings (their controls are dropped), numbers kept left to
// right, neutrals taking the direction of the strong characters around them.
// Brackets are not mirrored: a mirrored glyph would be extracted as the
// other bracket, and text extraction must give back the characters sent.

type strength int8

const (
	neutral strength = iota
	ltr
	rtl
	number
)

func classify(r rune) strength {
	if r < 0x0590 { // fast path: nothing below Hebrew is right-to-left
		switch {
		case r >= '0' && r <= '9':
			return number
		case r >= 'A' && r <= 'Z', r >= 'a' && r <= 'z', r >= 0xC0 && r != 0xD7 && r != 0xF7:
			return ltr
		}
	}
	p, _ := bidi.LookupRune(r)
	switch p.Class() {
	case bidi.L:
		return ltr
	case bidi.R, bidi.AL:
		return rtl
	case bidi.EN, bidi.AN:
		return number
	case bidi.NSM:
		return -1 // takes the class of the character before it
	}
	return neutral
}

// hasRTL reports whether any cell is of a right-to-left script, so that
// left-to-right text (the common case) skips the algorithm.
func hasRTL(cells []cell) bool {
	for _, c := range cells {
		if c.r >= 0x0590 && classify(c.r) == rtl {
			return true
		}
	}
	return false
}

// resolveLevels sets each cell's embedding level and reports whether the
// paragraph is right-to-left (first strong character Hebrew or Arabic).
func resolveLevels(cells []cell) (paraRTL bool) {
	for i := range cells {
		cells[i].level = 0
	}
	if !hasRTL(cells) {
		return false
	}
	types := make([]strength, len(cells))
	prev := neutral
	for i, c := range cells {
		t := classify(c.r)
		if c.sub {
			t = neutral
		}
		if t < 0 {
			t = prev
		}
		types[i], prev = t, t
	}
	base := ltr
	for _, t := range types {
		if t == ltr || t == rtl {
			base = t
			break
		}
	}
	// W7: a number after left-to-right text (or at the start of a
	// left-to-right paragraph) is plain left-to-right text.
	last := base
	for i, t := range types {
		switch t {
		case ltr, rtl:
			last = t
		case number:
			if last == ltr {
				types[i] = ltr
			}
		}
	}
	// N1/N2: a run of neutrals between two strong characters of the same
	// direction takes it (numbers count as right-to-left), else the
	// paragraph's.
	for i := 0; i < len(types); {
		if types[i] != neutral {
			i++
			continue
		}
		j := i
		for j < len(types) && types[j] == neutral {
			j++
		}
		before, after := base, base
		if i > 0 {
			before = asStrong(types[i-1])
		}
		if j < len(types) {
			after = asStrong(types[j])
		}
		d := base
		if before == after {
			d = before
		}
		for k := i; k < j; k++ {
			types[k] = d
		}
		i = j
	}
	for i, t := range types {
		cells[i].level = levelOf(t, base)
		if cells[i].sub && cells[i].level%2 == 1 {
			cells[i].level++ // a substitute reads left to right
		}
	}
	return base == rtl
}

func asStrong(t strength) strength {
	if t == number {
		return rtl
	}
	return t
}

// levelOf implements rules I1 and I2.
func levelOf(t, base strength) int8 {
	if base == ltr {
		switch t {
		case rtl:
			return 1
		case number:
			return 2
		}
		return 0
	}
	if t == rtl {
		return 1
	}
	return 2
}

// reorder returns the cells of one line in visual order (rule L2): from the
// highest level down to 1, every run at that level or above is reversed.
func reorder(cells []cell) []cell {
	var hi int8
	for _, c := range cells {
		hi = max(hi, c.level)
	}
	if hi == 0 {
		return cells
	}
	out := append([]cell(nil), cells...)
	for lvl := hi; lvl >= 1; lvl-- {
		for i := 0; i < len(out); {
			if out[i].level < lvl {
				i++
				continue
			}
			j := i
			for j < len(out) && out[j].level >= lvl {
				j++
			}
			for a, b := i, j-1; a < b; a, b = a+1, b-1 {
				out[a], out[b] = out[b], out[a]
			}
			i = j
		}
	}
	return out
}

// resolveUBA sets each cell's level by the Unicode bidirectional algorithm
// (Setter.Shape) and reports whether the paragraph is right-to-left. A
// substitute reads left to right. Text with nothing from U+0590 up (no
// right-to-left letter, Arabic digit or bidi control) is all at level 0,
// as the algorithm would find: it is not run.
func resolveUBA(cells []cell) (paraRTL bool) {
	runes := make([]rune, len(cells))
	classes := make([]uba.Class, len(cells))
	high := false
	for i, c := range cells {
		cells[i].level = 0
		runes[i], classes[i] = c.r, uba.ClassOf(c.r)
		if c.sub {
			classes[i] = uba.L
		}
		high = high || c.r >= 0x0590
	}
	if !high {
		return false
	}
	levels, rtl, err := uba.Levels(runes, classes)
	if err != nil {
		return resolveLevels(cells) // not expected: the reduced algorithm's order
	}
	for i := range cells {
		cells[i].level = levels[i]
	}
	return rtl
}
