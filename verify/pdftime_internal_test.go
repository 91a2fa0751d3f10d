package verify

import (
	"testing"
	"time"
)

// TestPDFDate: the forms of /M that writers use, and what is refused.
func TestPDFDate(t *testing.T) {
	t.Parallel()
	utc := func(y, mo, d, h, mi, s int) time.Time { return time.Date(y, time.Month(mo), d, h, mi, s, 0, time.UTC) }
	for in, want := range map[string]time.Time{
		"D:20261125103000Z":       utc(2026, 11, 25, 10, 30, 0),
		"D:20261125103000Z00'00'": utc(2026, 11, 25, 10, 30, 0),
		"D:20261125113000+01'00'": utc(2026, 11, 25, 10, 30, 0),
		"D:20261125053000-05'00":  utc(2026, 11, 25, 10, 30, 0),
		"D:20261125113000+01":     utc(2026, 11, 25, 10, 30, 0),
		"D:2026112510":            utc(2026, 11, 25, 10, 0, 0),
		"D:2026":                  utc(2026, 1, 1, 0, 0, 0),
	} {
		if got, ok := pdfDate(in); !ok || !got.Equal(want) {
			t.Errorf("pdfDate(%q) = %v, %v; want %v", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "20261125", "D:26", "D:20261125103000+1", "D:20261125103000Zjunk"} {
		if _, ok := pdfDate(in); ok {
			t.Errorf("pdfDate(%q) accepted", in)
		}
	}
}
