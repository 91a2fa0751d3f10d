package gopdf

import (
	"fmt"
	"math"
	"testing"
)

// TestTextRunAsFmt: a run of text is written with appendTD, appendKern
// and appendGlyph, which must write what fmt.Fprintf's verbs wrote
// before (sealed records hold those bytes), for coordinates that round
// either way, negative ones, negative zero and large ones, kerning of
// either sign, and glyph indexes of every width.
func TestTextRunAsFmt(t *testing.T) {
	coords := []float64{0, math.Copysign(0, -1), -0.004, -0.005, 0.005, 0.015, 1.005, 2.675, 12.345, 841.89, 595.28,
		-12.5, 1e6 + 0.125, 123456789.987, 1e21, 5e-324}
	for _, x := range coords {
		for _, y := range coords {
			if got, want := string(appendTD(nil, x, y)), fmt.Sprintf("%0.2f %0.2f TD\n", x, y); got != want {
				t.Errorf("appendTD(%v, %v) = %q, fmt %q", x, y, got, want)
			}
		}
	}
	for _, k := range []int{1, -1, 7, -25, 1000, -1000, math.MaxInt32, math.MinInt32 + 1} {
		if got, want := string(appendKern([]byte("x"), k)), fmt.Sprintf("x>%d<", (-1)*k); got != want {
			t.Errorf("appendKern(%d) = %q, fmt %q", k, got, want)
		}
	}
	for _, g := range []uint{0, 1, 0xF, 0x10, 0xAB, 0x100, 0xFFF, 0x1000, 0xBEEF, 0xFFFF, 0x10000, 0xFFFFFF, math.MaxUint32} {
		if got, want := string(appendGlyph([]byte("<"), g)), fmt.Sprintf("<%04X", g); got != want {
			t.Errorf("appendGlyph(%#x) = %q, fmt %q", g, got, want)
		}
	}
}
