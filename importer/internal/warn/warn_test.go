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
