package pdf

import (
	"strings"
	"testing"
	"time"

	"github.com/custody-toolkit/custody/internal/lang"
)

// arabicLine renders a one-message record whose text is one right-to-left
// line, in custody-pdf/4's layout or /5's.
func arabicLine(layout5 bool, text string) *Document {
	d := boxesDocument(true)
	d.Layout5 = layout5
	d.Items[0].Message.Text = text
	d.Items[0].Message.Attachments = nil
	return d
}

// inkLeft is the leftmost dark pixel of the rows where a and b differ:
// the left end of a right-aligned line drawn differently.
func inkLeft(t *testing.T, g, other grey) int {
	left := g.w
	for y := 0; y < g.h; y++ {
		row, otherRow := g.pix[y*g.w:(y+1)*g.w], other.pix[y*g.w:(y+1)*g.w]
		if string(row) == string(otherRow) {
			continue
		}
		for x, p := range row {
			if p < 128 {
				left = min(left, x)
				break
			}
		}
	}
	if left == g.w {
		t.Fatal("the two renderings do not differ")
	}
	return left
}

// TestArabicJoinedOnThePage rasterises the same Arabic line in both
// layouts: joined letters (custody-pdf/5) make a narrower line than
// isolated ones (/4), and a right-aligned line starts further right.
func TestArabicJoinedOnThePage(t *testing.T) {
	const text = "مستشفى الجامعة يطلب تحليل الدم"
	isolated := rasterise(t, render(t, arabicLine(false, text)), 1)
	joined := rasterise(t, render(t, arabicLine(true, text)), 1)
	l4, l5 := inkLeft(t, isolated, joined), inkLeft(t, joined, isolated)
	edge := pageW - marginX
	right := int(edge)
	if w4, w5 := right-l4, right-l5; float64(w5) > 0.9*float64(w4) {
		t.Errorf("joined line %d px wide, isolated %d px: letters not joined", w5, w4)
	}
}

// TestShapedTextExtracts: pdftotext gets the letters sent back from the
// joined forms (the ToUnicode map), never presentation forms, every
// right-to-left word intact; a mirrored bracket extracts as the one sent.
func TestShapedTextExtracts(t *testing.T) {
	d := rightToLeftDocument(true)
	out := extract(t, render(t, d))
	if i := strings.IndexFunc(out, func(r rune) bool { return r >= 0xFB50 && r <= 0xFEFF }); i >= 0 {
		t.Errorf("a presentation form extracted: %q", out[max(0, i-20):min(len(out), i+20)])
	}
	for _, it := range d.Items {
		if it.Message == nil {
			continue
		}
		for _, w := range rtlWords(it.Message.Text) {
			if !strings.Contains(out, w) {
				t.Errorf("right-to-left word %q not extracted intact", w)
			}
		}
	}
	// Numbers keep their order (custody-pdf/4 draws 05:14). Where
	// neutral punctuation goes between right-to-left words is poppler's
	// guess, not the PDF's: not compared.
	for _, want := range []string{"14:05", "38,5", "37.8"} {
		if !strings.Contains(out, want) {
			t.Errorf("extracted text lacks %q", want)
		}
	}
}

// TestTimestampsInTheReadersFormat: with Dates (custody-pdf/5) the
// integrity page words the timestamps as the reader expects, in UTC, and
// says so; without, in ISO form.
func TestTimestampsInTheReadersFormat(t *testing.T) {
	at := time.Date(2026, 12, 3, 13, 5, 3, 0, time.UTC)
	for _, c := range []struct {
		dates *lang.DateWords
		want  string
	}{{&lang.Spanish.Dates, "03/12/2026 13:05:03 UTC"}, {nil, "2026-12-03 13:05:03 UTC"}} {
		d := arabicLine(c.dates != nil, "hola")
		d.Dates = c.dates
		d.Integrity.Timestamps = []Timestamp{{Time: at, TSA: "Example TSA"}}
		if out := extract(t, render(t, d)); !strings.Contains(out, c.want) {
			t.Errorf("the integrity page lacks %q:\n%s", c.want, out)
		}
	}
}
