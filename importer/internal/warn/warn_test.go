package warn

import (
	"strings"
	"testing"
)

func TestBounded(t *testing.T) {
	var l List
	for i := range Max + 5 {
		l.Add("w%d", i)
		l.AddOnce("k", "once")
	}
	got := l.Strings()
	if len(got) != Max+1 || got[0] != "w0" || got[1] != "once" || !strings.Contains(got[Max], "6 more") {
		t.Errorf("%d warnings, first %q %q, last %q", len(got), got[0], got[1], got[len(got)-1])
	}
}

// TestAppend: a list appended keeps its order after the first's and the
// bound over both, counting what passes it.
func TestAppend(t *testing.T) {
	var a, b List
	for i := range Max - 1 {
		a.Add("a%d", i)
	}
	for i := range Max + 3 {
		b.Add("b%d", i)
	}
	a.Append(&b)
	got := a.Strings()
	if len(got) != Max+1 || got[Max-2] != "a98" || got[Max-1] != "b0" || got[Max] != "… and 102 more warnings" {
		t.Errorf("%d warnings, around the join %q, last %q", len(got), got[Max-2:Max], got[len(got)-1])
	}
}
