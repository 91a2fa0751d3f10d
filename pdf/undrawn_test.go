package pdf

import (
	"slices"
	"testing"
)

func TestUndrawn(t *testing.T) {
	for _, tc := range []struct {
		text string
		want []rune
	}{
		{"Me tomé un paracetamol 😷\tوالحمد لله — שלום", nil},
		{"línea 1\r\nlínea 2\u200f\ufeff", nil},
		{"漢字 y 漢", []rune{'漢', '字'}},       // no CJK font is embedded
		{"\ue000 privado", []rune{0xe000}}, // a private-use character
	} {
		got, err := Undrawn(tc.text)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("Undrawn(%q) = %q, want %q", tc.text, got, tc.want)
		}
	}
}
