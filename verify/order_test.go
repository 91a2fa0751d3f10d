package verify

import (
	"fmt"
	"slices"
	"testing"
)

// TestOrderCheckAsList: orderCheck, given the wanted names one at a time,
// reports what comparing the list of them with the entries reported
// (listOrder, the code it replaced), word for word.
func TestOrderCheckAsList(t *testing.T) {
	base := []string{"mimetype", "a", "b", "c", "manifest.json"}
	variants := [][]string{
		base,
		{"mimetype", "b", "a", "c", "manifest.json"},
		{"mimetype", "a", "b", "c", "manifest.json", "extra"},
		{"mimetype", "a", "b", "c"},
		{"mimetype", "a", "x", "c"},
		{"mimetype"},
		{},
		{"a"},
	}
	for _, names := range variants {
		for _, want := range variants {
			o := &orderCheck{names: names}
			for _, name := range want {
				o.want(name)
			}
			got, exp := fmt.Sprint(o.result()), fmt.Sprint(listOrder(names, want))
			if got != exp {
				t.Errorf("entries %q, wanted %q: %s, the list gave %s", names, want, got, exp)
			}
		}
	}
}

// listOrder is checkOrder's comparison before orderCheck: both lists
// whole.
func listOrder(names, want []string) error {
	want = slices.Clone(want)
	for i, name := range names {
		if i >= len(want) || name != want[i] {
			expected := "nothing"
			if i < len(want) {
				expected = want[i]
			}
			return fmt.Errorf("entries are not in the canonical order: entry %d is %s, expected %s", i+1, name, expected)
		}
	}
	if len(want) != len(names) {
		return fmt.Errorf("entries are not in the canonical order: %d entries, expected %d", len(names), len(want))
	}
	return nil
}
