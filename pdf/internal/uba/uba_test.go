package uba

import (
	"slices"
	"testing"
)

func levels(t *testing.T, s string) ([]int8, bool) {
	t.Helper()
	runes := []rune(s)
	classes := make([]Class, len(runes))
	for i, r := range runes {
		classes[i] = ClassOf(r)
	}
	lv, rtl, err := Levels(runes, classes)
	if err != nil {
		t.Fatalf("%q: %v", s, err)
	}
	return lv, rtl
}

// TestLevels checks the rules the reduced algorithm of custody-pdf/1 to
// /4 lacks, on short paragraphs whose levels UAX #9 fixes.
func TestLevels(t *testing.T) {
	cases := []struct {
		in   string
		want []int8
		rtl  bool
	}{
		// W4: a separator between digits joins them; the number is at
		// level 2 inside right-to-left text.
		{"א 1:2", []int8{1, 1, 2, 2, 2}, true},
		// N0: paired brackets take the direction of their content's
		// context: here the embedding's.
		{"א (b) ב", []int8{1, 1, 1, 2, 1, 1, 1}, true},
		// X2–X5: an explicit embedding the sender typed (RLE … PDF).
		{"a \u202bb\u202c c", []int8{0, 0, 0, 2, 0, 0, 0}, false},
		// P2: the first strong character decides; none: left to right.
		{"12", []int8{0, 0}, false},
		// L1: trailing white space at the paragraph's level.
		{"א ", []int8{1, 1}, true},
	}
	for _, c := range cases {
		got, rtl := levels(t, c.in)
		// Explicit controls (removed by X9) may take any level: compare
		// the others.
		for i, r := range []rune(c.in) {
			if r >= 0x202a && r <= 0x202e {
				got[i] = c.want[i]
			}
		}
		if !slices.Equal(got, c.want) || rtl != c.rtl {
			t.Errorf("%q: levels %v rtl %v, want %v %v", c.in, got, rtl, c.want, c.rtl)
		}
	}
}

func TestLevelsMismatchedInput(t *testing.T) {
	if _, _, err := Levels([]rune("ab"), []Class{L}); err == nil {
		t.Error("two characters with one class accepted")
	}
	if lv, rtl, err := Levels(nil, nil); lv != nil || rtl || err != nil {
		t.Errorf("empty paragraph: %v %v %v", lv, rtl, err)
	}
}
